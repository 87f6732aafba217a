"""Our COCO-style AP against pycocotools' ``COCOeval`` on identical detections: same numbers, wall time.

Ground truth: the val split of ``data/detection`` as :func:`locate.detection.prediction.ground_truth`
gives it (COCO xywh, no object ignored). Detections: ``predictions/detector_val.json``
(the evaluate_detector stage's COCO results) when it exists; otherwise made from the
ground truth with a seeded RNG: most objects found once (centre and size jittered,
sometimes the wrong class, sometimes found twice), a few random false positives per
image, random scores; boxes rounded to 2 decimals and scores to 5, as the predictions
file stores them. The JSON says which source was used.

Both evaluate the 10 IoU thresholds 0.50:0.95, all areas, at most 100 detections per
image (COCOeval restricted to that one area range and cap, the same work as our
:func:`locate.detection.average_precision.evaluate` call in ``evaluation.py``). Timed from
each one's natural input: ours from the arrays, pycocotools from the COCO dicts (index,
``loadRes``, ``evaluate``, ``accumulate``); the median of ``--repeats`` runs each. Prints
mAP@0.5 and mAP@[.5:.95] of both, their difference, the times and the ratio, and writes
``benchmarks/results/average_precision_speed.json`` with the 1-minute load average before and after.

Run from the repository root: ``python -m benchmarks.average_precision_speed``.
"""

import argparse
import contextlib
import copy
import io
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from locate.atomic import write_json
from locate.data.datasets import load_detection
from locate.data.shapes import SCENE_SIZE
from locate.detection.average_precision import COCO_IOU_THRESHOLDS, GroundTruth, ScoredBoxes, evaluate
from locate.detection.prediction import ground_truth
from locate.detection_eval.evaluation import coco_results

DATA = Path("data/detection")
PREDICTIONS = Path("predictions/detector_val.json")
RESULT = Path("benchmarks/results/average_precision_speed.json")
SEED = 0
FOUND_SHARE = 0.85
DOUBLE_SHARE = 0.15
WRONG_CLASS_SHARE = 0.1
FALSE_POSITIVES_PER_IMAGE = 3


