"""The train_detector and evaluate_detector stages on tiny data: every declared output, and user errors."""

import contextlib
import csv
import io
import json

import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from locate.data.config import TEST_ROOT
from locate.data.generate import generate_datasets, generate_test_sets
from locate.records.detector import DetectorDetails, DetectorMetrics
from locate.records.reading import read_record
from locate.records.speed import EvaluationSpeed, TrainingSpeed
from locate.runtime import Runtime
from tests.stage_runner import repo_params, run_stage, write_params
from tools.tiny import tiny_channels

CLASSES = ["circle", "square", "triangle"]
AREAS = ["small", "medium", "large"]
ANCHOR_SIZES = repo_params()["detector"]["anchor_sizes"]
SCALES = [f"scale{index + 1}" for index in range(len(ANCHOR_SIZES))]


def tiny_params(**postprocess) -> dict:
    params = repo_params()
    params["detector"] |= {"channels": tiny_channels(params["detector"]), "epochs": 1, "batch_size": 4}
    params["detector_eval"] |= {"batch_size": 2, "latency_images": 2}
    params["detector_eval"]["postprocess"] |= postprocess
    return params


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A folder with tiny data, tiny params and the outputs of both stages."""
    folder = tmp_path_factory.mktemp("detector")
    generate_datasets(folder / "data", seed=5, num_train=6, num_val=3, workers=1)
    generate_test_sets(folder / TEST_ROOT, seed=6, num_images=2, workers=1)
    write_params(folder, tiny_params())
    train = run_stage(folder, "train_detector")
    assert train.returncode == 0, train.stderr
    (folder / "train_detector.stdout").write_text(train.stdout)
    evaluation = run_stage(folder, "evaluate_detector")
    assert evaluation.returncode == 0, evaluation.stderr
    return folder


def test_train_writes_checkpoint_history_and_speed(trained):
    checkpoint = torch.load(trained / "models" / "detector.pt", weights_only=True)
    assert checkpoint["config"]["channels"] == tiny_channels(repo_params()["detector"]) and checkpoint["epoch"] == 1
    with open(trained / "plots" / "detector" / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    for split in ("train", "val"):
        for part in ("total", "obj", "cls", "box"):
            assert float(rows[0][f"{split}_{part}"]) >= 0
    speed = read_record(trained / "metrics" / "speed" / "train_detector.json", TrainingSpeed)
    assert speed.train_seconds > 0 and speed.train_images_per_second > 0 and speed.runtime.device == "cpu"


def test_the_first_line_says_where_the_stage_runs_as_its_speed_record_does(trained):
    first = (trained / "train_detector.stdout").read_text().splitlines()[0]
    runtime = read_record(trained / "metrics" / "speed" / "train_detector.json", TrainingSpeed).runtime
    assert first == Runtime(torch.device(runtime.device), runtime.precision, runtime.threads).where()
    assert first.startswith("runs on cpu (") and f"precision {runtime.precision}, " in first


def test_evaluate_writes_metrics_with_the_issue_keys(trained):
    metrics = read_record(trained / "metrics" / "detector" / "course.json", DetectorMetrics)
    assert list(metrics.ap50) == CLASSES and list(metrics.ap50_area) == AREAS
    details = read_record(trained / "plots" / "detector" / "details.json", DetectorDetails)
    assert list(details.levels) == SCALES
    geometry = [(level.stride, level.feature_size, level.anchor_sizes) for level in details.levels.values()]
    strides = [4 * 2**index for index in range(len(ANCHOR_SIZES))]  # the stem halves once, each scale once more
    assert geometry == [(stride, 224 // stride, sizes) for stride, sizes in zip(strides, ANCHOR_SIZES, strict=True)]
    for level in details.levels.values():
        assert list(level.true_positives) == CLASSES and list(level.anchor_coverage) == CLASSES
    assert 0 <= metrics.map50 <= 1 and 0 < details.recall_ceiling <= 1
    assert metrics.epoch == details.checkpoint.epoch == 1 and metrics.parameters > 0
    speed = read_record(trained / "metrics" / "speed" / "evaluate_detector.json", EvaluationSpeed)
    assert speed.latency_ms_per_image["detector"] > 0 and speed.eval_seconds > 0 and speed.runtime.threads >= 1


def test_evaluate_writes_plots_images_and_coco_predictions(trained):
    with open(trained / "plots" / "detector" / "pr_curves.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["recall", "circle", "square", "triangle"] and len(rows) == 101
    assert [float(row["recall"]) for row in rows[:3]] == [0.0, 0.01, 0.02]
    with open(trained / "plots" / "detector" / "scales.csv") as handle:
        scales = list(csv.DictReader(handle))
    assert [row["scale"] for row in scales] == SCALES and list(scales[0]) == ["scale", *CLASSES]
    assert len(list((trained / "plots" / "detector" / "images").glob("*.png"))) == 3
    predictions = json.loads((trained / "predictions" / "detector_val.json").read_text())
    assert predictions, "an untrained detector still scores above 0.05"
    assert set(predictions[0]) == {"image_id", "category_id", "bbox", "score"} and len(predictions[0]["bbox"]) == 4
    assert {p["image_id"] for p in predictions} <= {6, 7, 8}


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("detector", "lr", -1.0, "params key 'detector.lr': got -1.0, expected a number > 0"),
        ("detector", "lr_schedule", "step", "params key 'detector.lr_schedule'"),
        ("detector", "channels", [4, 4], "params key 'detector.channels'"),
        ("detector", "epochs", 10**12, "params key 'detector.epochs': got 1000000000000, expected an integer from 1"),
    ],
)
def test_bad_train_params_end_with_one_line(tmp_path, section, key, value, message):
    params = tiny_params()
    params[section][key] = value
    write_params(tmp_path, params)
    result = run_stage(tmp_path, "train_detector")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr


def test_evaluate_user_errors(tmp_path):
    params = tiny_params(nms_iou=1.5)
    write_params(tmp_path, params)
    result = run_stage(tmp_path, "evaluate_detector")
    assert result.returncode == 2 and "params key 'detector_eval.postprocess.nms_iou'" in result.stderr
    write_params(tmp_path, tiny_params())
    result = run_stage(tmp_path, "evaluate_detector")
    assert result.returncode == 2 and "models/detector.pt: checkpoint not found" in result.stderr
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "detector.pt").write_bytes(b"not a checkpoint")
    result = run_stage(tmp_path, "evaluate_detector")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "models/detector.pt" in result.stderr


def test_predictions_file_scores_the_same_map50_with_pycocotools(trained):
    metrics = read_record(trained / "metrics" / "detector" / "course.json", DetectorMetrics)
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO(str(trained / "data" / "detection" / "val.json"))
        evaluator = COCOeval(truth, truth.loadRes(str(trained / "predictions" / "detector_val.json")), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    precision = evaluator.eval["precision"][0, :, :, 0, 2]
    assert metrics.map50 == pytest.approx(precision[precision > -1].mean(), abs=1e-6)
