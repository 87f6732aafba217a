"""Stage ``evaluate_detector``: the trained detector on the val split.

Params: section ``detector_eval`` (postprocessing, evaluation options) and ``runtime``.
Writes ``metrics/detector.json``, ``metrics/speed/evaluate_detector.json``,
``plots/detector/pr_curves.csv``, ``plots/detector/scales.csv``,
``plots/detector/images/*.png`` and ``predictions/detector_val.json`` (COCO results).
"""

import csv
import io
import time
from pathlib import Path

from locate.atomic import atomic_path, write_json, write_text
from locate.data.datasets import DetectionSplit, load_detection
from locate.detection.config import read_detector_eval
from locate.detection.drawing import draw_detections
from locate.detection.evaluation import (
    Predictor,
    coco_results,
    detector_report,
    latency_ms_per_image,
    predict_split,
    rounded_detections,
)
from locate.detection.model import load_detector
from locate.detection.postprocess import Detections
from locate.errors import UserError, run_stage
from locate.records.speed import EvaluationSpeed, RuntimeRecord
from locate.records.writing import write_record
from locate.runtime import runtime_from_params

DATA = Path("data/detection")
CHECKPOINT = Path("models/detector.pt")
METRICS = Path("metrics/detector.json")
SPEED = Path("metrics/speed/evaluate_detector.json")
PR_CURVES = Path("plots/detector/pr_curves.csv")
SCALES = Path("plots/detector/scales.csv")
IMAGES = Path("plots/detector/images")
PREDICTIONS = Path("predictions/detector_val.json")


def csv_text(header: tuple[str, ...], rows: list[tuple]) -> str:
    """CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_drawings(split: DetectionSplit, detections: Detections, count: int, min_score: float) -> None:
    """The first ``count`` images with ground truth and detections scoring at least ``min_score``."""
    with atomic_path(IMAGES) as folder:
        folder.mkdir()
        for index in range(min(count, len(split.images))):
            chosen = (detections.image_index == index) & (detections.scores >= min_score)
            picture = draw_detections(split.images[index], split.boxes[index], detections.boxes[chosen],
                                      detections.scores[chosen], detections.labels[chosen], split.category_names)
            picture.save(folder / f"{int(split.image_ids[index]):06d}.png")


def main() -> None:
    params = read_detector_eval()
    runtime = runtime_from_params()
    started = time.perf_counter()
    model, config = load_detector(CHECKPOINT, runtime.device)
    split = load_detection(DATA, "val")
    if len(split.category_names) != config.num_classes:
        raise UserError(f"{DATA}/val.json: {len(split.category_names)} categories, the model has {config.num_classes}")
    anchors, levels = config.anchors()
    predictor = Predictor(model, anchors, levels, config.image_size, params.postprocess, runtime)
    detections = predict_split(predictor, split.images, params.batch_size)
    found = rounded_detections(split, detections)
    report = detector_report(split, found, detections.levels, anchors, levels, params.visible_threshold, config)
    eval_seconds = time.perf_counter() - started
    latency = latency_ms_per_image(predictor, split.images, params.latency_images)
    write_record(METRICS, report.metrics)
    write_json(PREDICTIONS, coco_results(found))
    write_text(PR_CURVES, csv_text(("recall", *split.category_names), report.pr_rows))
    write_text(SCALES, csv_text(("scale", *split.category_names), report.scale_rows))
    write_drawings(split, detections, params.drawn_images, params.draw_score_threshold)
    write_record(SPEED, EvaluationSpeed(round(eval_seconds, 3), len(split.images), {"detector": round(latency, 3)},
                                        RuntimeRecord(**runtime.describe())))


if __name__ == "__main__":
    run_stage(main)
