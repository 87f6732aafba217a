"""Scale specialisation counts and anchor coverage on small cases."""

import torch

from locate.detection_eval.analysis import anchor_coverage, scale_specialization


def test_scale_specialization_counts_true_positives_by_level_and_class():
    true_positive = torch.tensor([True, True, False, True])
    levels = torch.tensor([0, 2, 0, 2])
    labels = torch.tensor([0, 2, 0, 2])
    assert scale_specialization(true_positive, levels, labels, 3, 3).tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 2]]


def test_anchor_coverage_per_level_and_class():
    anchors = torch.tensor([[0.0, 0, 10, 10], [0, 0, 100, 100]])
    anchor_levels = torch.tensor([0, 1])
    boxes = torch.tensor([[0.0, 0, 10, 10], [0, 0, 90, 90], [0, 0, 30, 30]])
    labels = torch.tensor([0, 2, 1])
    coverage = anchor_coverage(boxes, labels, anchors, anchor_levels, 2, 3)
    assert coverage.tolist() == [[1, 0, 0], [0, 0, 1]]
