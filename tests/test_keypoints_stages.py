"""The keypoint stages on tiny data: every declared output written and well-formed; bad input exits 2."""

import csv
import json
import sys

import pytest
import torch

from locate.data.generate import generate_datasets
from locate.errors import UserError
from stages import ablate_keypoints, evaluate_keypoints, train_keypoints
from tests.stage_runner import repo_params, run_stage, write_params

METHODS = tuple(repo_params()["keypoints"]["methods"])
VARIANTS = {"skips_off": {"skips": False}}
NUM_VAL = 4


def _params() -> dict:
    params = repo_params()
    params["keypoints"] |= {"batch_size": 4, "epochs": 1, "drawn_images": 2, "failure_images": 2}
    params["ablations"] = VARIANTS
    params["runtime"] = {"device": "cpu", "precision": "fp32", "threads": 1}
    return params


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """A folder where the three keypoint stages ran on 6 train / 4 val images."""
    folder = tmp_path_factory.mktemp("keypoints")
    generate_datasets(folder / "data", 3, 6, NUM_VAL, workers=1)
    write_params(folder, _params())
    runs = [run_stage(folder, "train_keypoints", method) for method in METHODS]
    runs += [run_stage(folder, "ablate_keypoints", variant) for variant in VARIANTS]
    runs.append(run_stage(folder, "evaluate_keypoints"))
    for result in runs:
        assert result.returncode == 0, result.stderr
    return folder


def test_training_stages_write_checkpoint_history_and_speed(pipeline):
    names = [*METHODS, *(f"ablation_{variant}" for variant in VARIANTS)]
    speeds = [f"train_keypoints_{m}" for m in METHODS] + [f"ablate_keypoints_{v}" for v in VARIANTS]
    for name, speed in zip(names, speeds, strict=True):
        checkpoint = torch.load(pipeline / "models/keypoints" / f"{name}.pt", weights_only=True)
        assert {"model", "config", "epoch", "val_loss"} <= set(checkpoint)
        with open(pipeline / "plots/keypoints" / f"{name}_history.csv") as file:
            rows = list(csv.DictReader(file))
        assert len(rows) == 1 and {"epoch", "train_total", "val_total"} <= set(rows[0])
        timing = json.loads((pipeline / "metrics/speed" / f"{speed}.json").read_text())
        assert timing["train_seconds"] > 0 and timing["runtime"]["device"] == "cpu"
    config = torch.load(pipeline / "models/keypoints/ablation_skips_off.pt", weights_only=True)["config"]
    assert config["heatmap_size"] == 64 and config["sigma"] == 2.0 and config["skips"] is False


def test_evaluation_writes_metrics_predictions_plots(pipeline):
    metrics = json.loads((pipeline / "metrics/keypoints.json").read_text())
    thresholds = {"pck_05", "pck_10", "pck_15", "pck_20"}
    entries = [metrics[m] for m in METHODS] + [metrics["ablations"][v] for v in VARIANTS]
    for entry in entries:
        assert set(entry["pck"]) == thresholds and set(entry["pck_symmetric"]) == thresholds
        assert all(entry["pck_symmetric"][t] >= entry["pck"][t] for t in thresholds)
        assert set(entry["pck_per_keypoint"]) == {"head", "left_hand", "right_hand", "left_foot", "right_foot"}
        assert entry["params"] > 0
    assert metrics["ablations"]["skips_off"]["params"] < metrics["heatmap"]["params"]
    assert set(metrics["ceiling"]) == {"random_assignment", "best_possible"}
    assert all(set(ceiling) == thresholds for ceiling in metrics["ceiling"].values())
    assert sum(metrics["failure_cases"].values()) <= NUM_VAL
    speed = json.loads((pipeline / "metrics/speed/evaluate_keypoints.json").read_text())
    assert set(speed["latency_ms_per_image"]) >= set(METHODS)
    for name in [*METHODS, *(f"ablation_{variant}" for variant in VARIANTS)]:
        entries = json.loads((pipeline / "predictions" / f"keypoints_val_{name}.json").read_text())
        assert len(entries) == NUM_VAL and set(entries[0]) == {"image_id", "keypoints"}
        assert len(entries[0]["keypoints"]) == 5 and len(entries[0]["keypoints"][0]) == 2
    with open(pipeline / "plots/keypoints/pck.csv") as file:
        rows = list(csv.DictReader(file))
    assert [float(row["threshold"]) for row in rows] == [0.05, 0.1, 0.15, 0.2]
    expected = {"threshold", "random_assignment", "best_possible", *(f"course_{m}" for m in METHODS)}
    expected |= {f"symmetric_{m}" for m in METHODS}
    assert set(rows[0]) == expected
    assert (pipeline / "plots/keypoints/images/predictions.png").stat().st_size > 0


def test_unknown_method_exits_2_with_one_line(pipeline):
    result = run_stage(pipeline, "train_keypoints", "pose_magic")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "params key 'keypoints.methods.pose_magic': not defined" in result.stderr


def _fails(stage, folder, monkeypatch, *args) -> str:
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", [stage.__name__, *args])
    with pytest.raises(UserError) as error:
        stage.main()
    return str(error.value)


def test_bad_variant_and_missing_or_corrupt_input_are_user_errors(tmp_path, monkeypatch):
    params = _params()
    params["ablations"] = {"huge": {"heatmap_size": 48}, "odd": {"colour": 1}}
    write_params(tmp_path, params)
    assert "params key 'ablations.sigma_9': not defined" in _fails(ablate_keypoints, tmp_path, monkeypatch, "sigma_9")
    assert "params key 'ablations.huge.heatmap_size': got 48" in _fails(ablate_keypoints, tmp_path, monkeypatch, "huge")
    assert "params key 'ablations.odd.colour': unknown key" in _fails(ablate_keypoints, tmp_path, monkeypatch, "odd")
    assert "usage: python -m stages.train_keypoints" in _fails(train_keypoints, tmp_path, monkeypatch)
    assert "data/keypoints/val.json: file not found" in _fails(evaluate_keypoints, tmp_path, monkeypatch)
    generate_datasets(tmp_path / "data", 3, 2, 2, workers=1)
    assert "models/keypoints/heatmap.pt: checkpoint not found" in _fails(evaluate_keypoints, tmp_path, monkeypatch)
    (tmp_path / "models/keypoints").mkdir(parents=True)
    (tmp_path / "models/keypoints/heatmap.pt").write_bytes(b"not a checkpoint")
    message = _fails(evaluate_keypoints, tmp_path, monkeypatch)
    assert "models/keypoints/heatmap.pt: not a readable checkpoint" in message
