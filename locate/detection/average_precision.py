"""COCO-style average precision, the definition of pycocotools' ``COCOeval`` for boxes.

Per image and class, detections in decreasing score order (at most ``max_detections``)
each take the unmatched ground truth of highest IoU >= the threshold (ties: the later
one); a kept object is preferred to an ignored one. A detection matched to an ignored
object, or unmatched and outside the area range, counts as neither hit nor miss; so do
ignored objects and objects outside the area range. Per class, precision is made
monotone (its envelope) and read at 101 recall points; AP is their mean, mAP the mean
over classes that have kept objects. Area ranges include both ends, as in pycocotools.
Boxes are COCO ``xywh`` in float64 and IoU is computed as pycocotools computes it, so
that results agree to the last bit.
"""

from dataclasses import dataclass

import numpy as np

RECALL_POINTS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
AREA_RANGES = {"all": (0.0, 1e5**2), "small": (0.0, 32.0**2), "medium": (32.0**2, 96.0**2), "large": (96.0**2, 1e5**2)}
MAX_DETECTIONS = 100
IOU_CAP = 1 - 1e-10


@dataclass(frozen=True)
class GroundTruth:
    """image_ids: int ``[M]``; labels: int ``[M]`` (0..C-1); boxes: float64 ``[M, 4]`` xywh;
    ignored: bool ``[M]`` (neither hit nor miss)."""

    image_ids: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    ignored: np.ndarray


@dataclass(frozen=True)
class ScoredBoxes:
    """Detections: image_ids: int ``[D]``; labels: int ``[D]``; boxes: float64 ``[D, 4]`` xywh; scores: ``[D]``."""

    image_ids: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """precision: ``[T, C, 101]`` interpolated precision at ``RECALL_POINTS`` (-1: class without kept objects);
    recall: ``[T, C]`` final recall (-1 likewise); true_positive: bool ``[T, D]`` per input detection."""

    iou_thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    true_positive: np.ndarray

    @property
    def average_precision(self) -> np.ndarray:
        """AP ``[T, C]`` (NaN for a class without kept objects)."""
        return np.where(self.precision[..., 0] > -1, self.precision.mean(axis=-1), np.nan)

    def mean_average_precision(self) -> float:
        """Mean AP over thresholds and classes that have kept objects (NaN if none)."""
        ap = self.average_precision
        return float(np.nanmean(ap)) if np.isfinite(ap).any() else float("nan")


