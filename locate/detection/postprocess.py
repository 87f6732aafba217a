"""From raw model outputs to final detections: scores, per-level top-k, decoding, clipping, removal of
degenerate boxes, batched NMS, box voting."""

from dataclasses import dataclass

import torch

from locate.detection.box_coder import decode
from locate.detection.boxes import batched_nms, box_iou
from locate.detection.config import PostprocessSettings
from locate.detection.model import BOX_VALUES


@dataclass(frozen=True)
class Detections:
    """Detections of a batch, flat: row i belongs to image ``image_index[i]`` of the batch.

    image_index: int64 ``Tensor[D]``; boxes: ``Tensor[D, 4]`` xyxy pixels; scores: ``Tensor[D]``;
    labels: int64 ``Tensor[D]`` (category ids 0..C-1); levels: int64 ``Tensor[D]`` (scale of the
    anchor that produced each detection, 0..L-1). Sorted by image, then by decreasing score.
    """

    image_index: torch.Tensor
    boxes: torch.Tensor
    scores: torch.Tensor
    labels: torch.Tensor
    levels: torch.Tensor


def class_scores(outputs: torch.Tensor) -> torch.Tensor:
    """``Tensor[B, A, C]`` scores ``sigmoid(objectness) * softmax(class logits)`` of ``outputs[B, A, 5 + C]``."""
    outputs = outputs.float()
    return torch.sigmoid(outputs[..., BOX_VALUES, None]) * torch.softmax(outputs[..., BOX_VALUES + 1 :], dim=-1)


def _level_candidates(scores: torch.Tensor, first: int, settings: PostprocessSettings) -> tuple[torch.Tensor, ...]:
    """Top-k (image, anchor, class, score) of one level; ``scores``: ``Tensor[B, A_l, C]``, anchors from ``first``."""
    batch, anchors, classes = scores.shape
    flat = scores.reshape(batch, anchors * classes)
    values, index = flat.topk(min(settings.top_k_per_level, flat.shape[1]), dim=1)
    image, slot = (values > settings.score_threshold).nonzero(as_tuple=True)
    chosen = index[image, slot]
    return image, first + chosen // classes, chosen % classes, values[image, slot]


def postprocess(
    outputs: torch.Tensor, anchors: torch.Tensor, levels: torch.Tensor, image_size: int, settings: PostprocessSettings
) -> Detections:
    """Detections of ``outputs: Tensor[B, A, 5 + C]``, given ``anchors: Tensor[A, 4]`` xyxy and ``levels: Tensor[A]``.

    Per image and level the ``top_k_per_level`` (anchor, class) pairs above the score
    threshold are decoded and clipped to the image; boxes left without width or height (or
    not finite) are dropped; the rest are suppressed by NMS within each image and class, and
    at most ``max_detections`` per image are kept.
    """
    scores = class_scores(outputs)
    counts = torch.bincount(levels, minlength=int(levels.max()) + 1).tolist()
    starts = [sum(counts[:index]) for index in range(len(counts))]
    parts = [_level_candidates(scores[:, s : s + n], s, settings) for s, n in zip(starts, counts, strict=True)]
    image, anchor, label, score = (torch.cat(column) for column in zip(*parts, strict=True))
    boxes = decode(outputs[image, anchor, :BOX_VALUES].float(), anchors[anchor]).clamp(0, image_size)
    proper = proper_boxes(boxes)
    image, anchor, label, score, boxes = image[proper], anchor[proper], label[proper], score[proper], boxes[proper]
    groups = image * scores.shape[-1] + label
    keep = batched_nms(boxes, score, groups, settings.nms_iou)
    keep = keep[torch.sort(image[keep], stable=True).indices]
    keep = keep[_rank_within(image[keep]) < settings.max_detections]
    kept_boxes = boxes[keep]
    if settings.box_voting:
        kept_boxes = voted_boxes(kept_boxes, score[keep], groups[keep], boxes, score, groups, settings.nms_iou)
    return Detections(image[keep], kept_boxes, score[keep], label[keep], levels[anchor[keep]])


def proper_boxes(boxes: torch.Tensor) -> torch.Tensor:
    """Boolean ``Tensor[N]``: which ``boxes: Tensor[N, 4]`` xyxy are finite with positive width and height
    (torchvision's ``remove_small_boxes`` at size 0, and non-finite boxes out too)."""
    return boxes.isfinite().all(dim=1) & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])


def voted_boxes(kept: torch.Tensor, kept_scores: torch.Tensor, kept_groups: torch.Tensor, candidates: torch.Tensor,
                scores: torch.Tensor, groups: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Box voting: each ``kept`` box (``Tensor[K, 4]`` xyxy, with ``kept_scores`` and ``kept_groups`` ``[K]``)
    replaced by the score-weighted mean of the boxes NMS merged into it: the ``candidates`` (``Tensor[N, 4]``,
    their ``scores`` and ``groups`` ``[N]``, the kept boxes among them) of its group (image and class) that
    overlap it at IoU >= ``iou_threshold`` and overlap no higher-scoring kept box so. Each candidate votes once,
    so two kept boxes near one another are not pulled onto one object. A kept box without votes of positive
    weight (e.g. a box of zero area, or every voter scores 0) stays as it is; the result is finite wherever
    ``kept`` and the voters are."""
    if len(kept) == 0:
        return kept
    overlaps = (box_iou(kept, candidates) >= iou_threshold) & (kept_groups[:, None] == groups[None, :])
    ranked = torch.where(overlaps, kept_scores[:, None], -torch.inf)
    merged_into = ranked.argmax(dim=0)  # for each candidate, the highest-scoring kept box it overlaps
    voters = overlaps & (torch.arange(len(kept), device=kept.device)[:, None] == merged_into[None, :])
    weights = voters * scores[None, :]
    total = weights.sum(dim=1, keepdim=True)
    voted = weights @ candidates / total.clamp(min=torch.finfo(total.dtype).tiny)
    return torch.where(total > 0, voted, kept)


def _rank_within(sorted_groups: torch.Tensor) -> torch.Tensor:
    """Position of each entry within its run of equal values in the sorted ``Tensor[D]``."""
    position = torch.arange(len(sorted_groups), device=sorted_groups.device)
    is_start = torch.ones_like(sorted_groups, dtype=torch.bool)
    is_start[1:] = sorted_groups[1:] != sorted_groups[:-1]
    start = torch.cummax(torch.where(is_start, position, 0), dim=0).values
    return position - start
