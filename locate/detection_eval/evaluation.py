"""Evaluating a trained detector on a split: COCO-style metrics, scale analysis, duplicates, latency, over the
predictions of :mod:`locate.detection.prediction`."""

import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

from locate.data.datasets import DetectionSplit
from locate.detection.average_precision import (
    AREA_RANGES,
    COCO_IOU_THRESHOLDS,
    RECALL_POINTS,
    ScoredBoxes,
    evaluate,
)
from locate.detection.config import DetectorConfig
from locate.detection.model import parameter_count
from locate.detection.postprocess import Detections
from locate.detection.prediction import Predictor, ground_truth, predict_split, rounded_detections
from locate.detection_eval.analysis import anchor_coverage, scale_specialization
from locate.detection_eval.duplicates import duplicate_pairs
from locate.detection_eval.receptive_field import receptive_fields
from locate.records.detector import CheckpointChoice, DetectorDetails, DetectorMetrics, LevelRecord


def latency_ms_per_image(predictor: Predictor, images: torch.Tensor, count: int) -> float:
    """Median milliseconds of one batch-1 pass (inference and postprocessing) over ``count`` images after a warm-up."""
    predictor(images[:1])
    times = []
    for index in range(count):
        started = time.perf_counter()
        predictor(images[index % len(images)][None])
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def coco_results(boxes: ScoredBoxes) -> list[dict]:
    """COCO results entries: ``image_id``, ``category_id``, ``bbox`` [x, y, w, h], ``score``."""
    return [
        {"image_id": int(i), "category_id": int(c), "bbox": [float(v) for v in b], "score": float(s)}
        for i, c, b, s in zip(boxes.image_ids, boxes.labels, boxes.boxes, boxes.scores, strict=True)
    ]


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def level_name(level: int) -> str:
    """``scale1`` for level 0 (the finest), ``scale2`` for level 1, ..."""
    return f"scale{level + 1}"


def level_records(config: DetectorConfig, names: list[str], true_positives: torch.Tensor,
                  coverage: torch.Tensor) -> dict[str, LevelRecord]:
    """Each level's geometry (from ``config``) with its counts ``Tensor[L, C]`` per category ``names``."""
    levels = zip(config.strides, config.feature_sizes, config.anchor_sizes, true_positives.tolist(),
                 coverage.tolist(), receptive_fields(config), strict=True)
    return {
        level_name(index): LevelRecord(stride, size, list(anchors), dict(zip(names, found, strict=True)),
                                       dict(zip(names, covered, strict=True)), seen)
        for index, (stride, size, anchors, found, covered, seen) in enumerate(levels)
    }


@dataclass(frozen=True)
class DetectorReport:
    """metrics: the headline numbers (``metrics/detector/<recipe>.json``); details: the checkpoint and the levels
    (``plots/<detector name>/details.json``); pr_rows: (recall, precision of each class) at IoU 0.5
    on COCO's 101 recall points (empty for a class without objects);
    scale_rows: (level name, true positives of each class) per level."""

    metrics: DetectorMetrics
    details: DetectorDetails
    pr_rows: list[tuple]
    scale_rows: list[tuple]


def detector_report(split: DetectionSplit, found: ScoredBoxes, detections: Detections, anchors: torch.Tensor,
                    anchor_levels: torch.Tensor, visible_threshold: float, config: DetectorConfig,
                    checkpoint: CheckpointChoice) -> DetectorReport:
    """All metrics of ``found`` (``detections`` rounded, in the split's order) against ``split``; ``config`` is
    the model's, whose level geometry the metrics record, ``checkpoint`` the epoch it is."""
    names = split.category_names
    classes, num_levels = len(names), int(anchor_levels.max()) + 1
    truth = ground_truth(split)
    full = evaluate(truth, found, classes, COCO_IOU_THRESHOLDS)
    ap50 = full.average_precision[0]
    by_area = {area: evaluate(truth, found, classes, [0.5], AREA_RANGES[area]).mean_average_precision()
               for area in ("small", "medium", "large")}
    visible = evaluate(ground_truth(split, visible_threshold), found, classes, [0.5]).mean_average_precision()
    specialization = scale_specialization(torch.from_numpy(full.true_positive[0]), detections.levels,
                                          torch.from_numpy(found.labels), num_levels, classes)
    coverage = anchor_coverage(torch.cat(split.boxes).reshape(-1, 4), torch.cat(split.labels), anchors, anchor_levels,
                               num_levels, classes)
    metrics = DetectorMetrics(
        map50=_number(np.nanmean(ap50)),
        map50_95=_number(full.mean_average_precision()),
        map50_visible=_number(visible),
        ap50={name: _number(ap50[index]) for index, name in enumerate(names)},
        ap50_area={area: _number(value) for area, value in by_area.items()},
        epoch=checkpoint.epoch,
        parameters=parameter_count(config),
    )
    details = DetectorDetails(
        checkpoint=checkpoint,
        recall_ceiling=_number(float((torch.cat(split.visibility) > 0).float().mean())),
        detections=len(found.scores),
        levels=level_records(config, names, specialization, coverage),
        duplicates=dict(sorted(duplicate_pairs(detections, split).items())),
    )
    precision = [[round(float(p), 6) if p > -1 else "" for p in full.precision[0, index]] for index in range(classes)]
    pr_rows = [(round(float(r), 2), *column) for r, *column in zip(RECALL_POINTS, *precision, strict=True)]
    scale_rows = [(level_name(level), *row) for level, row in enumerate(specialization.tolist())]
    return DetectorReport(metrics, details, pr_rows, scale_rows)


def evaluate_model(predictor: Predictor, config: DetectorConfig, checkpoint: CheckpointChoice, split: DetectionSplit,
                   batch_size: int, visible_threshold: float) -> tuple[DetectorReport, Detections]:
    """The report of the model of ``predictor`` (built from ``config``, the epoch ``checkpoint``) on ``split``, and
    its detections."""
    detections = predict_split(predictor, split.images, batch_size)
    found = rounded_detections(split.image_ids, detections)
    report = detector_report(split, found, detections, predictor.anchors.cpu(), predictor.levels.cpu(),
                             visible_threshold, config, checkpoint)
    return report, detections
