"""Stage ``evaluate_detector``: the trained detector on the val split.

Params: section ``detector_eval`` (postprocessing, evaluation options) and ``runtime``.
Writes ``metrics/detector.json``, ``metrics/speed/evaluate_detector.json``,
``plots/detector/pr_curves.csv``, ``plots/detector/scales.csv``,
``plots/detector/images/*.png`` and ``predictions/detector_val.json`` (COCO results).
"""

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from locate.atomic import atomic_path, write_json, write_text
from locate.checkpoint import load_checkpoint
from locate.data.datasets import DetectionSplit, load_detection
from locate.detection.drawing import draw_detections
from locate.detection.evaluation import (
    Predictor,
    coco_results,
    detector_report,
    latency_ms_per_image,
    predict_split,
    rounded_detections,
)
from locate.detection.model import Detector, DetectorConfig, fold_batch_norm
from locate.detection.postprocess import Detections, PostprocessSettings
from locate.errors import UserError, run_stage
from locate.params import read_section, require
from locate.runtime import runtime_from_params

DATA = Path("data/detection")
CHECKPOINT = Path("models/detector.pt")
METRICS = Path("metrics/detector.json")
SPEED = Path("metrics/speed/evaluate_detector.json")
PR_CURVES = Path("plots/detector/pr_curves.csv")
SCALES = Path("plots/detector/scales.csv")
IMAGES = Path("plots/detector/images")
PREDICTIONS = Path("predictions/detector_val.json")


@dataclass(frozen=True)
class DetectorEvalParams:
    score_threshold: float
    nms_iou: float
    top_k_per_level: int
    max_detections: int
    batch_size: int
    visible_threshold: float
    drawn_images: int
    draw_score_threshold: float
    latency_images: int

    def __post_init__(self) -> None:
        require(0 <= self.score_threshold < 1, "detector_eval.score_threshold", self.score_threshold,
                "a number in [0, 1)")
        require(0 < self.nms_iou <= 1, "detector_eval.nms_iou", self.nms_iou, "a number in (0, 1]")
        require(self.top_k_per_level >= 1, "detector_eval.top_k_per_level", self.top_k_per_level, "an integer >= 1")
        require(self.max_detections >= 1, "detector_eval.max_detections", self.max_detections, "an integer >= 1")
        require(self.batch_size >= 1, "detector_eval.batch_size", self.batch_size, "an integer >= 1")
        require(0 <= self.visible_threshold <= 1, "detector_eval.visible_threshold", self.visible_threshold,
                "a number in [0, 1]")
        require(self.drawn_images >= 0, "detector_eval.drawn_images", self.drawn_images, "an integer >= 0")
        require(0 <= self.draw_score_threshold <= 1, "detector_eval.draw_score_threshold", self.draw_score_threshold,
                "a number in [0, 1]")
        require(self.latency_images >= 1, "detector_eval.latency_images", self.latency_images, "an integer >= 1")


def load_detector(path: Path, device: torch.device) -> tuple[Detector, DetectorConfig]:
    """The model saved by ``train_detector`` (eval mode, batch norms folded, channels-last) and its config."""
    checkpoint = load_checkpoint(path)
    try:
        config = DetectorConfig(**checkpoint["config"])
        model = Detector(config)
        model.load_state_dict(checkpoint["model"])
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise UserError(f"{path}: not a detector checkpoint ({type(error).__name__})") from None
    model = model.to(device, memory_format=torch.channels_last).eval()
    return fold_batch_norm(model), config


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
    params = read_section("detector_eval", DetectorEvalParams)
    runtime = runtime_from_params()
    started = time.perf_counter()
    model, config = load_detector(CHECKPOINT, runtime.device)
    split = load_detection(DATA, "val")
    if len(split.category_names) != config.num_classes:
        raise UserError(f"{DATA}/val.json: {len(split.category_names)} categories, the model has {config.num_classes}")
    anchors, levels = config.anchors()
    settings = PostprocessSettings(params.score_threshold, params.nms_iou, params.top_k_per_level,
                                   params.max_detections)
    predictor = Predictor(model, anchors, levels, config.image_size, settings, runtime)
    detections = predict_split(predictor, split.images, params.batch_size)
    found = rounded_detections(split, detections)
    report = detector_report(split, found, detections.levels, anchors, levels, params.visible_threshold)
    eval_seconds = time.perf_counter() - started
    latency = latency_ms_per_image(predictor, split.images, params.latency_images)
    write_json(METRICS, report.metrics)
    write_json(PREDICTIONS, coco_results(found))
    write_text(PR_CURVES, csv_text(("recall", *split.category_names), report.pr_rows))
    write_text(SCALES, csv_text(("scale", "small", "medium", "large"), report.scale_rows))
    write_drawings(split, detections, params.drawn_images, params.draw_score_threshold)
    write_json(SPEED, {"latency_ms_per_image": round(latency, 3), "eval_seconds": round(eval_seconds, 3),
                       "val_images": len(split.images), **runtime.describe()})


if __name__ == "__main__":
    run_stage(main)
