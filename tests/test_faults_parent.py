"""A training stage whose parent (``dvc``) ends stops at the next step: resume state kept, no output written.

A stand-in parent starts the regression training stage and exits as soon as epoch 1 is
saved, as ``dvc`` does on SIGTERM or SIGKILL. The orphaned stage must stop by itself with one
line, keep the saved epoch in ``.resume/`` and write none of its outputs.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from locate.data.generate import generate_datasets
from tests.stage_runner import repo_params, stage_env, write_params

METHOD = "regression"
OUTPUTS = (f"models/keypoints/{METHOD}.pt", f"plots/keypoints/{METHOD}_history.csv",
           f"metrics/speed/train_keypoints_{METHOD}.json")
STATE = Path(f".resume/models_keypoints_{METHOD}/state.pt")
PARENT = f"""
import os, subprocess, sys, time
stage = subprocess.Popen([sys.executable, "-m", "stages.train_keypoints", "{METHOD}"],
                         stderr=open("stage.log", "w"), stdout=subprocess.DEVNULL)
print(stage.pid, flush=True)
deadline = time.monotonic() + 300
while not os.path.exists("{STATE}") and stage.poll() is None and time.monotonic() < deadline:
    time.sleep(0.01)
os._exit(0)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_orphaned_stage_stops_and_keeps_its_resume_state(tmp_path):
    generate_datasets(tmp_path / "data", 5, 32, 8, workers=1)
    params = repo_params()
    params["keypoints"]["schedule"] |= {"batch_size": 8, "epochs": 200}
    params["runtime"] = {"device": "cpu", "precision": "fp32", "threads": 1}
    write_params(tmp_path, params)
    parent = subprocess.run([sys.executable, "-c", PARENT], cwd=tmp_path, env=stage_env(), capture_output=True,
                            text=True, timeout=300)
    pid = int(parent.stdout)
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    log = (tmp_path / "stage.log").read_text()
    assert log.strip().splitlines()[-1].startswith("stopped: the process that started this stage ended"), log
    assert (tmp_path / STATE).exists()
    assert [name for name in OUTPUTS if (tmp_path / name).exists()] == []
    assert [str(p) for p in tmp_path.rglob("*.tmp")] == []
