"""The test suite (``make test``): unit tests per library module, stage tests on tiny data, and pipeline tests
in temporary DVC repositories (tiny projects from :mod:`tools.tiny`); shared fixtures in ``conftest.py``, the
stage runner in ``stage_runner.py``.
"""
