"""Detection loss: objectness BCE with hard-negative mining, class CE, and a box loss: Smooth L1 on the encoded
offsets (the course's) or GIoU on the decoded boxes."""

import torch
import torch.nn.functional as F

from locate.detection.box_coder import UNIT_CODER, BoxCoder, decode
from locate.detection.boxes import aligned_iou, generalized_iou
from locate.detection.config import LossWeights
from locate.detection.model import BOX_VALUES


def hard_negatives(negative_loss: torch.Tensor, quota: torch.Tensor) -> torch.Tensor:
    """Mask ``Tensor[B, A]`` of each image's ``quota[b]`` highest entries of ``negative_loss``.

    negative_loss: ``Tensor[B, A]`` with ``-inf`` where the anchor is not a negative;
    quota: int ``Tensor[B]``. Ranks come from one sort per batch, no loop over images.
    """
    order = negative_loss.argsort(dim=1, descending=True)
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(order.shape[1], device=order.device).expand_as(order))
    return (rank < quota[:, None]) & torch.isfinite(negative_loss)


def detection_loss(outputs: torch.Tensor, labels: torch.Tensor, offsets: torch.Tensor, weights: LossWeights,
                   anchors: torch.Tensor | None = None, coder: BoxCoder = UNIT_CODER) -> dict:
    """Loss parts and their weighted total, each normalised by the number of positive anchors.

    outputs: ``Tensor[B, A, 5 + C]`` (box offsets, objectness logit, class logits);
    labels: int ``Tensor[B, A]`` (0 background, 1..C class + 1, -1 ignored);
    offsets: ``Tensor[B, A, 4]`` encoded target boxes. Objectness BCE covers the
    positives and, per image, the ``negatives_per_positive`` x positives background
    anchors with the highest BCE (a positive's target: 1, or its box's :func:`_fit`); class CE and the box loss
    cover the positives. ``anchors`` (``Tensor[A, 4]`` xyxy) are needed by the GIoU box loss and the IoU
    objectness target only; ``coder``: the units of the model's box outputs (the Smooth L1 compares those). Returns
    ``{"total", "obj", "cls", "box"}`` scalars.
    """
    outputs = outputs.float()
    labels = labels.long()
    positive = labels > 0
    negative = labels == 0
    objectness = outputs[..., BOX_VALUES]
    chosen, chosen_offsets = outputs[positive], offsets[positive]
    chosen_anchors = None if anchors is None else anchors[positive.nonzero(as_tuple=True)[1]]
    object_target = positive.float()
    if weights.objectness_target == "iou":
        object_target[positive] = _fit(chosen[:, :BOX_VALUES], chosen_offsets, chosen_anchors)
    object_bce = F.binary_cross_entropy_with_logits(objectness, object_target, reduction="none")
    with torch.no_grad():
        quota = positive.sum(dim=1) * weights.negatives_per_positive
        mined = hard_negatives(torch.where(negative, object_bce, -torch.inf), quota)
    count = positive.sum().clamp(min=1)
    obj = (object_bce * (positive | mined)).sum() / count
    cls = F.cross_entropy(chosen[:, BOX_VALUES + 1 :], labels[positive] - 1, reduction="sum") / count
    box = _box_loss(chosen[:, :BOX_VALUES], chosen_offsets, chosen_anchors, weights, coder) / count
    total = weights.objectness * obj + weights.classification * cls + weights.box * box
    return {"total": total, "obj": obj, "cls": cls, "box": box}


def _box_loss(predicted: torch.Tensor, target: torch.Tensor, anchors: torch.Tensor | None,
              weights: LossWeights, coder: BoxCoder) -> torch.Tensor:
    """Summed box loss of the positives' ``predicted`` and ``target`` offsets (``Tensor[P, 4]``) on their
    ``anchors`` (``Tensor[P, 4]`` xyxy). Smooth L1 compares both in the units of the model's heads
    (:meth:`BoxCoder.head_values`)."""
    if weights.box_loss == "smooth_l1":
        return F.smooth_l1_loss(coder.head_values(predicted), coder.head_values(target), beta=weights.smooth_l1_beta,
                                reduction="sum")
    return (1 - generalized_iou(decode(predicted, anchors), decode(target, anchors))).sum()


def _fit(predicted: torch.Tensor, target: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """IoU ``Tensor[P]`` of each positive's decoded box with its object's, without gradient (the objectness
    target ``objectness_target: iou``); ``predicted``, ``target``: offsets ``Tensor[P, 4]``, ``anchors``
    ``Tensor[P, 4]`` xyxy."""
    with torch.no_grad():
        return aligned_iou(decode(predicted, anchors), decode(target, anchors))
