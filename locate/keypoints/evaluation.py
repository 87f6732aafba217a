"""Scores of keypoint predictions against the truth, ready for ``metrics/keypoints.json``.

Predictions and truth are ``Tensor[N, K, 2]`` (x, y) pixels; every fraction is rounded to
six decimals.
"""

import statistics
import time

import torch

from locate.images import images_to_input
from locate.keypoints.method import Codec
from locate.keypoints.pck import (
    THRESHOLDS,
    all_correct,
    best_possible_ceiling,
    pck,
    pck_per_keypoint,
    random_assignment_ceiling,
    threshold_key,
)
from locate.runtime import Runtime

DIGITS = 6
FAILURE_THRESHOLD = 0.05
LATENCY_WARMUP = 5
LATENCY_RUNS = 30


def _rounded(scores: dict) -> dict:
    return {key: round(value, DIGITS) for key, value in scores.items()}


def method_scores(prediction: torch.Tensor, truth: torch.Tensor, names: list[str]) -> dict:
    """Course PCK, symmetric PCK (hands as an unordered pair) and per-keypoint PCK@0.2 of both."""
    return {
        "pck": _rounded(pck(prediction, truth)),
        "pck_symmetric": _rounded(pck(prediction, truth, symmetric=True)),
        "pck_per_keypoint": _rounded(pck_per_keypoint(prediction, truth, names)),
        "pck_per_keypoint_symmetric": _rounded(pck_per_keypoint(prediction, truth, names, symmetric=True)),
    }


def ceilings(truth: torch.Tensor) -> dict:
    """``{"random_assignment": {...}, "best_possible": {...}}`` course-PCK ceilings of the truth."""
    return {
        "random_assignment": _rounded(random_assignment_ceiling(truth)),
        "best_possible": _rounded(best_possible_ceiling(truth)),
    }


def failure_groups(heatmap: torch.Tensor, regression: torch.Tensor, truth: torch.Tensor) -> dict[str, torch.Tensor]:
    """Image indices ``Tensor[M]`` of each group; "right" = all keypoints symmetric-correct at PCK@0.05."""
    heatmap_right = all_correct(heatmap, truth, FAILURE_THRESHOLD)
    regression_right = all_correct(regression, truth, FAILURE_THRESHOLD)
    return {
        "heatmap_right_regression_wrong": torch.nonzero(heatmap_right & ~regression_right).flatten(),
        "regression_right_heatmap_wrong": torch.nonzero(regression_right & ~heatmap_right).flatten(),
        "both_wrong": torch.nonzero(~heatmap_right & ~regression_right).flatten(),
    }


def pck_table(predictions: dict[str, torch.Tensor], truth: torch.Tensor) -> list[dict]:
    """Rows ``{threshold, course_<name>, symmetric_<name>, ..., random_assignment, best_possible}``."""
    course = {name: pck(p, truth) for name, p in predictions.items()}
    symmetric = {name: pck(p, truth, symmetric=True) for name, p in predictions.items()}
    random_assignment, best_possible = random_assignment_ceiling(truth), best_possible_ceiling(truth)
    rows = []
    for t in THRESHOLDS:
        key = threshold_key(t)
        row = {"threshold": t}
        for name in predictions:
            row[f"course_{name}"] = round(course[name][key], DIGITS)
            row[f"symmetric_{name}"] = round(symmetric[name][key], DIGITS)
        row["random_assignment"] = round(random_assignment[key], DIGITS)
        row["best_possible"] = round(best_possible[key], DIGITS)
        rows.append(row)
    return rows


@torch.inference_mode()
def latency_ms(model: torch.nn.Module, codec: Codec, image: torch.Tensor, runtime: Runtime) -> float:
    """Median milliseconds to predict the keypoints of one uint8 image ``Tensor[1, 1, H, W]`` (batch 1)."""
    model.eval()
    timings = []
    for run in range(LATENCY_WARMUP + LATENCY_RUNS):
        started = time.perf_counter()
        with runtime.autocast():
            outputs = model(images_to_input(image).to(runtime.device))
        codec.decode(outputs.float().cpu())
        if run >= LATENCY_WARMUP:
            timings.append(time.perf_counter() - started)
    return round(1000 * statistics.median(timings), 3)
