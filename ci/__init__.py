"""What CI runs, and nothing else: the pull-request pipeline run and its diff (:mod:`ci.pull_request`) and
the one pull request comment (:mod:`ci.comment`). The workflow (``.github/workflows/pipeline.yml``) only
calls these, and ``.ci/run`` the README's test command. Developer tools live in ``tools/``.
"""