def coco_iou(detections: np.ndarray, truths: np.ndarray) -> np.ndarray:
    """IoU ``[..., D, M]`` of xywh ``detections [..., D, 4]`` and ``truths [..., M, 4]``, as pycocotools computes it."""
    dx, dy, dw, dh = (detections[..., :, None, i] for i in range(4))
    gx, gy, gw, gh = (truths[..., None, :, i] for i in range(4))
    width = np.minimum(dx + dw, gx + gw) - np.maximum(dx, gx)
    height = np.minimum(dy + dh, gy + gh) - np.maximum(dy, gy)
    overlap = (width > 0) & (height > 0)
    intersection = np.where(overlap, width * height, 0.0)
    union = dw * dh + gw * gh - intersection
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(overlap, intersection / union, 0.0)


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """Position of each entry within its run of equal ``keys`` (already sorted)."""
    position = np.arange(len(keys))
    start = np.ones(len(keys), dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    return position - np.maximum.accumulate(np.where(start, position, 0)) if len(keys) else position


def _outside(boxes: np.ndarray, area_range: tuple[float, float]) -> np.ndarray:
    area = boxes[:, 2] * boxes[:, 3]
    return (area < area_range[0]) | (area > area_range[1])


@dataclass(frozen=True)
class _Layout:
    """Detections and objects of each (image, class) group that has detections, padded.

    det_slot: ``[G, Dmax]`` detection index or -1, in decreasing score order, at most the cap per group;
    gt_slot: ``[G, Mmax]`` object index or -1, in input order.
    """

    det_slot: np.ndarray
    gt_slot: np.ndarray


def _group_layout(truth: GroundTruth, detections: ScoredBoxes, max_detections: int) -> _Layout:
    num_classes = int(max(truth.labels.max(initial=-1), detections.labels.max(initial=-1))) + 1
    det_key = detections.image_ids.astype(np.int64) * num_classes + detections.labels
    gt_key = truth.image_ids.astype(np.int64) * num_classes + truth.labels
    order = np.lexsort((np.arange(len(det_key)), -detections.scores.astype(np.float64), det_key))
    rank = _rank_within(det_key[order])
    order, rank = order[rank < max_detections], rank[rank < max_detections]
    groups, det_group = np.unique(det_key[order], return_inverse=True)
    det_slot = np.full((len(groups), int(rank.max(initial=-1)) + 1), -1, dtype=np.int64)
    det_slot[det_group, rank] = order
    gt_order = np.argsort(gt_key, kind="stable")
    position = np.searchsorted(groups, gt_key[gt_order])
    in_group = position < len(groups)
    in_group[in_group] = groups[position[in_group]] == gt_key[gt_order][in_group]
    gt_order, gt_group = gt_order[in_group], position[in_group]
    gt_rank = _rank_within(gt_group)
    gt_slot = np.full((len(groups), max(int(gt_rank.max(initial=-1)) + 1, 1)), -1, dtype=np.int64)
    gt_slot[gt_group, gt_rank] = gt_order
    return _Layout(det_slot, gt_slot)


def _last_best(iou: np.ndarray, candidate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the last maximum of ``iou`` over ``candidate`` entries (last axis), and whether any exists."""
    value = np.where(candidate, iou, -1.0)[..., ::-1]
    return value.shape[-1] - 1 - value.argmax(axis=-1), candidate.any(axis=-1)


def _match(truth: GroundTruth, detections: ScoredBoxes, thresholds: np.ndarray, area_range, max_detections: int):
    """Greedy matching of every group at once, one detection rank per step.

    Returns ``(matched [T, D] bool, ignored [T, D] bool, counted [D] bool)``: a detection
    is a hit, or ignored, or (neither) a false positive; ``counted`` marks detections within the cap.
    """
    layout = _group_layout(truth, detections, max_detections)
    gt_ignored = truth.ignored | _outside(truth.boxes, area_range)
    gt_exists = layout.gt_slot >= 0
    gt_index = layout.gt_slot.clip(min=0)
    slot_ignored = gt_ignored[gt_index] & gt_exists
    count = len(thresholds)
    taken = np.zeros((count, *layout.gt_slot.shape), dtype=bool)
    matched = np.zeros((count, len(detections.scores)), dtype=bool)
    ignored = np.zeros((count, len(detections.scores)), dtype=bool)
    limits = np.minimum(thresholds, IOU_CAP)[:, None, None]
    group_boxes = truth.boxes[gt_index]
    for rank in range(layout.det_slot.shape[1]):
        slot = layout.det_slot[:, rank]
        present = slot >= 0
        iou = coco_iou(detections.boxes[slot.clip(min=0)][:, None], group_boxes)[:, 0]  # [G, Mmax]
        available = gt_exists & ~taken & (iou >= limits) & present[:, None]
        kept_best, has_kept = _last_best(iou, available & ~slot_ignored)
        ignored_best, has_ignored = _last_best(iou, available & slot_ignored)
        choice = np.where(has_kept, kept_best, np.where(has_ignored, ignored_best, -1))  # [T, G]
        hit = choice >= 0
        t_index, g_index = hit.nonzero()
        taken[t_index, g_index, choice[hit]] = True
        det = slot[g_index]
        matched[t_index, det] = True
        ignored[t_index, det] = slot_ignored[g_index, choice[hit]]
    counted = np.zeros(len(detections.scores), dtype=bool)
    counted[layout.det_slot[layout.det_slot >= 0]] = True
    ignored |= ~matched & _outside(detections.boxes, area_range)[None]
    return matched, ignored, counted


def evaluate(
    truth: GroundTruth,
    detections: ScoredBoxes,
    num_classes: int,
    iou_thresholds: np.ndarray = COCO_IOU_THRESHOLDS,
    area_range: tuple[float, float] = AREA_RANGES["all"],
    max_detections: int = MAX_DETECTIONS,
) -> Evaluation:
    """Precision/recall of ``detections`` against ``truth`` per IoU threshold and class (see module doc)."""
    thresholds = np.asarray(iou_thresholds, dtype=np.float64).reshape(-1)
    matched, ignored, counted = _match(truth, detections, thresholds, area_range, max_detections)
    kept_truth = ~(truth.ignored | _outside(truth.boxes, area_range))
    precision = -np.ones((len(thresholds), num_classes, len(RECALL_POINTS)))
    recall = -np.ones((len(thresholds), num_classes))
    for label in range(num_classes):
        positives = int((kept_truth & (truth.labels == label)).sum())
        if positives == 0:
            continue
        chosen = np.nonzero(counted & (detections.labels == label))[0]
        chosen = chosen[_score_order(detections, chosen)]
        precision[:, label], recall[:, label] = _precision_recall(
            matched[:, chosen], ignored[:, chosen], positives
        )
    return Evaluation(thresholds, precision, recall, matched & ~ignored & counted[None])


def _score_order(detections: ScoredBoxes, chosen: np.ndarray) -> np.ndarray:
    """Order of ``chosen`` detections: decreasing score; ties by image id, then by input order."""
    return np.lexsort((chosen, detections.image_ids[chosen], -detections.scores[chosen].astype(np.float64)))


def _precision_recall(matched: np.ndarray, ignored: np.ndarray, positives: int) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated precision ``[T, 101]`` and final recall ``[T]`` of detections in score order (``[T, D]`` flags)."""
    hits = np.cumsum(matched & ~ignored, axis=1).astype(float)
    misses = np.cumsum(~matched & ~ignored, axis=1).astype(float)
    count = matched.shape[1]
    recall = hits / positives
    precision = hits / (misses + hits + np.spacing(1))
    envelope = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    interpolated = np.zeros((len(matched), len(RECALL_POINTS)))
    final = np.zeros(len(matched))
    for t in range(len(matched)):
        if count:
            index = np.searchsorted(recall[t], RECALL_POINTS, side="left")
            valid = index < count
            interpolated[t, valid] = envelope[t, index[valid]]
            final[t] = recall[t, -1]
    return interpolated, final
