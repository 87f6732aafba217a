"""SIGTERM in the middle of a training stage: no partial output, and the rerun resumes exactly.

The regression trainer runs 3 epochs on 32 images: once straight through, and once
terminated (SIGTERM, as `kill`, a scheduler or torchrun send it) as soon as epoch 1 is
saved; then rerun. The terminated run must exit 143 with one line, leave none of its
declared outputs and no temporary files; the rerun must end with the same history and
the same weights as the uninterrupted run.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.stage_runner import run_stage, short_keypoint_training, stage_env

METHOD = "regression"
OUTPUTS = (f"models/keypoints/{METHOD}.pt", f"plots/keypoints/{METHOD}_history.csv",
           f"metrics/speed/train_keypoints_{METHOD}.json")
STATE = Path(f".resume/models_keypoints_{METHOD}/state.pt")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    folder = short_keypoint_training(tmp_path_factory.mktemp("straight"))
    assert run_stage(folder, "train_keypoints", METHOD).returncode == 0
    return folder


def _terminate_after_first_epoch(folder: Path) -> subprocess.CompletedProcess:
    process = subprocess.Popen([sys.executable, "-m", "stages.train_keypoints", METHOD], cwd=folder, env=stage_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (folder / STATE).exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_sigterm_leaves_no_output_and_the_rerun_matches(tmp_path, uninterrupted):
    folder = short_keypoint_training(tmp_path)
    terminated = _terminate_after_first_epoch(folder)
    assert terminated.returncode == 143, terminated.stderr
    assert terminated.stderr.strip().splitlines()[-1] == "interrupted by SIGTERM: no partial output kept"
    assert [name for name in OUTPUTS if (folder / name).exists()] == []
    assert [str(p) for p in folder.rglob("*.tmp")] == []
    assert (folder / STATE).exists()

    resumed = run_stage(folder, "train_keypoints", METHOD)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{METHOD} epoch 1/3" not in resumed.stderr and f"{METHOD} epoch 2/3" in resumed.stderr, "epoch 1 was redone"
    history = f"plots/keypoints/{METHOD}_history.csv"
    assert (folder / history).read_text() == (uninterrupted / history).read_text()
    weights = torch.load(folder / OUTPUTS[0], weights_only=True)["model"]
    reference = torch.load(uninterrupted / OUTPUTS[0], weights_only=True)["model"]
    assert all(torch.equal(tensor, reference[name]) for name, tensor in weights.items())
    assert not (folder / STATE).exists()
