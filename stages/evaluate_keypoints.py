"""Stage ``evaluate_keypoints``: score every trained method and ablation variant on the val and test splits.

Writes the metrics of :class:`locate.records.keypoints.KeypointFiles` under ``metrics/``
(``keypoints/<method>.json`` and ``ablations/<variant>.json``: the fields of
:class:`~locate.records.keypoints.MethodScores`; ``per_keypoint/<model>.json``; ``ceilings/<ceiling>.json``,
the hand-ambiguity ceilings; ``keypoint_evaluation.json``: failure-case counts and decoding settings) on val, the same
under ``metrics/test/`` on the held-out test split (``data/test/keypoints``),
``metrics/speed/evaluate_keypoints.json`` (batch-1 latency), ``plots/keypoints/pck.csv``,
the figures in ``plots/keypoints/images/`` and ``predictions/keypoints/<name>.json`` (one per
method and ``ablation_<variant>``). Reads the checkpoints of ``models/keypoints/``, each of which
carries its own model config, so only the method and variant names come from params.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import torch

from locate.atomic import atomic_path, write_csv, write_json
from locate.data.config import TEST_ROOT, TEST_SPLIT
from locate.data.datasets import load_keypoints
from locate.errors import run_stage
from locate.keypoints.config import read_ablations, read_keypoints_eval, read_methods
from locate.keypoints.evaluation import (
    DIGITS,
    ceilings,
    failure_groups,
    latency_ms,
    method_scores,
    pck_table,
    per_keypoint_scores,
    predict,
)
from locate.keypoints.method import failure_pair
from locate.keypoints.models import parameter_count
from locate.keypoints_eval.drawing import draw_predictions, failure_title
from locate.keypoints_eval.shift_response import SHIFT_PIXELS, shift_gain, shifted_right
from locate.keypoints_eval.trained import decoder, load_method, rounded_points
from locate.records.keypoints import (
    Ceiling,
    Decoding,
    KeypointEvaluation,
    KeypointFiles,
    KeypointMetrics,
    KeypointPck,
    MethodScores,
)
from locate.records.speed import EvaluationSpeed, RuntimeRecord
from locate.records.writing import write_record
from locate.runtime import Runtime, runtime_from_params

DATA_ROOT = Path("data/keypoints")
MODELS_FOLDER = Path("models/keypoints")
PREDICTIONS = Path("predictions/keypoints")
PLOTS = Path("plots/keypoints")
METRICS = KeypointFiles(Path("metrics"))
TEST_METRICS = KeypointFiles(Path("metrics/test"))
SPEED_FILE = Path("metrics/speed/evaluate_keypoints.json")


def write_predictions(path: Path, image_ids: torch.Tensor, keypoints: torch.Tensor) -> None:
    """``[{"image_id", "keypoints": [[x, y], ...]}]`` in image pixels."""
    entries = [
        {"image_id": int(image_id), "keypoints": points}
        for image_id, points in zip(image_ids.tolist(), rounded_points(keypoints), strict=True)
    ]
    write_json(path, entries)


def draw_figures(folder: Path, val, predictions: dict[str, torch.Tensor], groups: dict, params) -> None:
    """Predictions of every method on the first val images, and a few images of each failure group."""
    count = min(params.images, len(val.images))
    first = {name: points[:count] for name, points in predictions.items()}
    draw_predictions(val.images[:count], val.keypoints[:count], first, folder / "predictions.png",
                     image_ids=val.image_ids)
    for group, indices in groups.items():
        chosen = indices[: params.failure_images]
        if len(chosen):
            picked = {name: points[chosen] for name, points in predictions.items()}
            path = folder / f"failures_{group}.png"
            draw_predictions(val.images[chosen], val.keypoints[chosen], picked, path, failure_title(group),
                             val.image_ids[chosen])


@dataclass(frozen=True)
class Scoring:
    """What a split is scored for: the ``methods`` and ablation ``variants`` (models ``ablation_<variant>``), the
    two methods whose failures are grouped (``pair``), and the decoding settings the records state (sub-pixel,
    hand-pair radius)."""

    methods: list[str]
    variants: list[str]
    pair: tuple[str, str]
    decoding: tuple[bool, float]


def split_metrics(models: dict[str, tuple], split, runtime: Runtime, scoring: Scoring
                  ) -> tuple[KeypointMetrics, dict[str, torch.Tensor], dict]:
    """Every model of ``models`` (name -> (model, decoder)) scored on ``split``: the :class:`KeypointMetrics` of
    ``scoring``, each model's predictions ``Tensor[N, K, 2]`` (pixels) and the failure groups (image indices)."""
    method_names, variants = scoring.methods, scoring.variants
    scores, per_keypoint, predictions = {}, {}, {}
    for name, (model, codec) in models.items():
        predictions[name] = predict(model, codec, split.images, runtime)
        moved = predict(model, codec, shifted_right(split.images, SHIFT_PIXELS), runtime)
        gain = round(shift_gain(predictions[name], moved), DIGITS)
        scores[name] = MethodScores(**method_scores(predictions[name], split.keypoints), shift_gain=gain,
                                    parameters=parameter_count(model))
        per_keypoint[name] = KeypointPck(**per_keypoint_scores(predictions[name], split.keypoints,
                                                               split.keypoint_names))
    groups = failure_groups(scoring.pair, {name: predictions[name] for name in method_names}, split.keypoints)
    metrics = KeypointMetrics(
        methods={name: scores[name] for name in method_names},
        ablations={variant: scores[f"ablation_{variant}"] for variant in variants},
        per_keypoint=per_keypoint,
        ceilings={name: Ceiling(pck) for name, pck in ceilings(split.keypoints).items()},
        evaluation=KeypointEvaluation({group: len(indices) for group, indices in groups.items()},
                                      Decoding(*scoring.decoding, len(split.images))),
    )
    return metrics, predictions, groups


