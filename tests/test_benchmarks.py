"""Benchmarks: the plain references compute what our trainers compute; the helpers' arithmetic and parsing;
every benchmark run as a user runs it (``python -m benchmarks.<name>``), on the tiny pipeline's data, checkpoints and
predictions, in seconds (the GPU check runs in ``tests/test_gpu_check.py``)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmarks import (
    average_precision_speed,
    detector_errors,
    detector_oracle,
    detector_postprocess,
    detector_throughput,
    keypoint_throughput,
    live_overhead,
    noop_repro,
    repro_stages,
    rerun_cost,
    seed_noise,
)
from benchmarks.average_precision_speed import coco_dataset, our_map, pycocotools_map, synthetic_detections
from benchmarks.noop_repro import timed_noop
from benchmarks.repro_stages import run_stages, table
from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_datasets
from locate.detection.config import DetectorConfig, LossWeights, MatchThresholds
from locate.detection.loss import detection_loss
from locate.detection.prediction import ground_truth
from locate.detection.recipes import RECIPES
from locate.detection.targets import anchor_targets
from locate.detection_eval.evaluation import coco_results
from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.regression_codec import RegressionCodec
from tests.conftest import copy_of
from tests.reference.detector_loss import batch_loss, match_image
from tests.reference.image_files import DetectionImages, KeypointImages
from tests.reference.keypoint_targets import gaussian_heatmaps, normalised_coordinates
from tests.stage_runner import REPO_ROOT, repo_params
from tools.tiny import command_env, tiny_params

WEIGHTS = LossWeights(objectness=1.0, classification=1.0, box=2.0, negatives_per_positive=3, smooth_l1_beta=1 / 9)
THRESHOLDS = MatchThresholds(0.5, 0.3)
MIN_VISIBILITY = 0.1
CONFIG = DetectorConfig([4, 8, 8, 16, 16], [[16, 24, 32], [48, 64, 96], [96, 128, 192]], 3, 224)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    generate_datasets(root, seed=5, num_train=8, num_val=6, workers=1)
    return root


def test_reference_detection_targets_and_loss_equal_ours(data_root):
    split = load_detection(data_root / "detection", "train")
    images = DetectionImages(data_root / "detection", "train")
    items = [images[index] for index in range(len(images))]
    assert torch.equal(torch.stack([image for image, _ in items]), split.images.float() / 255)
    anchors, _ = CONFIG.anchors()
    ours = anchor_targets(split.boxes, split.labels, split.visibility, anchors, THRESHOLDS, MIN_VISIBILITY)
    for index, (_, target) in enumerate(items):
        labels, offsets = match_image(anchors, target, THRESHOLDS, MIN_VISIBILITY)
        assert torch.equal(labels, ours.labels[index].long())
        assert torch.allclose(offsets, ours.offsets[index])
    outputs = torch.randn(len(items), len(anchors), 8, generator=torch.Generator().manual_seed(0))
    expected = detection_loss(outputs, ours.labels, ours.offsets, WEIGHTS)
    reference = batch_loss(outputs, [target for _, target in items], anchors, THRESHOLDS, MIN_VISIBILITY, WEIGHTS)
    for part, value in expected.items():
        assert torch.allclose(reference[part], value, rtol=1e-5), part


def test_reference_keypoint_targets_equal_our_codecs(data_root):
    split = load_keypoints(data_root / "keypoints", "train")
    heatmaps = KeypointImages(data_root / "keypoints", "train", lambda k: gaussian_heatmaps(k, 128, 64, 2.0))
    assert torch.equal(torch.stack([heatmaps[i][0] for i in range(len(heatmaps))]), split.images.float() / 255)
    edges = torch.tensor([[[0.0, 127.0], [-3.0, 130.0], [64.2, 10.7], [127.0, 0.0], [5.0, 5.0]]])
    for keypoints in (split.keypoints, edges):
        reference = torch.stack([gaussian_heatmaps(k, 128, 64, 2.0) for k in keypoints])
        assert torch.allclose(reference, HeatmapCodec(128, 64, 2.0).encode(keypoints), atol=1e-6)
        reference = torch.stack([normalised_coordinates(k, 128) for k in keypoints])
        assert torch.equal(reference, RegressionCodec(128).encode(keypoints))


def test_average_precision_benchmark_agrees_with_pycocotools(data_root):
    split = load_detection(data_root / "detection", "val")
    truth, image_ids = ground_truth(split), split.image_ids.numpy()
    detections = synthetic_detections(truth, image_ids, 3)
    ours = our_map(truth, detections, 3)
    theirs = pycocotools_map(coco_dataset(truth, image_ids, 3), coco_results(detections))
    assert np.allclose(ours, theirs, atol=1e-12)
    assert 0 < ours[1] < ours[0] < 1


def test_run_stages_measures_each_and_stops_at_a_failure(capsys):
    commands = {
        "big": [sys.executable, "-c", "b = bytes(range(256)) * 400_000; print('done')"],
        "fails": [sys.executable, "-c", "raise SystemExit(3)"],
        "never": [sys.executable, "-c", "pass"],
    }
    records = run_stages(list(commands), commands.get, env={})
    assert [r["stage"] for r in records] == ["big", "fails"]
    assert records[0]["status"] == "ran" and records[0]["peak_rss_mib"] > 100
    assert records[1]["status"] == "failed" and records[1]["exit_code"] == 3
    assert "done" in capsys.readouterr().out
    assert table(records).splitlines()[-1].startswith("total")


def _fake_dvc(folder, output: str, code: int = 0) -> str:
    """An executable standing in for ``dvc`` that prints ``output`` and exits with ``code``."""
    script = folder / "dvc"
    script.write_text(f"#!/bin/sh\necho \"{output}\"\nexit {code}\n")
    script.chmod(0o755)
    return str(script)


def test_noop_repro_times_a_run_and_refuses_one_that_runs_a_stage(tmp_path):
    assert timed_noop(_fake_dvc(tmp_path, "Data and pipelines are up to date."), env={}) > 0
    with pytest.raises(SystemExit, match="not a no-op"):
        timed_noop(_fake_dvc(tmp_path, "Running stage 'generate':"), env={})
    with pytest.raises(SystemExit, match="exit 2"):
        timed_noop(_fake_dvc(tmp_path, "ERROR: bad", 2), env={})


def test_rerun_cost_names_the_stages_a_key_reruns(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    sigma = rerun_cost.rerun_cost(REPO_ROOT, "keypoints.sigma")
    assert sigma["stale"] == ["ablate_heatmap_size@size_128", "ablate_heatmap_size@size_32", "ablate_skips@skips_off",
                              "check_params", "report", "train_heatmap@heatmap", "train_heatmap@heatmap_symmetric"]
    assert set(sigma["rerun"]) == set(sigma["stale"]) | {"evaluate_keypoints"}
    assert rerun_cost.rerun_cost(REPO_ROOT, "runtime.threads") == {"stale": [], "rerun": [], "seconds": 0.0}
    evaluations = ["check_params", "evaluate_detector@course", "evaluate_detector@improved", "report"]
    assert rerun_cost.rerun_cost(REPO_ROOT, "detector_eval.postprocess.nms_iou")["rerun"] == evaluations


def _run(module, monkeypatch, *arguments: str):
    """``python -m benchmarks.<module> arguments`` in this process (the working directory as set)."""
    monkeypatch.setattr(sys, "argv", [module.__name__, *arguments])
    return module.main()


def _results(path: Path) -> dict:
    return json.loads(path.read_text())


def test_rerun_cost_benchmark_writes_the_cost_of_each_key(monkeypatch, tmp_path):
    monkeypatch.chdir(REPO_ROOT)
    _run(rerun_cost, monkeypatch, "keypoints.sigma", "runtime.device", "--out", str(tmp_path / "cost.json"))
    keys = _results(tmp_path / "cost.json")["keys"]
    assert keys["runtime.device"]["rerun"] == [] and "train_heatmap@heatmap" in keys["keypoints.sigma"]["stale"]


def test_throughput_benchmarks_time_every_trainer(tiny_baseline, monkeypatch, tmp_path):
    monkeypatch.chdir(tiny_baseline)
    monkeypatch.setattr(detector_throughput, "WARMUP", 0)  # 6 training images: 2 steps of 4, one interval
    monkeypatch.setattr(keypoint_throughput, "WARMUP", 0)
    monkeypatch.setattr(keypoint_throughput, "BATCH_SIZE", 2)
    _run(detector_throughput, monkeypatch, "--out", str(tmp_path / "detector.json"))
    detector = _results(tmp_path / "detector.json")
    assert detector["timed_steps"] >= 1 and detector["train_images_per_second"] > 0
    _run(keypoint_throughput, monkeypatch, "--out", str(tmp_path / "keypoints.json"))
    models = _results(tmp_path / "keypoints.json")["models"]
    assert {"heatmap", "regression"} <= set(models) and any(name.startswith("ablation_") for name in models)
    assert all(model["train_images_per_second"] > 0 for model in models.values())


def test_detector_benchmarks_score_the_tiny_checkpoints_and_predictions(tiny_baseline, monkeypatch, tmp_path):
    monkeypatch.chdir(tiny_baseline)
    _run(average_precision_speed, monkeypatch, "--repeats", "1", "--out", str(tmp_path / "ap.json"))
    speed = _results(tmp_path / "ap.json")
    assert speed["detections"] == "predictions/detector_val.json" and speed["largest_difference"] < 1e-9
    _run(detector_postprocess, monkeypatch, "--out", str(tmp_path / "postprocess.json"))
    recipes = _results(tmp_path / "postprocess.json")["recipes"]
    assert set(recipes) == set(RECIPES) and set(recipes["course"]) == {"params", *detector_postprocess.VARIANTS}
    _run(detector_errors, monkeypatch, "--out", str(tmp_path / "errors.json"))
    assert set(_results(tmp_path / "errors.json")) == set(RECIPES)
    _run(detector_oracle, monkeypatch, "--project", str(tiny_baseline), "--label", "tiny",
         "--out", str(tmp_path / "oracle.json"))
    oracle = _results(tmp_path / "oracle.json")["tiny"]
    assert all(abs(figures["pipeline"]["map50"] - figures["pycocotools"]["map50"]) < 1e-6
               for figures in oracle.values())


def test_live_overhead_replays_the_recorded_history(tiny_baseline, monkeypatch, tmp_path):
    monkeypatch.chdir(tiny_baseline)
    _run(live_overhead, monkeypatch, "--runs", "1", "--out", str(tmp_path / "live.json"))
    live = _results(tmp_path / "live.json")
    assert live["epochs"] == 1 and live["median_ms_per_epoch"] > 0 and live["share_of_epoch"] > 0


def test_repro_timings_on_an_up_to_date_project(tiny_baseline, monkeypatch, tmp_path):
    monkeypatch.chdir(copy_of(tiny_baseline, tmp_path / "project"))
    monkeypatch.setenv("PATH", command_env()["PATH"])
    _run(noop_repro, monkeypatch, "--runs", "1", "--out", str(tmp_path / "noop.json"))
    assert _results(tmp_path / "noop.json")["median_seconds"] > 0
    _run(repro_stages, monkeypatch, "generate", "--out", str(tmp_path / "stages.json"))
    assert [(r["stage"], r["status"]) for r in _results(tmp_path / "stages.json")["stages"]] == [
        ("generate", "unchanged")]


def _tiny_overrides() -> list[str]:
    """``section.key=value`` for each param that :func:`tools.tiny.tiny_params` changes."""
    default = repo_params()
    tiny = tiny_params(repo_params())
    return [f"{section}.{key}={json.dumps(value)}" for section, values in tiny.items() if isinstance(values, dict)
            for key, value in values.items() if default[section].get(key) != value]


def test_seed_noise_adds_a_retrained_seed_to_the_draws_there(monkeypatch, tmp_path):
    out = tmp_path / "noise.json"
    earlier = {"course_detector": {"6": {"runtime": {}, "seconds": 1.0}}}
    out.write_text(json.dumps({"runs": earlier, "numbers": {"detector/course.json:map50": {"values": {"6": 0.5}}}}))
    arguments = ["--part", "course_detector", "--seeds", "7", "--out", str(out)]
    assert _run(seed_noise, monkeypatch, *arguments, *(f"--set={item}" for item in _tiny_overrides())) == 0
    noise = _results(out)
    assert set(noise["runs"]["course_detector"]) == {"6", "7"} and noise["runs"]["course_detector"]["7"]["seconds"] > 0
    assert set(noise["numbers"]["detector/course.json:map50"]["values"]) == {"6", "7"}
