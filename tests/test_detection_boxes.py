"""Box geometry: IoU, conversions, NMS against a plain Python reference."""

import pytest
import torch

from locate.detection.boxes import batched_nms, box_iou, cxcywh_to_xyxy, nms, xyxy_to_cxcywh, xyxy_to_xywh


def reference_iou(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    intersection = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return intersection / union if union > 0 else 0.0


def reference_nms(boxes, scores, threshold):
    """Textbook greedy NMS over Python lists."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    kept = []
    for index in order:
        if all(reference_iou(boxes[index], boxes[k]) <= threshold for k in kept):
            kept.append(index)
    return kept


def random_boxes(count, generator):
    corner = torch.rand(count, 2, generator=generator) * 100
    size = torch.rand(count, 2, generator=generator) * 40 + 1
    return torch.cat([corner, corner + size], dim=1)


def test_iou_of_known_boxes():
    boxes = torch.tensor([[0.0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    iou = box_iou(boxes, boxes)
    assert iou[0, 1].item() == pytest.approx(50 / 150)
    assert iou[0, 2].item() == 0.0
    assert torch.allclose(iou.diagonal(), torch.ones(3))


def test_conversions_round_trip():
    boxes = random_boxes(20, torch.Generator().manual_seed(0))
    assert torch.allclose(cxcywh_to_xyxy(xyxy_to_cxcywh(boxes)), boxes, atol=1e-5)
    assert torch.allclose(xyxy_to_xywh(boxes)[:, 2:], boxes[:, 2:] - boxes[:, :2])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_nms_matches_plain_reference(seed, threshold):
    generator = torch.Generator().manual_seed(seed)
    boxes = random_boxes(60, generator)
    scores = torch.rand(60, generator=generator)
    kept = nms(boxes, scores, threshold)
    assert kept.tolist() == reference_nms(boxes.tolist(), scores.tolist(), threshold)


def test_batched_nms_equals_nms_per_group():
    generator = torch.Generator().manual_seed(3)
    boxes = random_boxes(80, generator)
    scores = torch.rand(80, generator=generator)
    groups = torch.randint(0, 4, (80,), generator=generator)
    kept = set(batched_nms(boxes, scores, groups, 0.5).tolist())
    expected = set()
    for group in range(4):
        members = (groups == group).nonzero()[:, 0]
        expected |= {members[i].item() for i in reference_nms(boxes[members].tolist(), scores[members].tolist(), 0.5)}
    assert kept == expected
    assert batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64), 0.5).numel() == 0
