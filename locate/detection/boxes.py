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
    a1, b1, a2, b2 = (first[..., :, None, i] for i in range(4))
    c1, d1, c2, d2 = (second[..., None, :, i] for i in range(4))
    width = (torch.minimum(a2, c2) - torch.maximum(a1, c1)).clamp_(min=0)
    height = (torch.minimum(b2, d2) - torch.maximum(b1, d1)).clamp_(min=0)
    intersection = width.mul_(height)
    union = box_area(first)[..., :, None] + box_area(second)[..., None, :] - intersection
    return torch.where(union > 0, intersection / union.clamp(min=torch.finfo(union.dtype).tiny), 0.0)


def aligned_iou(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Elementwise IoU ``Tensor[...]`` of two aligned box sets ``Tensor[..., 4]`` xyxy, in [0, 1]."""
    intersection, union = _intersection_and_union(first, second)
    return intersection / union.clamp(min=1e-6)


def _intersection_and_union(first: torch.Tensor, second: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Elementwise intersection and union areas ``Tensor[...]`` of two aligned box sets ``Tensor[..., 4]`` xyxy."""
    top_left = torch.maximum(first[..., :2], second[..., :2])
    bottom_right = torch.minimum(first[..., 2:], second[..., 2:])
    intersection = (bottom_right - top_left).clamp(min=0).prod(dim=-1)
    return intersection, box_area(first) + box_area(second) - intersection


def generalized_iou(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Elementwise GIoU ``Tensor[...]`` of two aligned box sets ``Tensor[..., 4]`` xyxy (Rezatofighi et al. 2019):
    IoU minus the share of the smallest enclosing box that neither box covers; in [-1, 1]."""
    intersection, union = _intersection_and_union(first, second)
    enclosing = (torch.maximum(first[..., 2:], second[..., 2:]) - torch.minimum(first[..., :2], second[..., :2]))
    enclosing_area = enclosing.clamp(min=0).prod(dim=-1)
    return intersection / union.clamp(min=1e-6) - (enclosing_area - union) / enclosing_area.clamp(min=1e-6)


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


def overlapping_pairs(boxes: torch.Tensor, iou_threshold: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairs ``(first Tensor[P], second Tensor[P])`` of distinct ``boxes: Tensor[N, 4]`` xyxy with IoU > a threshold.

    Each unordered pair appears once. Only pairs whose x ranges overlap are compared: in
    order of ``x1``, box i is compared with the following boxes that start before its
    ``x2``, a band of the IoU matrix rather than the whole matrix.
    """
    count = len(boxes)
    by_x = torch.argsort(boxes[:, 0], stable=True)
    starts = boxes[by_x, 0].contiguous()
    position = torch.arange(count, device=boxes.device)
    reach = torch.searchsorted(starts, boxes[by_x, 2].contiguous(), side="left")
    width = (reach - position - 1).clamp(min=0)
    band = int(width.max()) if count else 0
    offset = torch.arange(1, band + 1, device=boxes.device)
    inside = offset[None, :] <= width[:, None]  # [N, band]
    first = by_x[position[:, None].expand(-1, band)[inside]]
    second = by_x[(position[:, None] + offset[None, :])[inside]]
    over = box_iou(boxes[first][:, None], boxes[second][:, None])[:, 0, 0] > iou_threshold
    return first[over], second[over]


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy NMS: indices ``Tensor[K]`` (int64, by decreasing score) of the boxes kept.

    boxes: ``Tensor[N, 4]`` xyxy; scores: ``Tensor[N]``. A box is dropped when its IoU
    with a kept box of higher score is above ``iou_threshold``. The greedy result is the
    unique fixed point of ``keep[j] = not any(keep[i] for i ranked before j with IoU[i, j] > t)``;
    it is reached by iterating that rule over the overlapping pairs, a few vector passes
    instead of a Python loop over boxes.
    """
    order = torch.sort(scores, descending=True, stable=True).indices
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order), device=order.device)
    first, second = overlapping_pairs(boxes, iou_threshold)
    earlier_first = rank[first] < rank[second]
    winner = torch.where(earlier_first, first, second)
    loser = torch.where(earlier_first, second, first)
    keep = torch.ones(len(order), dtype=torch.bool, device=boxes.device)
    while True:
        suppressed = torch.zeros(len(order), device=boxes.device).index_add_(0, loser, keep[winner].float()) > 0
        if torch.equal(~suppressed, keep):
            return order[keep[order]]
        keep = ~suppressed


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, groups: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS within each group (e.g. image x class): indices ``Tensor[K]`` kept, by decreasing score.

    boxes: ``Tensor[N, 4]`` xyxy; scores: ``Tensor[N]``; groups: int ``Tensor[N]``. Boxes of
    different groups are shifted apart by more than their extent so they never overlap
    (nor share an x range, which keeps :func:`overlapping_pairs` to the boxes of one group).
    """
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    offset = groups.to(boxes.dtype)[:, None] * (boxes.max() - boxes.min() + 1)
    return nms(boxes + offset, scores, iou_threshold)