def main() -> None:
    table = read_methods()
    params = read_keypoints_eval()
    decoding = params.decoding
    pair = failure_pair(table)
    method_names = list(table)
    variants = read_ablations().names()
    runtime = runtime_from_params()
    started = time.perf_counter()
    val = load_keypoints(DATA_ROOT, "val")
    names = method_names + [f"ablation_{variant}" for variant in variants]
    models, latency = {}, {}
    for name in names:
        model, codec, config = load_method(MODELS_FOLDER / f"{name}.pt", decoding.subpixel)
        models[name] = (model.to(runtime.device, memory_format=torch.channels_last), decoder(config, codec, decoding))
    scoring = Scoring(method_names, variants, pair, (decoding.subpixel, decoding.hand_pair_radius))
    metrics, predictions, groups = split_metrics(models, val, runtime, scoring)
    eval_seconds = round(time.perf_counter() - started, 2)
    with atomic_path(PREDICTIONS) as folder:
        folder.mkdir(parents=True)
        for name in names:
            write_predictions(folder / f"{name}.json", val.image_ids, predictions[name])
    for name, (model, codec) in models.items():
        latency[name] = latency_ms(model, codec, val.images[:1], runtime)
    METRICS.write(metrics)
    test = load_keypoints(TEST_ROOT / "keypoints", TEST_SPLIT)
    TEST_METRICS.write(split_metrics(models, test, runtime, scoring)[0])
    speed = EvaluationSpeed(eval_seconds, len(val.images), latency, RuntimeRecord(**runtime.describe()))
    write_record(SPEED_FILE, speed)
    methods = {name: predictions[name] for name in method_names}
    write_csv(PLOTS / "pck.csv", pck_table(methods, val.keypoints))
    with atomic_path(PLOTS / "images") as folder:
        folder.mkdir()
        draw_figures(folder, val, methods, groups, params.drawing)


if __name__ == "__main__":
    run_stage(main)
