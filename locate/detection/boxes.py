"""Box geometry: format conversion, IoU, and non-maximum suppression (plain and batched).

Formats are named at every boundary: ``xyxy`` corners ``[x1, y1, x2, y2]``, ``cxcywh``
centre and size, ``xywh`` COCO's top-left corner and size.
"""

import torch


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Areas ``Tensor[...]`` of ``boxes: Tensor[..., 4]`` xyxy (0 for empty boxes)."""
    return (boxes[..., 2] - boxes[..., 0]).clamp(min=0) * (boxes[..., 3] - boxes[..., 1]).clamp(min=0)


def box_iou(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU ``Tensor[..., N, M]`` of ``first: Tensor[..., N, 4]`` and ``second: Tensor[..., M, 4]`` xyxy.

    Leading dimensions broadcast; an empty union gives IoU 0.
    """
    top_left = torch.maximum(first[..., :, None, :2], second[..., None, :, :2])
    bottom_right = torch.minimum(first[..., :, None, 2:], second[..., None, :, 2:])
    size = (bottom_right - top_left).clamp(min=0)
    intersection = size[..., 0] * size[..., 1]
    union = box_area(first)[..., :, None] + box_area(second)[..., None, :] - intersection
    return torch.where(union > 0, intersection / union.clamp(min=torch.finfo(union.dtype).tiny), 0.0)


def xyxy_to_cxcywh(boxes: torch.Tensor) -> torch.Tensor:
    """``Tensor[..., 4]`` xyxy -> ``Tensor[..., 4]`` cxcywh."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=-1)


def cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    """``Tensor[..., 4]`` cxcywh -> ``Tensor[..., 4]`` xyxy."""
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)


def xyxy_to_xywh(boxes: torch.Tensor) -> torch.Tensor:
    """``Tensor[..., 4]`` xyxy -> ``Tensor[..., 4]`` xywh (COCO)."""
    return torch.cat([boxes[..., :2], boxes[..., 2:] - boxes[..., :2]], dim=-1)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy NMS: indices ``Tensor[K]`` (int64, by decreasing score) of the boxes kept.

    boxes: ``Tensor[N, 4]`` xyxy; scores: ``Tensor[N]``. A box is dropped when its IoU
    with a kept box of higher score is above ``iou_threshold``. The greedy result is the
    unique fixed point of ``keep[i] = not any(keep[j] and IoU[j, i] > t for j before i)``;
    it is reached by iterating that rule on the whole IoU matrix, a few matrix passes
    instead of a Python loop over boxes.
    """
    order = torch.sort(scores, descending=True, stable=True).indices
    ranked = boxes[order]
    overlaps = torch.triu(box_iou(ranked, ranked) > iou_threshold, diagonal=1)
    keep = torch.ones(len(order), dtype=torch.bool, device=boxes.device)
    while True:
        suppressed = (overlaps & keep[:, None]).any(dim=0)
        updated = ~suppressed
        if torch.equal(updated, keep):
            return order[keep]
        keep = updated


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, groups: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS within each group (e.g. image x class): indices ``Tensor[K]`` kept, by decreasing score.

    boxes: ``Tensor[N, 4]`` xyxy; scores: ``Tensor[N]``; groups: int ``Tensor[N]``. Boxes of
    different groups are shifted apart by more than their extent so they never overlap.
    """
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    offset = groups.to(boxes.dtype)[:, None] * (boxes.max() - boxes.min() + 1)
    return nms(boxes + offset, scores, iou_threshold)
