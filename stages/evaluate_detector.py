"""Stages ``evaluate_detector@course`` and ``@improved``: a trained detector on the val and test splits.

``python -m stages.evaluate_detector [course|improved]``. Params: ``detector_eval.postprocess``,
``detector_eval.visible_threshold``, ``detector_eval.drawing`` and ``runtime``. Writes the recipe's headline
metrics, details (checkpoint, levels), speed record, PR curves, detections per scale, drawn images
and COCO results (:class:`locate.detection.recipes.RecipeFiles`: ``metrics/detector/course.json``,
``plots/detector/details.json``, ``metrics/speed/evaluate_detector.json``,
``plots/detector/pr_curves.csv``, ``plots/detector/scales.csv``, ``plots/detector/images/*.png`` and
``predictions/detector_val.json`` for the course).
"""

import csv
import io
import sys
import time
from pathlib import Path

from locate.atomic import atomic_path, write_json, write_text
from locate.data.config import TEST_ROOT, TEST_SPLIT
from locate.data.datasets import DetectionSplit, load_detection
from locate.detection.config import read_detector_eval
from locate.detection.model import checkpoint_choice, load_detector
from locate.detection.postprocess import Detections
from locate.detection.prediction import predictor_of, rounded_detections
from locate.detection.recipes import RecipeFiles, recipe_argument
from locate.detection_eval.drawing import draw_detections
from locate.detection_eval.evaluation import coco_results, evaluate_model, latency_ms_per_image
from locate.errors import UserError, run_stage
from locate.records.speed import EvaluationSpeed, RuntimeRecord
from locate.records.writing import write_record
from locate.runtime import runtime_from_params

DATA = Path("data/detection")
TEST_DATA = (TEST_ROOT / "detection", TEST_SPLIT)


def load_split(root: Path, name: str, num_classes: int) -> DetectionSplit:
    """Split ``name`` of the detection data in ``root``; its categories must be the model's ``num_classes``."""
    split = load_detection(root, name)
    if len(split.category_names) != num_classes:
        raise UserError(f"{root}/{name}.json: {len(split.category_names)} categories, the model has {num_classes}")
    return split


def csv_text(header: tuple[str, ...], rows: list[tuple]) -> str:
    """CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_drawings(images: Path, split: DetectionSplit, detections: Detections, count: int, min_score: float) -> None:
    """Into folder ``images``: the first ``count`` images with ground truth and detections scoring at least
    ``min_score``."""
    with atomic_path(images) as folder:
        folder.mkdir()
        for index in range(min(count, len(split.images))):
            chosen = (detections.image_index == index) & (detections.scores >= min_score)
            picture = draw_detections(split.images[index], split.boxes[index], detections.boxes[chosen],
                                      detections.scores[chosen], detections.labels[chosen], split.category_names)
            picture.save(folder / f"{int(split.image_ids[index]):06d}.png")


def main() -> None:
    files = RecipeFiles.of(recipe_argument(sys.argv[1:]))
    params = read_detector_eval()
    runtime = runtime_from_params()
    started = time.perf_counter()
    model, config = load_detector(files.checkpoint, runtime.device)
    split, test = (load_split(root, name, config.num_classes) for root, name in ((DATA, "val"), TEST_DATA))
    predictor = predictor_of(model, config, params.postprocess, runtime)
    choice = checkpoint_choice(files.checkpoint)
    report, detections = evaluate_model(predictor, config, choice, split, params.batch_size, params.visible_threshold)
    eval_seconds = time.perf_counter() - started
    test_report, _ = evaluate_model(predictor, config, choice, test, params.batch_size, params.visible_threshold)
    latency = latency_ms_per_image(predictor, split.images, params.latency_images)
    write_record(files.metrics, report.metrics)
    write_record(files.test_metrics, test_report.metrics)
    write_record(files.details, report.details)
    write_json(files.predictions, coco_results(rounded_detections(split.image_ids, detections)))
    write_text(files.pr_curves, csv_text(("recall", *split.category_names), report.pr_rows))
    write_text(files.scales, csv_text(("scale", *split.category_names), report.scale_rows))
    write_drawings(files.images, split, detections, params.drawing.images, params.drawing.score_threshold)
    speed = EvaluationSpeed(round(eval_seconds, 3), len(split.images), {"detector": round(latency, 3)},
                            RuntimeRecord(**runtime.describe()))
    write_record(files.eval_speed, speed)


if __name__ == "__main__":
    run_stage(main)
