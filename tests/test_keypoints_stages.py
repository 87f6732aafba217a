"""The keypoint stages on tiny data: every declared output written and well-formed; bad input exits 2."""

import csv
import json
import sys

import pytest
import torch

from locate.data.config import TEST_ROOT
from locate.data.generate import generate_datasets, generate_test_sets
from locate.errors import UserError
from locate.records.keypoints import KeypointFiles
from locate.records.reading import read_record
from locate.records.speed import EvaluationSpeed, TrainingSpeed
from stages import evaluate_keypoints, train_keypoints
from tests.stage_runner import repo_params, run_stage, write_params

METHODS = tuple(name for group in repo_params()["keypoints"]["methods"].values() for name in group)
VARIANTS = {"heatmap_size": {}, "sigma": {}, "skips": {"skips_off": False}}
NUM_VAL = 4


def _params() -> dict:
    params = repo_params()
    params["keypoints"]["schedule"] |= {"batch_size": 4, "epochs": 1}
    params["keypoints_eval"]["drawing"] = {"images": 2, "failure_images": 2}
    params["ablations"] = VARIANTS
    params["runtime"] = {"device": "cpu", "precision": "fp32", "threads": 1}
    return params


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """A folder where the three keypoint stages ran on 6 train / 4 val images."""
    folder = tmp_path_factory.mktemp("keypoints")
    generate_datasets(folder / "data", 3, 6, NUM_VAL, workers=1)
    generate_test_sets(folder / TEST_ROOT, 4, 3, workers=1)
    write_params(folder, _params())
    runs = [run_stage(folder, "train_keypoints", method) for method in METHODS]
    runs.append(run_stage(folder, "train_keypoints", "ablation", "skips_off"))
    runs.append(run_stage(folder, "evaluate_keypoints"))
    for result in runs:
        assert result.returncode == 0, result.stderr
    return folder


def test_training_stages_write_checkpoint_history_and_speed(pipeline):
    names = [*METHODS, "ablation_skips_off"]
    speeds = [f"train_keypoints_{m}" for m in METHODS] + ["ablate_keypoints_skips_off"]
    for name, speed in zip(names, speeds, strict=True):
        checkpoint = torch.load(pipeline / "models/keypoints" / f"{name}.pt", weights_only=True)
        assert {"model", "config", "epoch", "val_loss"} <= set(checkpoint)
        with open(pipeline / "plots/keypoints" / f"{name}_history.csv") as file:
            rows = list(csv.DictReader(file))
        assert len(rows) == 1 and {"epoch", "train_total", "val_total"} <= set(rows[0])
        timing = read_record(pipeline / "metrics/speed" / f"{speed}.json", TrainingSpeed)
        assert timing.train_seconds > 0 and timing.runtime.device == "cpu"
    config = torch.load(pipeline / "models/keypoints/ablation_skips_off.pt", weights_only=True)["config"]
    assert config["heatmap_size"] == 64 and config["sigma"] == 2.0 and config["skips"] is False
    config = torch.load(pipeline / "models/keypoints/regression.pt", weights_only=True)["config"]
    assert config["heatmap_size"] is None and config["sigma"] is None and config["skips"] is None


def test_evaluation_writes_metrics_predictions_plots(pipeline):
    metrics = KeypointFiles(pipeline / "metrics").read(list(METHODS), ["skips_off"])
    thresholds = {"pck_05", "pck_10", "pck_15", "pck_20"}
    assert list(metrics.methods) == list(METHODS) and list(metrics.ablations) == ["skips_off"]
    for entry in [*metrics.methods.values(), *metrics.ablations.values()]:
        assert set(entry.pck) == thresholds and set(entry.pck_symmetric) == thresholds
        assert all(entry.pck_symmetric[t] >= entry.pck[t] for t in thresholds)
        assert entry.parameters > 0
    for entry in metrics.per_keypoint.values():
        assert set(entry.course) == set(entry.symmetric) == {"head", "left_hand", "right_hand", "left_foot",
                                                              "right_foot"}
    assert metrics.ablations["skips_off"].parameters < metrics.methods["heatmap"].parameters
    assert all(set(ceiling.pck) == thresholds for ceiling in metrics.ceilings.values())
    evaluation = metrics.evaluation
    assert sum(evaluation.failure_cases.values()) <= NUM_VAL and evaluation.decoding.images == NUM_VAL
    speed = read_record(pipeline / "metrics/speed/evaluate_keypoints.json", EvaluationSpeed)
    assert set(speed.latency_ms_per_image) == {*METHODS, "ablation_skips_off"} and speed.val_images == NUM_VAL
    for name in [*METHODS, "ablation_skips_off"]:
        entries = json.loads((pipeline / "predictions/keypoints" / f"{name}.json").read_text())
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
    assert "params key 'keypoints.methods': no method 'pose_magic'; known: heatmap," in result.stderr


def _fails(stage, folder, monkeypatch, *args) -> str:
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", [stage.__name__, *args])
    with pytest.raises(UserError) as error:
        stage.main()
    return str(error.value)


def test_bad_variant_and_missing_or_corrupt_input_are_user_errors(tmp_path, monkeypatch):
    params = _params()
    write_params(tmp_path, params)
    ablation = ("ablation", "sigma_9")
    assert "params key 'ablations': no variant 'sigma_9'" in _fails(train_keypoints, tmp_path, monkeypatch, *ablation)
    params["ablations"] = {"heatmap_size": {"huge": 48}, "sigma": {}, "skips": {}}
    write_params(tmp_path, params)
    huge = ("ablation", "huge")
    assert "params key 'ablations.heatmap_size.huge': got 48" in _fails(train_keypoints, tmp_path, monkeypatch, *huge)
    params["ablations"]["colour"] = {"odd": 1}
    write_params(tmp_path, params)
    assert "params key 'ablations.colour': unknown key" in _fails(train_keypoints, tmp_path, monkeypatch, *ablation)
    params["ablations"] = {"heatmap_size": {"twin": 32}, "sigma": {"twin": 3.0}, "skips": {}}
    write_params(tmp_path, params)
    assert "params key 'ablations.sigma.twin': got 'twin'" in _fails(train_keypoints, tmp_path, monkeypatch, *ablation)
    params["ablations"] = VARIANTS
    write_params(tmp_path, params)
    assert "usage: python -m stages.train_keypoints" in _fails(train_keypoints, tmp_path, monkeypatch)
    assert "usage: python -m stages.train_keypoints" in _fails(train_keypoints, tmp_path, monkeypatch, "ablation")
    assert "data/keypoints/val.json: file not found" in _fails(evaluate_keypoints, tmp_path, monkeypatch)
    generate_datasets(tmp_path / "data", 3, 2, 2, workers=1)
    assert "models/keypoints/heatmap.pt: checkpoint not found" in _fails(evaluate_keypoints, tmp_path, monkeypatch)
    (tmp_path / "models/keypoints").mkdir(parents=True)
    (tmp_path / "models/keypoints/heatmap.pt").write_bytes(b"not a checkpoint")
    message = _fails(evaluate_keypoints, tmp_path, monkeypatch)
    assert "models/keypoints/heatmap.pt: not a readable checkpoint" in message
