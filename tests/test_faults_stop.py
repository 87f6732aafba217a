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
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
import yaml

from tests.stop_project import STEP_SECONDS, dvc_status, processes_in, project_env, start_make, stop_project, wait_for
from tools import stopping

# GNU make passes on SIGTERM alone; a SIGINT or SIGHUP it holds, the runner reads from /proc (Linux only).
HELD_BY_MAKE = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="no /proc: make's held signal unseen")


def _case(signum: int, target: str, jobs: int, *marks) -> object:
    return pytest.param(signum, target, jobs, marks=marks, id=f"{signal.Signals(signum).name}-{target}-JOBS={jobs}")


CASES = [  # each signal to each target, the modes taking turns; SIGTERM to make in both
    _case(signal.SIGTERM, "make", 1), _case(signal.SIGTERM, "make", 2),
    _case(signal.SIGINT, "make", 2, HELD_BY_MAKE), _case(signal.SIGHUP, "make", 1, HELD_BY_MAKE),
    _case(signal.SIGTERM, "runner", 2), _case(signal.SIGINT, "runner", 1), _case(signal.SIGHUP, "runner", 2),
    _case(signal.SIGKILL, "runner", 1),
    _case(signal.SIGTERM, "group", 1), _case(signal.SIGINT, "group", 2), _case(signal.SIGHUP, "group", 1),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return stop_project(tmp_path_factory.mktemp("stop") / "project", slow_seconds=60)


def _target(make: subprocess.Popen, target: str) -> Callable[[int], None]:
    """The process (or group) ``target`` names, as a function that sends it a signal."""
    if target == "group":
        return lambda signum: os.killpg(make.pid, signum)
    if target == "make":
        return lambda signum: os.kill(make.pid, signum)
    runner = psutil.Process(make.pid).children()[0]  # the recipe execs the runner: make's one child
    assert "tools.parallel_repro" in " ".join(runner.cmdline())
    return lambda signum: os.kill(runner.pid, signum)


@pytest.mark.parametrize(("signum", "target", "jobs"), CASES)
def test_a_stopped_make_repro_leaves_nothing_running_and_dvc_working(template, tmp_path, signum, target, jobs):
    folder = tmp_path / "project"
    shutil.copytree(template, folder, symlinks=True)
    env = project_env()
    make = start_make(folder, jobs, env)
    try:
        wait_for(lambda: (folder / "pids/slow").exists() or make.poll() is not None, "the slow stage to start")
        assert make.poll() is None, (folder / "make.log").read_text()
        _target(make, target)(signum)
        make.wait(timeout=STEP_SECONDS)
        wait_for(lambda: not processes_in(folder), "every process of the run to end")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    output = (folder / "make.log").read_text()
    assert make.returncode != 0, output
    assert set(dvc_status(folder)) == {"slow"}, output
    recorded = set(yaml.safe_load((folder / "dvc.lock").read_text())["stages"])
    assert recorded == {"quick"}, output
    assert not (folder / "out/slow").exists()


def test_make_holding_a_stop_signal_counts_once_it_lasts_and_not_if_held_from_the_start(monkeypatch):
    held, now = [{signal.SIGINT}], [0.0]
    monkeypatch.setattr(stopping, "_blocked_stop_signals", lambda pid: held[0])
    monkeypatch.setattr(stopping.time, "monotonic", lambda: now[0])
    watch = stopping.ParentWatch()  # make is in the instant around its fork: SIGINT held from the start
    watch.check()
    held[0] = set()  # make lets go of it
    watch.check()
    held[0] = {signal.SIGINT}  # a real SIGINT: make holds it while it waits for the runner
    watch.check()
    now[0] = stopping.HELD_SECONDS / 2
    watch.check()
    now[0] = stopping.HELD_SECONDS
    with pytest.raises(stopping.Stopped) as stopped:
        watch.check()
    assert stopped.value.signum == signal.SIGINT
