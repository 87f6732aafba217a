"""Benchmarks: the plain references compute what our trainers compute; the helpers' arithmetic and parsing."""

import sys

import numpy as np
import pytest
import torch

from benchmarks.average_precision_speed import coco_dataset, our_map, pycocotools_map, synthetic_detections
from benchmarks.noop_repro import timed_noop
from benchmarks.reference.detector_loss import batch_loss, match_image
from benchmarks.reference.image_files import DetectionImages, KeypointImages
from benchmarks.reference.keypoint_targets import gaussian_heatmaps, normalised_coordinates
from benchmarks.repro_stages import run_stages, table
from benchmarks.rerun_cost import rerun_cost
from benchmarks.scaling import growth_exponent, growth_verdict, memory_verdict
from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_datasets
from locate.detection.config import DetectorConfig, LossWeights, MatchThresholds
from locate.detection.evaluation import coco_results, ground_truth
from locate.detection.loss import detection_loss
from locate.detection.targets import anchor_targets
from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.regression_codec import RegressionCodec
from tests.stage_runner import REPO_ROOT

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


def test_growth_and_memory_verdicts():
    assert growth_exponent([250, 500, 1000], [10.0, 20.0, 40.0]) == pytest.approx(1.0)
    assert growth_exponent([250, 500, 1000], [1.0, 4.0, 16.0]) == pytest.approx(2.0)
    assert growth_exponent([250], [1.0]) is None
    assert [growth_verdict(k) for k in (1.0, 1.3, 0.5, None)] == [
        "linear", "superlinear", "sublinear (fixed costs dominate)", "n/a"]
    assert memory_verdict([1000.0, 1080.0, 1090.0, 1090.0, 1100.0, 1110.0]) == "flat"
    assert memory_verdict([1000.0, 1000.0, 1000.0, 1000.0, 1050.0, 1100.0]) == "grows"
    assert memory_verdict([1000.0, 1100.0, 1200.0]) == "n/a"


def test_rerun_cost_names_the_stages_a_key_reruns(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    sigma = rerun_cost(REPO_ROOT, "keypoints.sigma")
    assert sigma["stale"] == ["ablate_heatmap_size@size_128", "ablate_heatmap_size@size_32", "ablate_skips@skips_off",
                              "check_params", "report", "train_heatmap@heatmap", "train_heatmap@heatmap_symmetric"]
    assert set(sigma["rerun"]) == set(sigma["stale"]) | {"evaluate_keypoints"}
    assert rerun_cost(REPO_ROOT, "runtime.threads") == {"stale": [], "rerun": [], "seconds": 0.0}
    evaluations = ["check_params", "evaluate_detector", "evaluate_detector_improved", "report"]
    assert rerun_cost(REPO_ROOT, "detector_eval.nms_iou")["rerun"] == evaluations
