"""What each detection of an image is, judged against the objects as COCO's AP@0.5 judges it.

Detections of one image are taken by score, highest first. One that overlaps an object of its
class not yet found at IoU at least ``MATCH_IOU`` finds it (a true positive, the object it
overlaps most); every other is a false positive of one kind, the first that applies:

- ``duplicate``: it overlaps an object of its class at ``MATCH_IOU`` or more, found already;
- ``localisation``: it overlaps an object of its class at ``NEAR_IOU`` or more, too little to match;
- ``class``: it overlaps an object of another class at ``MATCH_IOU`` or more;
- ``background``: none of these.
"""

from dataclasses import dataclass

import torch

from locate.detection.boxes import box_area, box_iou

MATCH_IOU, NEAR_IOU = 0.5, 0.1
KINDS = ("true_positive", "duplicate", "localisation", "class", "background")


@dataclass(frozen=True)
class JudgedDetection:
    """One detection's ``kind`` (one of ``KINDS``), its ``score``, and for a true positive or a localisation
    error its IoU with the object of its class it overlaps most and its area over that object's (else 0)."""

    kind: str
    score: float
    iou: float
    area_ratio: float


def judge_image(boxes: torch.Tensor, labels: torch.Tensor, scores: torch.Tensor, truth: torch.Tensor,
                truth_labels: torch.Tensor) -> list[JudgedDetection]:
    """Each of one image's detections judged, highest score first.

    boxes: ``Tensor[D, 4]`` xyxy pixels; labels: int ``Tensor[D]``; scores: ``Tensor[D]``;
    truth: ``Tensor[G, 4]`` xyxy pixels; truth_labels: int ``Tensor[G]``.
    """
    order = scores.argsort(descending=True)
    if len(truth) == 0:
        return [JudgedDetection("background", float(scores[detection]), 0.0, 0.0) for detection in order.tolist()]
    overlap = box_iou(boxes[order], truth)
    same_class = labels[order][:, None] == truth_labels[None, :]
    own, other = overlap * same_class, overlap * ~same_class
    found = torch.zeros(len(truth), dtype=torch.bool)
    judged = []
    for row, detection in enumerate(order.tolist()):
        free = own[row] * ~found
        best_object = int(own[row].argmax())
        if free.max() >= MATCH_IOU:
            best_object = int(free.argmax())
            found[best_object] = True
            kind = "true_positive"
        elif own[row, best_object] >= MATCH_IOU:
            kind = "duplicate"
        elif own[row, best_object] >= NEAR_IOU:
            kind = "localisation"
        elif other[row].max() >= MATCH_IOU:
            kind = "class"
        else:
            kind = "background"
        iou, ratio = 0.0, 0.0
        if kind in ("true_positive", "localisation"):
            iou = float(overlap[row, best_object])
            ratio = float(box_area(boxes[detection]) / box_area(truth[best_object]))
        judged.append(JudgedDetection(kind, float(scores[detection]), iou, ratio))
    return judged
