"""Imported by every Python started with this folder on ``PYTHONPATH``: its ``os`` lacks the affinity calls, as
macOS's and Windows' do."""

import os

for name in ("sched_getaffinity", "sched_setaffinity"):
    if hasattr(os, name):
        delattr(os, name)
