"""A torchrun worker's death is told in a few lines, the project's first (``python -m tools.torchrun``).

Two stand-in workers (:mod:`tests.sleeping_stage`) run under torchrun's launcher. When rank 1 is killed, the
survivor's own line comes first, then one line naming rank 1, its signal and torchrun's report (in
``logs/torchrun.log``, not on the terminal); when the workers fail with a user error, the summary carries the
stage's line, read from torchrun's error file. At most 10 lines either way, exit code 1.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.stage_runner import stage_env

LAUNCH = [sys.executable, "-m", "tools.torchrun", "--standalone", "--nproc_per_node=2", "-m", "tests.sleeping_stage"]
MOST_LINES = 10


def _launch(folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*LAUNCH, *args], cwd=folder, env=stage_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_a_killed_worker_is_one_line_after_the_project_s(tmp_path):
    launcher = _launch(tmp_path, "slow", "60")
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(launcher.pid).children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)  # both workers past their imports
        workers = psutil.Process(launcher.pid).children()
        next(worker for worker in workers if worker.environ().get("RANK") == "1").kill()
        printed, _ = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
    lines = printed.strip().splitlines()
    assert launcher.returncode == 1 and 2 <= len(lines) <= MOST_LINES, printed
    assert lines[0] in ("interrupted by SIGTERM: no partial output kept",
                        "stopped: the process that started this stage ended; no partial output kept"), printed
    assert lines[-1].startswith("torchrun: rank 1 ended by SIGKILL; the other workers were stopped"), printed
    assert "Traceback" not in printed and "tests.sleeping_stage FAILED" in (tmp_path / "logs/torchrun.log").read_text()


def test_a_user_error_in_the_workers_is_carried_into_the_summary(tmp_path):
    result = subprocess.run([*LAUNCH, "bad", "-1"], cwd=tmp_path, env=stage_env(), capture_output=True, text=True,
                            timeout=120)
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 1 and len(lines) <= MOST_LINES, lines
    assert lines[0] == "error: seconds: got -1, expected 0 or more", lines
    assert lines[-1].startswith("torchrun: rank "), lines
    assert "exited 2: error: seconds: got -1, expected 0 or more; the other workers were stopped" in lines[-1]
