"""Anchor-relative box encoding: centre offsets scaled by the anchor size, log size ratios; and the box coder,
the one place that knows the variances the detector's heads learn the offsets in."""

import math
from dataclasses import dataclass

import torch

from locate.detection.boxes import cxcywh_to_xyxy, xyxy_to_cxcywh

LOG_SCALE_CLIP = math.log(1000.0 / 16)
UNIT_VARIANCES = (1.0, 1.0, 1.0, 1.0)  # the course's: the heads' box outputs are the offsets themselves


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


@dataclass(frozen=True)
class BoxCoder:
    """The units of the detector's box outputs: offsets (:func:`encode`, :func:`decode`) over ``variances``
    ``(dx, dy, dw, dh)`` (SSD's; torchvision's ``BoxCoder(weights)`` with weights 1 / variances).

    The detector's heads output ``offsets / variances``: :meth:`offsets` turns them into offsets (the model's
    outputs), :meth:`head_values` turns offsets back into the heads' units (where the Smooth L1 compares
    them). With :data:`UNIT_VARIANCES` both are the identity.
    """

    variances: tuple[float, ...] = UNIT_VARIANCES

    @property
    def unit(self) -> bool:
        """Whether the heads' box outputs are the offsets themselves."""
        return tuple(self.variances) == UNIT_VARIANCES

    def offsets(self, head_values: torch.Tensor) -> torch.Tensor:
        """Offsets ``Tensor[..., 4]`` from the heads' box values ``[..., 4]``: times the variances."""
        if self.unit:
            return head_values
        return head_values * torch.tensor(self.variances, device=head_values.device)

    def head_values(self, offsets: torch.Tensor) -> torch.Tensor:
        """The heads' units ``Tensor[..., 4]`` of ``offsets`` ``[..., 4]``: divided by the variances."""
        if self.unit:
            return offsets
        return offsets / torch.tensor(self.variances, device=offsets.device)


UNIT_CODER = BoxCoder()  # the course's
