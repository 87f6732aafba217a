"""The detector's options measured on a proxy: each variant of the course recipe trained and scored the same way.

Each variant is the ``detector`` section of params.yaml with a few keys changed (``VARIANTS``),
trained by the stage's trainer on the first ``--train-images`` training images for
``--epochs`` epochs, and scored on the whole val split: the val mAP@0.5 of the epoch each
checkpoint rule would keep (from the history's per-epoch ``val_map50``), and for the last
epoch's weights AP@0.5 per class, over the objects at least half visible, and the square
true positives per scale. Writes one JSON line per variant to ``--out``.

Run from the repository root, e.g.
``python -m benchmarks.detector_options --train-images 300 --epochs 12 course top_down``.
"""

import argparse
import csv
import json
import shutil
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks.our_trainers import first_detection_images
from locate.data.datasets import load_detection
from locate.detection.checkpoint_rules import kept_epochs
from locate.detection.config import read_detector_eval
from locate.detection.evaluation import evaluate_model, predictor_of
from locate.detection.model import checkpoint_choice, load_detector
from locate.detection.recipes import read_recipe
from locate.detection.trainer import train_detector
from locate.runtime import runtime_from_params
from locate.training import TrainingOutputs

DATA = Path("data/detection")
CONTEXT_FLIP_SHIFT = {"top_down": True, "head_dilation": 2, "hflip": True, "max_shift": 16}  # the base of the options
SSD_VARIANCES = (0.1, 0.1, 0.2, 0.2)
VARIANTS = {
    "course": {},
    "top_down": {"top_down": True},
    "dilated": {"head_dilation": 2},
    "top_down_dilated": {"top_down": True, "head_dilation": 2},
    "flip_shift": {"hflip": True, "max_shift": 16},
    "giou": {"box_loss": "giou"},
    "context_giou": {"top_down": True, "head_dilation": 2, "box_loss": "giou"},
    "context_flip_shift": CONTEXT_FLIP_SHIFT,
    "context_flip_shift_giou": CONTEXT_FLIP_SHIFT | {"box_loss": "giou"},
    "context_flip_shift_negative04": CONTEXT_FLIP_SHIFT | {"negative_iou": 0.4},
    "context_flip_shift_negative05": CONTEXT_FLIP_SHIFT | {"negative_iou": 0.5},
    "context_flip_shift_receptive_anchors": CONTEXT_FLIP_SHIFT | {"anchor_centre": "receptive_field"},
    "context_flip_shift_variances": CONTEXT_FLIP_SHIFT | {"box_variances": SSD_VARIANCES},
    "context_flip_shift_variances_negative05": CONTEXT_FLIP_SHIFT | {"box_variances": SSD_VARIANCES,
                                                                     "negative_iou": 0.5},
    "context_flip_shift_variances_negative05_iou_objectness": CONTEXT_FLIP_SHIFT | {
        "box_variances": SSD_VARIANCES, "negative_iou": 0.5, "objectness_target": "iou"},
    "context_flip_shift_iou_objectness": CONTEXT_FLIP_SHIFT | {"objectness_target": "iou"},
    "context_flip_shift_negative05_iou_objectness": CONTEXT_FLIP_SHIFT | {"negative_iou": 0.5,
                                                                          "objectness_target": "iou"},
}


def measure(name: str, train_images: int, epochs: int, work: Path) -> dict:
    """Train variant ``name`` in ``work`` and score it."""
    params = replace(read_recipe("course"), epochs=epochs, checkpoint="last", **VARIANTS[name])
    evaluation, runtime = read_detector_eval(), runtime_from_params()
    train = first_detection_images(load_detection(DATA, "train"), train_images)
    val = load_detection(DATA, "val")
    outputs = TrainingOutputs(work / "history.csv", work / "last.pt", work / "speed.json")
    config = params.model_config(len(train.category_names))
    started = time.perf_counter()
    train_detector(config, params.targets, params.loss_weights, params.schedule, train, val, runtime, outputs,
                   {"params": asdict(params)})
    seconds = time.perf_counter() - started
    with outputs.history.open() as file:
        rows = list(csv.DictReader(file))
    model, config = load_detector(outputs.checkpoint, runtime.device)
    predictor = predictor_of(model, config, evaluation.postprocess, runtime)
    choice = checkpoint_choice(outputs.checkpoint)
    report, _ = evaluate_model(predictor, config, choice, val, evaluation.batch_size, evaluation.visible_threshold)
    metrics = report.metrics
    return {
        "variant": name, "changes": VARIANTS[name], "train_images": train_images, "epochs": epochs,
        "seconds": round(seconds, 1),
        "rules": {rule: asdict(kept) for rule, kept in kept_epochs(rows).items()},
        "last": {"map50": metrics.map50, "map50_visible": metrics.map50_visible, "map50_95": metrics.map50_95,
                 "ap50": metrics.ap50},
        "square_true_positives_by_scale": {level: record.true_positives.get("square")
                                           for level, record in report.details.levels.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--train-images", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/detector_options.jsonl"))
    arguments = parser.parse_args()
    for name in arguments.variants:
        work = Path(tempfile.mkdtemp(prefix=f"detector_{name}_"))
        try:
            result = measure(name, arguments.train_images, arguments.epochs, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps(result), flush=True)
        with arguments.out.open("a") as file:
            file.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
