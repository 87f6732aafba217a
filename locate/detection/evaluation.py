"""Evaluating a trained detector on a split: predictions, COCO-style metrics, scale analysis, latency."""

import statistics
import time
from dataclasses import dataclass, fields

import numpy as np
import torch

from locate.data.datasets import DetectionSplit
from locate.detection.analysis import anchor_coverage, scale_specialization
from locate.detection.average_precision import (
    AREA_RANGES,
    COCO_IOU_THRESHOLDS,
    RECALL_POINTS,
    GroundTruth,
    ScoredBoxes,
    evaluate,
)
from locate.detection.boxes import xyxy_to_xywh
from locate.detection.config import DetectorConfig, PostprocessSettings
from locate.detection.duplicates import duplicate_pairs
from locate.detection.model import parameter_count
from locate.detection.postprocess import Detections, postprocess
from locate.detection.receptive_field import receptive_fields
from locate.images import images_to_input
from locate.records.detector import CheckpointChoice, DetectorDetails, DetectorMetrics, LevelRecord
from locate.runtime import Runtime

BOX_DECIMALS = 2
SCORE_DECIMALS = 5


@dataclass(frozen=True)
class Predictor:
    """A model in eval mode with its anchors ``[A, 4]`` xyxy and their levels ``[A]`` (both on
    ``runtime.postprocess_device``) and postprocessing."""

    model: torch.nn.Module
    anchors: torch.Tensor
    levels: torch.Tensor
    image_size: int
    settings: PostprocessSettings
    runtime: Runtime

    def __call__(self, images: torch.Tensor) -> Detections:
        """Detections of uint8 ``images [B, 3, S, S]`` (image_index 0..B-1), on the CPU; the model runs on
        ``runtime.device``, the postprocessing where the anchors are (the same device, but the CPU on MPS)."""
        device = self.runtime.device
        with torch.inference_mode(), self.runtime.autocast():
            outputs = self.model(images_to_input(images.to(device)))
        outputs = outputs.float().to(self.anchors.device)
        found = postprocess(outputs, self.anchors, self.levels, self.image_size, self.settings)
        return Detections(*(getattr(found, field.name).cpu() for field in fields(Detections)))


def predict_split(predictor: Predictor, images: torch.Tensor, batch_size: int) -> Detections:
    """Detections of all ``images [N, 3, S, S]``; ``image_index`` runs over the whole split."""
    parts = []
    for start in range(0, len(images), batch_size):
        found = predictor(images[start : start + batch_size])
        parts.append(Detections(found.image_index + start, found.boxes, found.scores, found.labels, found.levels))
    return Detections(*(torch.cat([getattr(part, field.name) for part in parts]) for field in fields(Detections)))


def latency_ms_per_image(predictor: Predictor, images: torch.Tensor, count: int) -> float:
    """Median milliseconds of one batch-1 pass (inference and postprocessing) over ``count`` images after a warm-up."""
    predictor(images[:1])
    times = []
    for index in range(count):
        started = time.perf_counter()
        predictor(images[index % len(images)][None])
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def rounded_detections(image_ids: torch.Tensor, detections: Detections) -> ScoredBoxes:
    """Detections as COCO xywh float64, each with the id ``image_ids[image_index]`` of its image (``image_ids``:
    ``Tensor[N]``, one per image the detections index), rounded as written to the predictions file."""
    boxes = np.round(xyxy_to_xywh(detections.boxes.double()).numpy(), BOX_DECIMALS)
    scores = np.round(detections.scores.double().numpy(), SCORE_DECIMALS)
    return ScoredBoxes(image_ids[detections.image_index].numpy(), detections.labels.numpy(), boxes, scores)


def coco_results(boxes: ScoredBoxes) -> list[dict]:
    """COCO results entries: ``image_id``, ``category_id``, ``bbox`` [x, y, w, h], ``score``."""
    return [
        {"image_id": int(i), "category_id": int(c), "bbox": [float(v) for v in b], "score": float(s)}
        for i, c, b, s in zip(boxes.image_ids, boxes.labels, boxes.boxes, boxes.scores, strict=True)
    ]


def ground_truth(split: DetectionSplit, min_visibility: float = 0.0) -> GroundTruth:
    """The split's objects as COCO xywh; objects less visible than ``min_visibility`` are ignored."""
    counts = torch.tensor([len(b) for b in split.boxes])
    boxes = torch.cat(split.boxes).reshape(-1, 4)
    return GroundTruth(
        split.image_ids.repeat_interleave(counts).numpy(),
        torch.cat(split.labels).numpy(),
        xyxy_to_xywh(boxes.double()).numpy(),
        (torch.cat(split.visibility) < min_visibility).numpy(),
    )


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


def predictor_of(model: torch.nn.Module, config: DetectorConfig, settings: PostprocessSettings,
                 runtime: Runtime) -> Predictor:
    """The :class:`Predictor` of ``model`` (eval mode, on ``runtime.device``) with the anchors of ``config``,
    moved once to where the postprocessing runs (:attr:`Runtime.postprocess_device`)."""
    anchors, levels = config.anchors()
    where = runtime.postprocess_device
    return Predictor(model, anchors.to(where), levels.to(where), config.image_size, settings, runtime)
