"""Shared fixtures: one tiny run of the whole pipeline, copied for each test module that needs it.

The run starts with the session when some collected test needs it, and goes on beside the tests
before the first of those. DVC commands run without analytics.
"""

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tools.tiny import command_env, run, tiny_project


class Repro(NamedTuple):
    """A ``dvc repro`` running in ``folder``, its output going to ``log``."""

    folder: Path
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session", autouse=True)
def no_dvc_analytics():
    """DVC commands without their analytics report: each would start a process of its own to send it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVC_NO_ANALYTICS", "1")
        yield


def _start_repro(folder: Path) -> Repro:
    """``dvc repro -q`` started in ``folder``, its output going to ``repro.log`` beside it."""
    log = folder.with_name("repro.log")
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "dvc", "repro", "-q"], cwd=folder, env=command_env(),
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    return Repro(folder, process, log)


def _stop(repro: Repro) -> None:
    """End ``repro`` and the stage it runs, if it is still running."""
    if repro.process.poll() is None:
        os.killpg(repro.process.pid, signal.SIGKILL)
        repro.process.wait()


def _new_tiny_project(tmp_path_factory) -> Path:
    """A tiny project (see :mod:`tools.tiny`) in a new temporary folder, nothing run yet."""
    return tiny_project(tmp_path_factory.mktemp("baseline") / "project")


@pytest.fixture(scope="session", autouse=True)
def baseline_repro(request, tmp_path_factory, no_dvc_analytics) -> Iterator[Repro | None]:
    """The tiny baseline's ``dvc repro``, started with the session's first test when some test needs the
    baseline, so that it runs beside the tests before those; None when no test needs it."""
    if not any("tiny_baseline" in item.fixturenames for item in request.session.items):
        yield None
        return
    repro = _start_repro(_new_tiny_project(tmp_path_factory))
    yield repro
    _stop(repro)


@pytest.fixture(scope="session")
def tiny_baseline(baseline_repro, tmp_path_factory) -> Path:
    """A tiny project (see :mod:`tools.tiny`) after one ``dvc repro``, committed on branch main. Do not modify."""
    folder, process, log = baseline_repro or _start_repro(_new_tiny_project(tmp_path_factory))
    assert process.wait() == 0, f"dvc repro exited {process.returncode}\n{log.read_text()}"
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-qm", "tiny pipeline")
    return folder


def copy_of(baseline: Path, folder: Path) -> Path:
    """A copy of ``baseline`` (work tree, git history and DVC cache) at ``folder``."""
    shutil.copytree(baseline, folder, symlinks=True)
    return folder
