"""Predictions of a keypoint model and their scores against the truth, ready for the ``metrics/keypoints/`` records.

Predictions and truth are ``Tensor[N, K, 2]`` (x, y) pixels; every fraction is rounded to
six decimals.
"""

import statistics
import time

import torch

from locate.images import images_to_input
from locate.keypoints.codec import Decoder
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


def method_scores(prediction: torch.Tensor, truth: torch.Tensor) -> dict:
    """The scores of a :class:`~locate.records.keypoints.MethodScores` read from the predictions ``[N, K, 2]`` and
    the truth ``[N, K, 2]`` alone, by field: course PCK and symmetric PCK (hands as an unordered pair)."""
    return {
        "pck": _rounded(pck(prediction, truth)),
        "pck_symmetric": _rounded(pck(prediction, truth, symmetric=True)),
    }


def per_keypoint_scores(prediction: torch.Tensor, truth: torch.Tensor, names: list[str]) -> dict:
    """A :class:`~locate.records.keypoints.KeypointPck` by field: per-keypoint PCK, course and symmetric."""
    return {
        "course": _rounded(pck_per_keypoint(prediction, truth, names)),
        "symmetric": _rounded(pck_per_keypoint(prediction, truth, names, symmetric=True)),
    }


def ceilings(truth: torch.Tensor) -> dict:
    """``{"random_assignment": {...}, "best_possible": {...}}`` course-PCK ceilings of the truth."""
    return {
        "random_assignment": _rounded(random_assignment_ceiling(truth)),
        "best_possible": _rounded(best_possible_ceiling(truth)),
    }


def failure_groups(pair: tuple[str, str], predictions: dict[str, torch.Tensor], truth: torch.Tensor
                   ) -> dict[str, torch.Tensor]:
    """Image indices ``Tensor[M]`` of each group of the two methods ``pair`` = (a, b).

    Groups ``<a>_right_<b>_wrong``, ``<b>_right_<a>_wrong`` and ``both_wrong``; "right" = all
    keypoints symmetric-correct at PCK@0.05. predictions: method name -> ``Tensor[N, K, 2]``.
    """
    first, second = pair
    first_right = all_correct(predictions[first], truth, FAILURE_THRESHOLD)
    second_right = all_correct(predictions[second], truth, FAILURE_THRESHOLD)
    return {
        f"{first}_right_{second}_wrong": torch.nonzero(first_right & ~second_right).flatten(),
        f"{second}_right_{first}_wrong": torch.nonzero(second_right & ~first_right).flatten(),
        "both_wrong": torch.nonzero(~first_right & ~second_right).flatten(),
    }


def pck_columns(names: list[str]) -> dict[str, list[str]]:
    """``{"course": [course_<name>, ...], "symmetric": [symmetric_<name>, ...]}``: the PCK table's method columns."""
    return {kind: [f"{kind}_{name}" for name in names] for kind in ("course", "symmetric")}


def pck_table(predictions: dict[str, torch.Tensor], truth: torch.Tensor) -> list[dict]:
    """Rows ``{threshold, course_<name>, symmetric_<name>, ..., random_assignment, best_possible}``
    (:func:`pck_columns`)."""
    course = {name: pck(p, truth) for name, p in predictions.items()}
    symmetric = {name: pck(p, truth, symmetric=True) for name, p in predictions.items()}
    random_assignment, best_possible = random_assignment_ceiling(truth), best_possible_ceiling(truth)
    columns = pck_columns(list(predictions))
    rows = []
    for t in THRESHOLDS:
        key = threshold_key(t)
        row = {"threshold": t}
        for name, course_column, symmetric_column in zip(predictions, columns["course"], columns["symmetric"],
                                                         strict=True):
            row[course_column] = round(course[name][key], DIGITS)
            row[symmetric_column] = round(symmetric[name][key], DIGITS)
        row["random_assignment"] = round(random_assignment[key], DIGITS)
        row["best_possible"] = round(best_possible[key], DIGITS)
        rows.append(row)
    return rows


@torch.inference_mode()
def predict(model: torch.nn.Module, decoder: Decoder, images: torch.Tensor, runtime: Runtime, batch_size: int = 64
            ) -> torch.Tensor:
    """Keypoints float32 ``Tensor[N, K, 2]`` (x, y) pixels for uint8 images ``Tensor[N, 1, H, W]``."""
    model.eval()
    decoded = []
    for start in range(0, len(images), batch_size):
        batch = images_to_input(images[start : start + batch_size].to(runtime.device))
        with runtime.autocast():
            outputs = model(batch)
        decoded.append(decoder.decode(outputs.float().cpu()))
    return torch.cat(decoded)


@torch.inference_mode()
def latency_ms(model: torch.nn.Module, decoder: Decoder, image: torch.Tensor, runtime: Runtime) -> float:
    """Median milliseconds to predict the keypoints of one uint8 image ``Tensor[1, 1, H, W]`` (batch 1)."""
    model.eval()
    timings = []
    for run in range(LATENCY_WARMUP + LATENCY_RUNS):
        started = time.perf_counter()
        with runtime.autocast():
            outputs = model(images_to_input(image.to(runtime.device)))
        decoder.decode(outputs.float().cpu())
        if run >= LATENCY_WARMUP:
            timings.append(time.perf_counter() - started)
    return round(1000 * statistics.median(timings), 3)
