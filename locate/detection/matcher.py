"""Anchor to ground-truth matching by IoU, for a batch of images at once.

Each anchor gets one ground-truth index, or a negative sentinel: ``BACKGROUND`` (IoU
below the negative threshold with every kept object) or ``IGNORE`` (IoU between the
thresholds, or overlapping an object that is itself ignored, e.g. hidden under others).
"""

import torch

from locate.detection.boxes import box_iou
from locate.detection.config import MatchThresholds

BACKGROUND = -1
IGNORE = -2


def match_anchors(
    anchors: torch.Tensor,
    gt_boxes: torch.Tensor,
    gt_valid: torch.Tensor,
    gt_ignored: torch.Tensor,
    thresholds: MatchThresholds,
) -> torch.Tensor:
    """Matched ground-truth index per anchor: int64 ``Tensor[B, A]`` (``0..M-1``, ``BACKGROUND`` or ``IGNORE``).

    anchors: ``Tensor[A, 4]`` xyxy; gt_boxes: ``Tensor[B, M, 4]`` xyxy, padded;
    gt_valid: bool ``Tensor[B, M]`` (False for padding); gt_ignored: bool ``Tensor[B, M]``
    (objects that are neither positive nor negative in training).
    Each kept object's best anchor is also a match, whatever its IoU, so every kept
    object is learnt. Anchors overlapping an ignored object at IoU >= ``negative`` that
    are not matched to a kept object are ``IGNORE``.
    """
    iou = box_iou(anchors, gt_boxes).transpose(1, 2)  # [B, M, A]
    kept = gt_valid & ~gt_ignored
    kept_iou = torch.where(kept[..., None], iou, -1.0)
    best_iou, best_gt = kept_iou.max(dim=1)  # [B, A]
    matched = torch.where(best_iou >= thresholds.positive, best_gt, BACKGROUND)
    between = (best_iou >= thresholds.negative) & (best_iou < thresholds.positive)
    ignored_iou = torch.where((gt_valid & gt_ignored)[..., None], iou, -1.0).amax(dim=1)
    matched = torch.where(between | ((matched == BACKGROUND) & (ignored_iou >= thresholds.negative)), IGNORE, matched)
    return _force_best_anchors(matched, kept_iou, kept)


def _force_best_anchors(matched: torch.Tensor, kept_iou: torch.Tensor, kept: torch.Tensor) -> torch.Tensor:
    """``matched`` with each kept object's highest-IoU anchor set to that object (``kept_iou``: ``[B, M, A]``)."""
    best_anchor = kept_iou.argmax(dim=2)  # [B, M]
    image, gt = kept.nonzero(as_tuple=True)
    matched = matched.clone()
    matched[image, best_anchor[image, gt]] = gt
    return matched


def pad_per_image(items: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image ``Tensor[M_i, ...]`` stacked as ``(Tensor[B, M, ...] zero-padded, valid bool Tensor[B, M])``.

    ``M = max M_i`` (at least 1); all items share their trailing shape and dtype.
    """
    lengths = torch.tensor([len(item) for item in items], dtype=torch.int64)
    count = max(int(lengths.max()) if len(items) else 0, 1)
    valid = torch.arange(count)[None, :] < lengths[:, None]
    padded = torch.zeros((len(items), count, *items[0].shape[1:]), dtype=items[0].dtype)
    padded[valid] = torch.cat(items)
    return padded, valid
