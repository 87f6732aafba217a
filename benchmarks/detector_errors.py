"""What the detectors' val false positives are: each recipe's predictions judged as COCO's AP@0.5 judges them.

For every recipe whose val predictions exist (``predictions/detector_val.json``,
``predictions/detector_improved_val.json``; or files named ``NAME=PATH`` on the command line),
each detection is a true positive or a false positive of one kind
(:mod:`locate.detection_eval.error_kinds`); counted among the detections scoring at least each of
``SCORES``. The localisation errors above the highest of them are described by the quartiles of
their IoU with their object and of their area over the object's. Merges into ``--out`` (JSON)
under each name, with the predictions file's path and MD5 (as ``dvc.lock`` records it).

Run from the repository root: ``python -m benchmarks.detector_errors``.
"""

import argparse
import hashlib
import json
import statistics
from collections import Counter
from pathlib import Path

import torch

from locate.atomic import write_json
from locate.data.datasets import DetectionSplit, load_detection
from locate.detection.recipes import RECIPES, RecipeFiles
from locate.detection_eval.error_kinds import KINDS, JudgedDetection, judge_image

DATA = Path("data/detection")
SCORES = (0.9, 0.5, 0.3, 0.1)


def judged_predictions(path: Path, split: DetectionSplit) -> list[JudgedDetection]:
    """Every detection of the COCO results file ``path`` (xywh boxes) judged against ``split``'s objects."""
    by_image: dict[int, list[dict]] = {int(image_id): [] for image_id in split.image_ids}
    for entry in json.loads(path.read_text()):
        by_image[entry["image_id"]].append(entry)
    judged = []
    for index, image_id in enumerate(split.image_ids.tolist()):
        entries = by_image[image_id]
        xywh = torch.tensor([entry["bbox"] for entry in entries], dtype=torch.float32).reshape(-1, 4)
        boxes = torch.cat([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], dim=1)
        labels = torch.tensor([entry["category_id"] for entry in entries], dtype=torch.long)
        scores = torch.tensor([entry["score"] for entry in entries], dtype=torch.float32)
        judged += judge_image(boxes, labels, scores, split.boxes[index].float(), split.labels[index].long())
    return judged


def summary(judged: list[JudgedDetection]) -> dict:
    """Counts of each kind above each of ``SCORES``, and the quartiles of the top localisation errors."""
    counts = {}
    for least in SCORES:
        found = Counter(d.kind for d in judged if d.score >= least)
        counts[f"{least:g}"] = {kind: found[kind] for kind in KINDS}
    near = [d for d in judged if d.kind == "localisation" and d.score >= SCORES[0]]
    quartiles = {}
    if len(near) >= 2:
        quartiles = {field: [round(q, 3) for q in statistics.quantiles([getattr(d, field) for d in near], n=4)]
                     for field in ("iou", "area_ratio")}
    return {"counts": counts, f"localisation_above_{SCORES[0]:g}": quartiles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="NAME=PATH: val predictions to judge under NAME")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/detector_errors.json"))
    arguments = parser.parse_args()
    files = dict(item.split("=", 1) for item in arguments.files) or {
        recipe: str(RecipeFiles.of(recipe).predictions) for recipe in RECIPES}
    split = load_detection(DATA, "val")
    results = json.loads(arguments.out.read_text()) if arguments.out.is_file() else {}
    for name, path in files.items():
        if Path(path).is_file():
            digest = hashlib.md5(Path(path).read_bytes()).hexdigest()
            results[name] = {"predictions": path, "md5": digest, **summary(judged_predictions(Path(path), split))}
            print(name, json.dumps(results[name]), flush=True)
    write_json(arguments.out, results)


if __name__ == "__main__":
    main()
