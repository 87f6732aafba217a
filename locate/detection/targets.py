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
    return padded_targets(PaddedObjects.of_split(boxes, labels, visibility), anchors, thresholds, min_visibility)


@dataclass(frozen=True)
class PaddedObjects:
    """The objects of B images, zero-padded to M per image: boxes ``Tensor[B, M, 4]`` xyxy pixels, labels int64
    ``Tensor[B, M]`` (0..C-1), visibility ``Tensor[B, M]`` in [0, 1], valid bool ``Tensor[B, M]`` (False: padding)."""

    boxes: torch.Tensor
    labels: torch.Tensor
    visibility: torch.Tensor
    valid: torch.Tensor

    @classmethod
    def of_split(cls, boxes: list[torch.Tensor], labels: list[torch.Tensor], visibility: list[torch.Tensor]):
        """Per-image lists (as in a ``DetectionSplit``) padded to the split's most objects."""
        padded_boxes, valid = pad_per_image([b.float() for b in boxes])
        return cls(padded_boxes, pad_per_image([label.long() for label in labels])[0],
                   pad_per_image([v.float() for v in visibility])[0], valid)


def padded_targets(objects: PaddedObjects, anchors: torch.Tensor, thresholds: MatchThresholds,
                   min_visibility: float) -> AnchorTargets:
    """Targets of B images whose objects are padded (``anchors``: ``Tensor[A, 4]`` xyxy on the same device)."""
    matched = match_anchors(anchors, objects.boxes, objects.valid, objects.visibility < min_visibility, thresholds)
    positive = matched >= 0
    image, anchor = positive.nonzero(as_tuple=True)
    gt = matched[image, anchor]
    gt_boxes, gt_labels = objects.boxes, objects.labels
    offsets = torch.zeros(*matched.shape, 4, device=matched.device)
    offsets[image, anchor] = encode(gt_boxes[image, gt], anchors[anchor])
    target_labels = torch.where(matched == IGNORE, IGNORED_LABEL, 0)
    target_labels[image, anchor] = gt_labels[image, gt] + 1
    return AnchorTargets(target_labels.to(torch.int8), offsets)
