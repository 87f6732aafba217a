"""An interruption in the middle of DVC's write of ``dvc.lock`` never leaves it broken, in either mode of
``make repro``.

A signal (SIGINT or SIGKILL) is sent by the writing process to itself halfway through the first write
of ``dvc.lock`` (:mod:`tests.lock_write_fault`): DVC's own write under ``JOBS=1``, the runner's under ``JOBS=2``.
After each, ``dvc.lock`` must be valid and ``dvc status`` must work; after a kill, the next run must bring the
finished stage back from the run-cache, not run it again, and leave no temporary lock file. A ``dvc.lock`` cut at
any byte is restored from the kept copy in one line, and an ``rwlock`` cut short or left by ended processes is
removed.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.stop_project import dvc_status, project_env, start_make, stop_project
from tools.dvc_state import RWLOCK, LockKeeper, clear_stale_rwlock, lock_is_valid

FAULT_PATH = str(Path(__file__).parent / "lock_write_fault")
# SIGINT unwinds (DVC's KeyboardInterrupt; held off by the runner), SIGKILL does not; SIGTERM ends DVC as SIGKILL
# does and is held off by the runner as SIGINT is.
CASES = [(signal, jobs) for signal in ("SIGINT", "SIGKILL") for jobs in (1, 2)]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return stop_project(tmp_path_factory.mktemp("lock") / "project", slow_seconds=0)


def _make(folder: Path, jobs: int, **extra: str) -> str:
    env = project_env(**extra)
    make = start_make(folder, jobs, env)
    make.wait(timeout=120)
    return (folder / "make.log").read_text()


@pytest.mark.parametrize(("signal", "jobs"), CASES, ids=[f"{s}-JOBS={j}" for s, j in CASES])
def test_an_interrupted_lock_write_leaves_dvc_lock_valid(template, tmp_path, signal, jobs):
    folder = tmp_path / "project"
    shutil.copytree(template, folder, symlinks=True)
    output = _make(folder, jobs, LOCK_WRITE_FAULT=signal,
                   PYTHONPATH=f"{FAULT_PATH}:{project_env()['PYTHONPATH']}")
    assert lock_is_valid(folder / "dvc.lock"), output
    dvc_status(folder)
    if signal == "SIGKILL":  # nothing could clean up: the next run does, and finds the finished stage
        rerun = _make(folder, jobs)
        assert "Running stage 'quick'" not in rerun and "started quick" not in rerun, rerun
        assert set(yaml.safe_load((folder / "dvc.lock").read_text())["stages"]) == {"quick", "slow"}, rerun
    assert not list(folder.glob(".dvc.lock.*")), "a temporary lock file was left"


def test_a_lock_file_cut_at_any_byte_is_restored(tmp_path, capsys):
    stage = {"cmd": "python -m stages.generate", "deps": [{"path": "stages/generate.py", "hash": "md5",
             "md5": "0" * 32, "size": 120}], "outs": [{"path": "data", "hash": "md5", "md5": "1" * 32 + ".dir"}]}
    lock = yaml.safe_dump({"schema": "2.0", "stages": {"generate": stage, "report": stage}}).encode()
    (tmp_path / "dvc.lock").write_bytes(lock)
    keeper = LockKeeper(tmp_path)
    keeper.keep()
    broken = 0
    for cut in range(len(lock)):
        (tmp_path / "dvc.lock").write_bytes(lock[:cut])
        if not lock_is_valid(tmp_path / "dvc.lock"):
            broken += 1
            assert keeper.restore_if_broken() and (tmp_path / "dvc.lock").read_bytes() == lock
    lines = capsys.readouterr().err.strip().splitlines()
    assert broken > len(lock) // 2 and len(lines) == broken
    assert all(line.endswith("dvc.lock: cut short by an interruption; restored the last valid copy (stages it lacks "
                             "come back from the run-cache)") for line in lines)


@pytest.mark.parametrize("content", ['{"read": {}, "wri', json.dumps({"read": {}, "write": {"out": {
    "pid": 2**22 + 1, "cmd": "dvc repro"}}})], ids=["cut-short", "ended-holder"])
def test_a_stale_rwlock_is_removed(tmp_path, content, capsys):
    (tmp_path / RWLOCK).parent.mkdir(parents=True)
    (tmp_path / RWLOCK).write_text(content)
    assert clear_stale_rwlock(tmp_path) and not (tmp_path / RWLOCK).exists()
    assert capsys.readouterr().err.startswith(f"{RWLOCK}: ")


@pytest.mark.parametrize("holders", [{"out": {"pid": os.getpid(), "cmd": "dvc"}}, {}], ids=["live", "released"])
def test_an_rwlock_a_live_process_holds_or_none_is_kept_silently(tmp_path, holders, capsys):
    (tmp_path / RWLOCK).parent.mkdir(parents=True)
    (tmp_path / RWLOCK).write_text(json.dumps({"read": {}, "write": holders}))
    assert not clear_stale_rwlock(tmp_path) and (tmp_path / RWLOCK).exists()
    assert capsys.readouterr().err == ""
