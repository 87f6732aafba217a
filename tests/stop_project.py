"""A project of stand-in stages (:mod:`tests.sleeping_stage`) run by ``make repro``, for the tests of stopping a run.

``quick`` (with a param, so that DVC keeps its runs in the run-cache) ends at once; ``slow`` reads its output
and waits ``slow_seconds``.
"""

import contextlib
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import yaml

from tools.tiny import REPO_ROOT, command_env, dvc, run

STEP_SECONDS = 60  # the most a step of a test may take
LINKED = (".venv", "pyproject.toml", "constraints.txt")  # what make's install stamp looks at


def stop_project(folder: Path, slow_seconds: float) -> Path:
    """A git + DVC repository in ``folder`` with this project's Makefile and params, and the two stand-in stages."""
    pipeline = {"stages": {
        "quick": {"cmd": "python -m tests.sleeping_stage quick 0", "params": ["data.seed"], "outs": ["out/quick"]},
        "slow": {"cmd": f"python -m tests.sleeping_stage slow {slow_seconds}", "deps": ["out/quick"],
                 "outs": ["out/slow"]},
    }}
    folder.mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "Makefile", folder / "Makefile")
    shutil.copyfile(REPO_ROOT / "params.yaml", folder / "params.yaml")
    for name in LINKED:
        (folder / name).symlink_to(REPO_ROOT / name)
    (folder / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    (folder / ".gitignore").write_text("/.venv\n/pids\n/logs\n/make.log\n")
    run(folder, "git", "init", "-q", "-b", "main")
    dvc(folder, "init", "-q")
    return folder


OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")  # set when the tests run under `make test`
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def project_env(**extra: str) -> dict[str, str]:
    """The environment of a ``make repro`` in such a project, as a user's shell starts it: the stand-in stages
    importable, no outer make's settings."""
    env = command_env() | {"PYTHONPATH": str(REPO_ROOT)} | extra
    return {name: value for name, value in env.items() if name not in OUTER_MAKE}


def _as_from_a_shell() -> None:
    """In the child before ``make`` starts: the stop signals handled by default and not blocked, whatever this test
    process (pytest, and what earlier tests ran in it) set, since make keeps a signal ignored at its start."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def start_make(folder: Path, jobs: int, env: dict[str, str]) -> subprocess.Popen:
    """``make repro JOBS=jobs`` in ``folder``, in a process group of its own, its output in ``make.log``."""
    with (folder / "make.log").open("w") as log:
        return subprocess.Popen(["make", "repro", f"JOBS={jobs}"], cwd=folder, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_as_from_a_shell)


def dvc_status(folder: Path) -> dict:
    """What ``dvc status`` finds in ``folder`` (DVC's own API, in this process); raises where DVC cannot read it."""
    from dvc.repo import Repo

    with contextlib.chdir(folder), Repo() as repo:
        return repo.status()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition()`` holds, at most ``STEP_SECONDS``."""
    deadline = time.monotonic() + STEP_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def processes_in(folder: Path) -> list[str]:
    """The processes whose working directory is ``folder``."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        if process.info["cwd"] and Path(process.info["cwd"]) == folder:
            found.append(" ".join(process.info["cmdline"] or []))
    return found
