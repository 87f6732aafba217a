"""Which scale does the work: true positives per scale and class, and anchor coverage per scale and class."""

import torch

from locate.detection.boxes import box_iou


def scale_specialization(true_positive: torch.Tensor, levels: torch.Tensor, labels: torch.Tensor,
                         num_levels: int, num_classes: int) -> torch.Tensor:
    """Counts ``Tensor[L, C]`` of true positives by the scale of the anchor that produced them and by class.

    true_positive: bool ``Tensor[D]``; levels: int ``Tensor[D]`` (0..L-1); labels: int ``Tensor[D]`` (0..C-1).
    """
    index = levels[true_positive] * num_classes + labels[true_positive]
    return torch.bincount(index, minlength=num_levels * num_classes).reshape(num_levels, num_classes)


def anchor_coverage(gt_boxes: torch.Tensor, gt_labels: torch.Tensor, anchors: torch.Tensor, anchor_levels: torch.Tensor,
                    num_levels: int, num_classes: int, iou_threshold: float = 0.5) -> torch.Tensor:
    """Counts ``Tensor[L, C]`` of ground-truth boxes that an anchor of each scale overlaps at IoU >= the threshold.

    gt_boxes: ``Tensor[M, 4]`` xyxy (all images together); gt_labels: int ``Tensor[M]``;
    anchors: ``Tensor[A, 4]`` xyxy; anchor_levels: int ``Tensor[A]``.
    """
    best = torch.zeros(num_levels, len(gt_boxes))
    for level in range(num_levels):
        level_anchors = anchors[anchor_levels == level]
        if len(gt_boxes):
            best[level] = box_iou(gt_boxes.float(), level_anchors).amax(dim=1)
    covered = (best >= iou_threshold).long()
    one_hot = torch.nn.functional.one_hot(gt_labels.long(), num_classes)
    return covered @ one_hot
