"""Developer tools: what a maintainer runs on the project rather than what the pipeline or CI runs.

Here: the one reader of the pipeline graph (:mod:`tools.pipeline_graph`). Measurement scripts
live in ``benchmarks/`` (each with its results file), what CI runs in ``ci/``, test helpers in
``tests/``.
"""
