"""A stopped ``make repro`` stops everything, in both modes (``JOBS=1``: ``dvc repro``; ``JOBS=2``: the runner).

A two-stage project of stand-in stages (:mod:`tests.sleeping_stage`): ``quick`` ends at once, ``slow`` waits a
minute. Once ``slow`` runs, one signal goes to ``make``, to the runner or to the whole process group. ``make``
must end soon after, no process may be left in the project, ``dvc status`` must work, ``quick`` (exit 0 before
the stop) must be recorded in ``dvc.lock`` and ``slow`` must not.
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
import yaml

from tools.tiny import REPO_ROOT, command_env, dvc, run

PIPELINE = {"stages": {
    "quick": {"cmd": "python -m tests.sleeping_stage quick 0", "outs": ["out/quick"]},
    "slow": {"cmd": "python -m tests.sleeping_stage slow 60", "deps": ["out/quick"], "outs": ["out/slow"]},
}}
LINKED = (".venv", "pyproject.toml", "constraints.txt")  # what make's install stamp looks at
SECONDS = 60  # the most a step of a case may take
CASES = [  # (signal, target, JOBS): each signal to each target, the modes taking turns; SIGTERM to make in both
    (signal.SIGTERM, "make", 1), (signal.SIGTERM, "make", 2),
    (signal.SIGINT, "make", 2), (signal.SIGHUP, "make", 1),
    (signal.SIGTERM, "runner", 2), (signal.SIGINT, "runner", 1), (signal.SIGHUP, "runner", 2),
    (signal.SIGKILL, "runner", 1),
    (signal.SIGTERM, "group", 1), (signal.SIGINT, "group", 2), (signal.SIGHUP, "group", 1),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stop") / "project"
    folder.mkdir()
    shutil.copyfile(REPO_ROOT / "Makefile", folder / "Makefile")
    shutil.copyfile(REPO_ROOT / "params.yaml", folder / "params.yaml")
    for name in LINKED:
        (folder / name).symlink_to(REPO_ROOT / name)
    (folder / "dvc.yaml").write_text(yaml.safe_dump(PIPELINE, sort_keys=False))
    (folder / ".gitignore").write_text("/.venv\n/pids\n/logs\n")
    run(folder, "git", "init", "-q", "-b", "main")
    dvc(folder, "init", "-q")
    return folder


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _processes_in(folder: Path) -> list[str]:
    """The processes whose working directory is ``folder``."""
    found = []
    for process in psutil.process_iter(["cwd", "cmdline"]):
        if process.info["cwd"] and Path(process.info["cwd"]) == folder:
            found.append(" ".join(process.info["cmdline"] or []))
    return found


def _target(make: subprocess.Popen, target: str) -> Callable[[int], None]:
    """The process (or group) ``target`` names, as a function that sends it a signal."""
    if target == "group":
        return lambda signum: os.killpg(make.pid, signum)
    if target == "make":
        return lambda signum: os.kill(make.pid, signum)
    runner = psutil.Process(make.pid).children()[0]  # the recipe execs the runner: make's one child
    assert "tools.parallel_repro" in " ".join(runner.cmdline())
    return lambda signum: os.kill(runner.pid, signum)


@pytest.mark.parametrize(("signum", "target", "jobs"), CASES,
                         ids=[f"{signal.Signals(s).name}-{t}-JOBS={j}" for s, t, j in CASES])
def test_a_stopped_make_repro_leaves_nothing_running_and_dvc_working(template, tmp_path, signum, target, jobs):
    folder = tmp_path / "project"
    shutil.copytree(template, folder, symlinks=True)
    env = command_env() | {"PYTHONPATH": str(REPO_ROOT)}
    with (folder / "make.log").open("w") as log:
        make = subprocess.Popen(["make", "repro", f"JOBS={jobs}"], cwd=folder, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(lambda: (folder / "pids/slow").exists() or make.poll() is not None, "the slow stage to start")
        assert make.poll() is None, (folder / "make.log").read_text()
        _target(make, target)(signum)
        make.wait(timeout=SECONDS)
        _wait_for(lambda: not _processes_in(folder), "every process of the run to end")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    output = (folder / "make.log").read_text()
    assert make.returncode != 0, output
    status = subprocess.run(["dvc", "status"], cwd=folder, env=env, capture_output=True, text=True)
    assert status.returncode == 0, status.stderr
    recorded = set(yaml.safe_load((folder / "dvc.lock").read_text())["stages"])
    assert recorded == {"quick"}, output
    assert not (folder / "out/slow").exists()
