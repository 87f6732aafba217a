"""Postprocessing options measured on the trained detectors: each checkpoint scored with each option.

For every recipe whose checkpoint exists (``models/detector.pt``, ``models/detector_improved.pt``),
the val split is scored with section ``detector_eval``'s postprocessing and with each variant of
``VARIANTS`` (the same settings with a few changed): mAP@0.5, over the objects at least half
visible, mAP@0.5:0.95, AP@0.5 per class, and the duplicate pairs (two detections above 0.5 of one
class on one object, :mod:`locate.detection_eval.duplicates`) in all and per level pair. Writes ``--out`` (JSON).

Run from the repository root: ``python -m benchmarks.detector_postprocess``.
"""

import argparse
import json
from dataclasses import replace
from pathlib import Path

from locate.atomic import write_json
from locate.data.datasets import load_detection
from locate.detection.config import read_detector_eval
from locate.detection.model import checkpoint_choice, load_detector
from locate.detection.prediction import predictor_of
from locate.detection.recipes import RECIPES, RecipeFiles
from locate.detection_eval.duplicates import duplicate_pairs
from locate.detection_eval.evaluation import evaluate_model
from locate.runtime import runtime_from_params

DATA = Path("data/detection")
VARIANTS = {
    "no_box_voting": {"box_voting": False},
    "box_voting": {"box_voting": True},
    "nms_iou_0.4": {"nms_iou": 0.4},
    "nms_iou_0.6": {"nms_iou": 0.6},
    "box_voting_nms_iou_0.4": {"box_voting": True, "nms_iou": 0.4},
}


def scores(recipe: str, variants: dict[str, dict]) -> dict[str, dict]:
    """Variant name (``params`` for section ``detector_eval`` as it is) -> the scores of ``recipe``'s checkpoint."""
    evaluation, runtime = read_detector_eval(), runtime_from_params()
    files = RecipeFiles.of(recipe)
    model, config = load_detector(files.checkpoint, runtime.device)
    choice = checkpoint_choice(files.checkpoint)
    split = load_detection(DATA, "val")
    results = {}
    for name, changes in {"params": {}, **variants}.items():
        predictor = predictor_of(model, config, replace(evaluation.postprocess, **changes), runtime)
        report, detections = evaluate_model(predictor, config, choice, split, evaluation.batch_size,
                                            evaluation.visible_threshold)
        metrics, duplicates = report.metrics, duplicate_pairs(detections, split)
        results[name] = {"changes": changes, "map50": metrics.map50, "map50_visible": metrics.map50_visible,
                         "map50_95": metrics.map50_95, "ap50": metrics.ap50,
                         "duplicate_pairs": sum(duplicates.values()),
                         "duplicates_by_levels": dict(sorted(duplicates.items()))}
        print(recipe, name, json.dumps(results[name]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/detector_postprocess.json"))
    arguments = parser.parse_args()
    measured = {recipe: scores(recipe, VARIANTS) for recipe in RECIPES if RecipeFiles.of(recipe).checkpoint.is_file()}
    write_json(arguments.out, {"runtime": runtime_from_params().describe(), "recipes": measured})


if __name__ == "__main__":
    main()
