"""Matcher sentinels and anchor targets on hand-made cases."""

import torch

from locate.detection.box_coder import decode
from locate.detection.config import MatchThresholds
from locate.detection.matcher import BACKGROUND, IGNORE, match_anchors, pad_per_image
from locate.detection.targets import IGNORED_LABEL, anchor_targets

THRESHOLDS = MatchThresholds(positive=0.5, negative=0.3)
ANCHORS = torch.tensor(
    [
        [0.0, 0, 10, 10],  # exactly the first object: positive
        [0, 0, 10, 16],  # IoU 100/160 = 0.625 with it: positive
        [0, 0, 10, 25],  # IoU 0.4: between the thresholds, ignored
        [100, 100, 110, 110],  # far from everything: background
        [52, 52, 62, 62],  # IoU 0.47 with the ignored (hidden) object: ignored
        [200, 200, 260, 260],  # the third object's best anchor, IoU 0.36: kept positive
    ]
)
BOXES = [torch.tensor([[0.0, 0, 10, 10], [50, 50, 60, 60], [200, 200, 300, 300]])]


def test_sentinels_and_best_anchor_rule():
    gt_boxes, valid = pad_per_image(BOXES)
    ignored = torch.tensor([[False, True, False]])
    matched = match_anchors(ANCHORS, gt_boxes, valid, ignored, THRESHOLDS)
    assert matched.tolist() == [[0, 0, IGNORE, BACKGROUND, IGNORE, 2]]


def test_padding_is_never_matched():
    boxes = [torch.tensor([[0.0, 0, 10, 10]]), torch.zeros(0, 4)]
    gt_boxes, valid = pad_per_image(boxes)
    assert valid.tolist() == [[True], [False]]
    matched = match_anchors(ANCHORS, gt_boxes, valid, torch.zeros_like(valid), THRESHOLDS)
    assert (matched[1] == BACKGROUND).all()
    assert matched[0, 0] == 0


def test_targets_decode_back_to_the_matched_object():
    labels = [torch.tensor([2, 0, 1])]
    visibility = [torch.tensor([1.0, 0.05, 0.8])]
    targets = anchor_targets(BOXES, labels, visibility, ANCHORS, THRESHOLDS, min_visibility=0.1)
    assert targets.labels.dtype == torch.int8
    assert targets.labels.tolist() == [[3, 3, IGNORED_LABEL, 0, IGNORED_LABEL, 2]]
    decoded = decode(targets.offsets[0], ANCHORS)
    assert torch.allclose(decoded[[0, 1]], BOXES[0][[0, 0]], atol=1e-4)
    assert torch.allclose(decoded[5], BOXES[0][2], atol=1e-3)
    assert (targets.offsets[0, [2, 3, 4]] == 0).all()
