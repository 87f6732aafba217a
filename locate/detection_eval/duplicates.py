"""Duplicate detections: two confident detections of one class on one object.

A detection is matched to the ground-truth object of its class it overlaps most (at IoU at
least ``match_iou``); two detections scoring above ``min_score`` matched to the same object
are a duplicate pair, counted by the levels (scales) of the anchors that produced them. Under
COCO's matching the second of a pair is a false positive at a high score.
"""

import itertools
from collections import Counter

from locate.data.datasets import DetectionSplit
from locate.detection.boxes import box_iou
from locate.detection.postprocess import Detections

MIN_SCORE, MATCH_IOU = 0.5, 0.5


def level_pair(first: int, second: int) -> str:
    """``"scale1+scale2"``: the levels (0-based) of a pair's two anchors, the finer first."""
    low, high = sorted((first, second))
    return f"scale{low + 1}+scale{high + 1}"


def duplicate_pairs(detections: Detections, split: DetectionSplit, min_score: float = MIN_SCORE,
                    match_iou: float = MATCH_IOU) -> Counter:
    """Level pair (:func:`level_pair`) -> duplicate pairs of ``detections`` on ``split`` (``image_index`` runs
    over the split's images; boxes xyxy pixels)."""
    pairs: Counter = Counter()
    for index, (truth, truth_labels) in enumerate(zip(split.boxes, split.labels, strict=True)):
        chosen = (detections.image_index == index) & (detections.scores > min_score)
        if not chosen.any() or len(truth) == 0:
            continue
        overlap = box_iou(detections.boxes[chosen], truth)
        overlap[detections.labels[chosen][:, None] != truth_labels[None, :]] = 0
        best, matched = overlap.max(dim=1)
        levels = detections.levels[chosen]
        found = [(int(obj), int(level)) for obj, level, iou in zip(matched, levels, best, strict=True)
                 if iou >= match_iou]
        for (first_object, first_level), (second_object, second_level) in itertools.combinations(found, 2):
            if first_object == second_object:
                pairs[level_pair(first_level, second_level)] += 1
    return pairs
