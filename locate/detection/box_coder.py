"""Anchor-relative box encoding: centre offsets scaled by the anchor size, log size ratios."""

import math

import torch

from locate.detection.boxes import cxcywh_to_xyxy, xyxy_to_cxcywh

LOG_SCALE_CLIP = math.log(1000.0 / 16)


def encode(boxes: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """Offsets ``Tensor[..., 4]`` ``(dx, dy, dw, dh)`` of ``boxes`` relative to ``anchors`` (both ``[..., 4]`` xyxy).

    ``dx = (cx - acx) / aw``, ``dy = (cy - acy) / ah``, ``dw = log(w / aw)``, ``dh = log(h / ah)``.
    Boxes must have positive width and height.
    """
    box = xyxy_to_cxcywh(boxes)
    anchor = xyxy_to_cxcywh(anchors)
    centre = (box[..., :2] - anchor[..., :2]) / anchor[..., 2:]
    scale = torch.log(box[..., 2:] / anchor[..., 2:])
    return torch.cat([centre, scale], dim=-1)


def decode(offsets: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """Boxes ``Tensor[..., 4]`` xyxy from ``offsets`` ``[..., 4]`` and ``anchors`` ``[..., 4]`` xyxy.

    The exact inverse of :func:`encode`; log scales are clamped to ``LOG_SCALE_CLIP``
    before ``exp`` so that a wild prediction cannot overflow.
    """
    anchor = xyxy_to_cxcywh(anchors)
    centre = anchor[..., :2] + offsets[..., :2] * anchor[..., 2:]
    size = anchor[..., 2:] * torch.exp(offsets[..., 2:].clamp(max=LOG_SCALE_CLIP))
    return cxcywh_to_xyxy(torch.cat([centre, size], dim=-1))
