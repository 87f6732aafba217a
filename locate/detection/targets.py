"""Training targets of every anchor for a whole split, computed once before training."""

from dataclasses import dataclass

import torch

from locate.detection.box_coder import encode
from locate.detection.config import MatchThresholds
from locate.detection.matcher import IGNORE, match_anchors, pad_per_image

IGNORED_LABEL = -1
CHUNK_IMAGES = 64


@dataclass(frozen=True)
class AnchorTargets:
    """labels: int8 ``Tensor[N, A]`` (0 background, 1..C object class + 1, ``IGNORED_LABEL``);
    offsets: float32 ``Tensor[N, A, 4]`` encoded boxes of the matched objects (0 elsewhere)."""

    labels: torch.Tensor
    offsets: torch.Tensor


def anchor_targets(
    boxes: list[torch.Tensor],
    labels: list[torch.Tensor],
    visibility: list[torch.Tensor],
    anchors: torch.Tensor,
    thresholds: MatchThresholds,
    min_visibility: float,
) -> AnchorTargets:
    """Targets for N images.

    boxes: per image ``Tensor[M_i, 4]`` xyxy; labels: per image int ``Tensor[M_i]`` in
    0..C-1; visibility: per image ``Tensor[M_i]`` in [0, 1]; anchors: ``Tensor[A, 4]``
    xyxy. Objects with visibility below ``min_visibility`` are ignored (their anchors
    are neither positive nor negative). Images are matched in chunks, all images of a
    chunk at once.
    """
    chunks = [
        _chunk_targets(boxes[s : s + CHUNK_IMAGES], labels[s : s + CHUNK_IMAGES], visibility[s : s + CHUNK_IMAGES],
                       anchors, thresholds, min_visibility)
        for s in range(0, len(boxes), CHUNK_IMAGES)
    ]
    return AnchorTargets(torch.cat([c.labels for c in chunks]), torch.cat([c.offsets for c in chunks]))


def _chunk_targets(boxes, labels, visibility, anchors, thresholds, min_visibility) -> AnchorTargets:
    gt_boxes, valid = pad_per_image([b.float() for b in boxes])
    gt_labels, _ = pad_per_image([label.long() for label in labels])
    gt_visibility, _ = pad_per_image([v.float() for v in visibility])
    matched = match_anchors(anchors, gt_boxes, valid, gt_visibility < min_visibility, thresholds)
    positive = matched >= 0
    image, anchor = positive.nonzero(as_tuple=True)
    gt = matched[image, anchor]
    offsets = torch.zeros(*matched.shape, 4)
    offsets[image, anchor] = encode(gt_boxes[image, gt], anchors[anchor])
    target_labels = torch.where(matched == IGNORE, IGNORED_LABEL, 0)
    target_labels[image, anchor] = gt_labels[image, gt] + 1
    return AnchorTargets(target_labels.to(torch.int8), offsets)
