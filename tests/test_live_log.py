"""The live log: every finished epoch in ``live/<stage>`` as it ends, once each across an interruption.

A tiny regression training (3 epochs on 32 images) is paused as soon as its live log holds a row and
read while it is still running; then killed (SIGKILL, nothing unwound) and rerun, after which every
epoch is in the log exactly once and equals the history CSV the stage wrote.
"""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from locate.errors import UserError
from locate.live_log import LiveLog, metric_name
from tests.stage_runner import run_stage, short_keypoint_training, stage_env

METHOD = "regression"
LIVE = Path(f"live/train_keypoints_{METHOD}")
TRAIN_LOSS = LIVE / "plots/metrics/train/total.tsv"


def _steps(path: Path) -> list[int]:
    if not path.is_file():
        return []
    with path.open() as table:
        return [int(row["step"]) for row in csv.DictReader(table, delimiter="\t")]


def test_history_columns_become_metric_names():
    assert [metric_name(c) for c in ("train_total", "val_pck_symmetric_05", "val_map50", "lr")] == [
        "train/total", "val/pck_symmetric_05", "val/map50", "lr"]


def test_a_new_log_holds_the_finished_epochs_once(tmp_path):
    rows = [{"epoch": epoch, "train_total": 1.0 / epoch, "val_total": 2.0 / epoch, "lr": 0.001} for epoch in (1, 2, 3)]
    LiveLog(tmp_path / "live", rows[:2]).log(rows[2])
    LiveLog(tmp_path / "live", rows[:2])  # resumed after epoch 2: epoch 3 was not saved, so it goes
    assert _steps(tmp_path / "live/plots/metrics/val/total.tsv") == [1, 2]


def test_a_log_folder_deleted_mid_run_is_written_again_with_every_epoch(tmp_path):
    import shutil

    rows = [{"epoch": epoch, "train_total": 1.0 / epoch, "val_total": 2.0 / epoch, "lr": 0.001} for epoch in (1, 2, 3)]
    log = LiveLog(tmp_path / "live", rows[:1])
    log.log(rows[1])
    shutil.rmtree(tmp_path / "live")
    log.log(rows[2])
    assert _steps(tmp_path / "live/plots/metrics/val/total.tsv") == [1, 2, 3]
    assert _steps(tmp_path / "live/plots/metrics/train/total.tsv") == [1, 2, 3]


def test_it_logs_in_a_git_repository_without_commits(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    LiveLog(Path("live/stage"), [{"epoch": 1, "train_total": 1.0}])
    assert _steps(Path("live/stage/plots/metrics/train/total.tsv")) == [1]


def test_a_folder_blocked_by_a_file_is_named(tmp_path):
    (tmp_path / "live").write_text("not a folder")
    with pytest.raises(UserError, match=f"^{tmp_path / 'live' / 'stage'}: cannot write the live log"):
        LiveLog(tmp_path / "live" / "stage", [{"epoch": 1, "train_total": 1.0}])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(UserError, match=f"^{tmp_path / 'live'}: cannot write the live log"):
            LiveLog(tmp_path / "live", [{"epoch": 1, "train_total": 1.0}])
    finally:
        tmp_path.chmod(0o700)


def test_the_live_log_shows_each_finished_epoch_while_training_and_once_after_a_resume(tmp_path):
    folder = short_keypoint_training(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "stages.train_keypoints", METHOD], cwd=folder, env=stage_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not _steps(folder / TRAIN_LOSS) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGSTOP)
    seen = _steps(folder / TRAIN_LOSS)
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert running and seen == list(range(1, len(seen) + 1)) and len(seen) < 3, seen
    assert not (folder / f"plots/keypoints/{METHOD}_history.csv").exists()

    resumed = run_stage(folder, "train_keypoints", METHOD)
    assert resumed.returncode == 0, resumed.stderr
    with (folder / f"plots/keypoints/{METHOD}_history.csv").open() as table:
        history = list(csv.DictReader(table))
    for column in ("train_total", "val_total", "val_pck_05", "val_pck_symmetric_20", "lr"):
        path = folder / LIVE / "plots/metrics" / f"{metric_name(column)}.tsv"
        with path.open() as table:
            name = metric_name(column).split("/")[-1]  # the value's column in DVCLive's table
            logged = [(row["step"], float(row[name])) for row in csv.DictReader(table, delimiter="\t")]
        assert logged == [(row["epoch"], float(row[column])) for row in history], column