def _jitter(boxes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``boxes [N, 4]`` xywh with centre moved by ~10% of the size and size scaled by ~exp(N(0, 0.1))."""
    size = boxes[:, 2:] * np.exp(rng.normal(0.0, 0.1, (len(boxes), 2)))
    centre = boxes[:, :2] + boxes[:, 2:] / 2 + rng.normal(0.0, 0.1, (len(boxes), 2)) * boxes[:, 2:]
    return np.concatenate([centre - size / 2, size], axis=1)


def synthetic_detections(truth: GroundTruth, image_ids: np.ndarray, num_classes: int) -> ScoredBoxes:
    """Deterministic detections around ``truth`` plus false positives on every image of ``image_ids``."""
    rng = np.random.default_rng(SEED)
    found = rng.random(len(truth.labels)) < FOUND_SHARE
    found_twice = found & (rng.random(len(truth.labels)) < DOUBLE_SHARE)
    source = np.concatenate([np.nonzero(found)[0], np.nonzero(found_twice)[0]])
    labels = truth.labels[source].copy()
    wrong = rng.random(len(source)) < WRONG_CLASS_SHARE
    labels[wrong] = rng.integers(0, num_classes, int(wrong.sum()))
    false_images = np.repeat(image_ids, rng.poisson(FALSE_POSITIVES_PER_IMAGE, len(image_ids)))
    false_sizes = rng.uniform(10, 100, (len(false_images), 2))
    false_corners = rng.uniform(0, 1, (len(false_images), 2)) * (SCENE_SIZE - false_sizes)
    corners = np.concatenate([_jitter(truth.boxes[source], rng), np.concatenate([false_corners, false_sizes], 1)])
    x1y1 = np.clip(corners[:, :2], 0, SCENE_SIZE)
    x2y2 = np.clip(corners[:, :2] + corners[:, 2:], 0, SCENE_SIZE)
    scores = np.concatenate([rng.uniform(0.2, 1.0, len(source)), rng.uniform(0.0, 0.7, len(false_images))])
    return ScoredBoxes(
        image_ids=np.concatenate([truth.image_ids[source], false_images]),
        labels=np.concatenate([labels, rng.integers(0, num_classes, len(false_images))]),
        boxes=np.round(np.concatenate([x1y1, x2y2 - x1y1], axis=1), 2),
        scores=np.round(scores, 5),
    )


def stored_detections(path: Path) -> ScoredBoxes:
    """The COCO results list in ``path`` as arrays."""
    results = json.loads(path.read_text())
    return ScoredBoxes(
        image_ids=np.array([r["image_id"] for r in results], dtype=np.int64),
        labels=np.array([r["category_id"] for r in results], dtype=np.int64),
        boxes=np.array([r["bbox"] for r in results], dtype=np.float64).reshape(-1, 4),
        scores=np.array([r["score"] for r in results], dtype=np.float64),
    )


def coco_dataset(truth: GroundTruth, image_ids: np.ndarray, num_classes: int) -> dict:
    """``truth`` as a COCO ground-truth dataset dict (area = box area, no crowd)."""
    annotations = [
        {"id": index + 1, "image_id": int(i), "category_id": int(c), "bbox": [float(v) for v in b],
         "area": float(b[2] * b[3]), "iscrowd": 0}
        for index, (i, c, b) in enumerate(zip(truth.image_ids, truth.labels, truth.boxes, strict=True))
    ]
    return {"images": [{"id": int(i)} for i in image_ids], "annotations": annotations,
            "categories": [{"id": c} for c in range(num_classes)]}


def pycocotools_map(dataset: dict, results: list[dict]) -> tuple[float, float]:
    """(mAP@0.5, mAP@[.5:.95]) of ``results`` against ``dataset`` by COCOeval, all areas, 100 detections."""
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = dataset
        truth.createIndex()
        evaluator = COCOeval(truth, truth.loadRes(results), "bbox")
        evaluator.params.areaRng = [[0.0, 1e5**2]]
        evaluator.params.areaRngLbl = ["all"]
        evaluator.params.maxDets = [100]
        evaluator.evaluate()
        evaluator.accumulate()
    precision = evaluator.eval["precision"][..., 0, 0]  # [T, R, K]
    return float(precision[0][precision[0] > -1].mean()), float(precision[precision > -1].mean())


def our_map(truth: GroundTruth, detections: ScoredBoxes, num_classes: int) -> tuple[float, float]:
    """(mAP@0.5, mAP@[.5:.95]) by :func:`evaluate`, as ``evaluation.detector_report`` computes them."""
    result = evaluate(truth, detections, num_classes, COCO_IOU_THRESHOLDS)
    return float(np.nanmean(result.average_precision[0])), result.mean_average_precision()


def timed(run, repeats: int) -> tuple[tuple[float, float], list[float]]:
    """The result of ``run()`` and the seconds of each of ``repeats`` calls."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    split = load_detection(DATA, "val")
    num_classes, image_ids = len(split.category_names), split.image_ids.numpy()
    truth = ground_truth(split)
    if PREDICTIONS.is_file():
        detections, source = stored_detections(PREDICTIONS), str(PREDICTIONS)
    else:
        detections, source = synthetic_detections(truth, image_ids, num_classes), f"synthetic (seed {SEED})"
    dataset, results = coco_dataset(truth, image_ids, num_classes), coco_results(detections)
    ours, our_seconds = timed(lambda: our_map(truth, detections, num_classes), args.repeats)
    theirs, their_seconds = timed(
        lambda: pycocotools_map(copy.deepcopy(dataset), copy.deepcopy(results)), args.repeats
    )
    difference = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    ratio = statistics.median(their_seconds) / statistics.median(our_seconds)
    print(f"detections: {source}, {len(detections.scores)} on {len(image_ids)} images, "
          f"{len(truth.labels)} objects")
    print(f"{'':<12}{'mAP@0.5':>10}{'mAP@.5:.95':>12}{'median s':>10}")
    print(f"{'ours':<12}{ours[0]:>10.6f}{ours[1]:>12.6f}{statistics.median(our_seconds):>10.4f}")
    print(f"{'pycocotools':<12}{theirs[0]:>10.6f}{theirs[1]:>12.6f}{statistics.median(their_seconds):>10.4f}")
    print(f"largest difference {difference:.2e}; ours {ratio:.1f}x faster")
    write_json(args.out, {
        "detections": source,
        "images": len(image_ids),
        "objects": len(truth.labels),
        "detection_count": len(detections.scores),
        "ours": {"map50": ours[0], "map50_95": ours[1], "seconds": [round(s, 4) for s in our_seconds]},
        "pycocotools": {"map50": theirs[0], "map50_95": theirs[1], "seconds": [round(s, 4) for s in their_seconds]},
        "largest_difference": difference,
        "speedup": round(ratio, 2),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    })


if __name__ == "__main__":
    main()
