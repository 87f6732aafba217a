"""Shared fixtures: one tiny run of the whole pipeline, copied for each test module that needs it."""

import shutil
from pathlib import Path

import pytest

from ci.tiny import dvc, run, tiny_project


@pytest.fixture(scope="session")
def tiny_baseline(tmp_path_factory) -> Path:
    """A tiny project (see :mod:`ci.tiny`) after one ``dvc repro``, committed on branch main. Do not modify."""
    folder = tiny_project(tmp_path_factory.mktemp("baseline") / "project")
    dvc(folder, "repro", "-q")
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-qm", "tiny pipeline")
    return folder


def copy_of(baseline: Path, folder: Path) -> Path:
    """A copy of ``baseline`` (work tree, git history and DVC cache) at ``folder``."""
    shutil.copytree(baseline, folder, symlinks=True)
    return folder
