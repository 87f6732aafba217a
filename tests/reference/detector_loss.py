"""Anchor matching and detection loss computed image by image in a Python loop, on every step.

The definitions are those of :mod:`locate.detection.matcher`, :mod:`locate.detection.targets`
and :mod:`locate.detection.loss`: IoU >= positive is a match, below negative is background,
in between is ignored; anchors overlapping an object less visible than ``min_visibility``
at IoU >= negative are ignored unless matched; each kept object's best anchor is a match.
Objectness BCE over the positives and each image's 3:1 hardest background anchors, class
CE and Smooth L1 over the positives, all summed over the batch and divided by its number
of positive anchors.
"""

import torch
import torch.nn.functional as F

from locate.detection.box_coder import encode
from locate.detection.boxes import box_iou
from locate.detection.config import LossWeights, MatchThresholds
from locate.detection.model import BOX_VALUES

IGNORED = -1


def match_image(anchors: torch.Tensor, target: dict[str, torch.Tensor], thresholds: MatchThresholds,
                min_visibility: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Targets of one image: ``(labels int64 Tensor[A], offsets Tensor[A, 4])``.

    anchors: ``Tensor[A, 4]`` xyxy; target: ``boxes Tensor[M, 4]`` xyxy, ``labels Tensor[M]``,
    ``visibility Tensor[M]``. Labels: 0 background, class + 1 for a match, ``IGNORED``.
    """
    labels = torch.zeros(len(anchors), dtype=torch.int64)
    offsets = torch.zeros(len(anchors), 4)
    kept = target["visibility"] >= min_visibility
    boxes, classes, hidden = target["boxes"][kept], target["labels"][kept], target["boxes"][~kept]
    if len(hidden) > 0:
        labels[box_iou(anchors, hidden).max(dim=1).values >= thresholds.negative] = IGNORED
    if len(boxes) == 0:
        return labels, offsets
    iou = box_iou(anchors, boxes)  # [A, M]
    best_iou, best_box = iou.max(dim=1)
    labels[(best_iou >= thresholds.negative) & (best_iou < thresholds.positive)] = IGNORED
    positive = best_iou >= thresholds.positive
    for index in range(len(boxes)):
        anchor = iou[:, index].argmax()
        best_box[anchor] = index
        positive[anchor] = True
    labels[positive] = classes[best_box[positive]] + 1
    offsets[positive] = encode(boxes[best_box[positive]], anchors[positive])
    return labels, offsets


def image_loss_sums(outputs: torch.Tensor, labels: torch.Tensor, offsets: torch.Tensor,
                    weights: LossWeights) -> dict[str, torch.Tensor]:
    """Unnormalised sums ``{"obj", "cls", "box"}`` and ``"positives"`` of one image.

    outputs: ``Tensor[A, 5 + C]``; labels: int64 ``Tensor[A]``; offsets: ``Tensor[A, 4]``.
    """
    positive = labels > 0
    negative = labels == 0
    bce = F.binary_cross_entropy_with_logits(outputs[:, BOX_VALUES], positive.float(), reduction="none")
    count = int(positive.sum())
    negative_bce = bce[negative]
    hardest = negative_bce.topk(min(count * weights.negatives_per_positive, len(negative_bce))).values
    return {
        "obj": bce[positive].sum() + hardest.sum(),
        "cls": F.cross_entropy(outputs[positive, BOX_VALUES + 1 :], labels[positive] - 1, reduction="sum"),
        "box": F.smooth_l1_loss(outputs[positive, :BOX_VALUES], offsets[positive], beta=weights.smooth_l1_beta,
                                reduction="sum"),
        "positives": torch.tensor(count),
    }


def batch_loss(outputs: torch.Tensor, targets: list[dict[str, torch.Tensor]], anchors: torch.Tensor,
               thresholds: MatchThresholds, min_visibility: float, weights: LossWeights) -> dict[str, torch.Tensor]:
    """``{"total", "obj", "cls", "box"}`` of a batch: ``outputs Tensor[B, A, 5 + C]``, one target dict per image."""
    sums = {"obj": 0.0, "cls": 0.0, "box": 0.0, "positives": 0}
    for image_outputs, target in zip(outputs, targets, strict=True):
        labels, offsets = match_image(anchors, target, thresholds, min_visibility)
        for name, value in image_loss_sums(image_outputs, labels, offsets, weights).items():
            sums[name] = sums[name] + value
    count = max(int(sums.pop("positives")), 1)
    parts = {name: value / count for name, value in sums.items()}
    total = weights.objectness * parts["obj"] + weights.classification * parts["cls"] + weights.box * parts["box"]
    return {"total": total, **parts}
