"""Postprocessing on hand-made outputs: scores, decoding, degenerate boxes, NMS, per-image cap, levels, voting."""

from collections import Counter

import pytest
import torch

from locate.data.datasets import DetectionSplit
from locate.detection.config import PostprocessSettings
from locate.detection.postprocess import (
    Detections,
    _rank_within,
    class_scores,
    postprocess,
    proper_boxes,
    voted_boxes,
)
from locate.detection_eval.duplicates import duplicate_pairs

ANCHORS = torch.tensor([[0.0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 90, 90], [-5, -5, 5, 5]])
LEVELS = torch.tensor([0, 0, 1, 1])
SETTINGS = PostprocessSettings(score_threshold=0.1, nms_iou=0.5, top_k_per_level=10, max_detections=100)


def outputs_with(objectness: list[list[float]], classes: list[list[int]]) -> torch.Tensor:
    """Outputs ``[B, 4, 8]``: zero offsets, the given objectness logits, a confident class per anchor."""
    outputs = torch.zeros(len(objectness), 4, 8)
    outputs[..., 4] = torch.tensor(objectness)
    outputs[..., 5:] = -10.0
    for image, row in enumerate(classes):
        for anchor, label in enumerate(row):
            outputs[image, anchor, 5 + label] = 10.0
    return outputs


def test_class_scores_are_objectness_times_class_probability():
    outputs = torch.zeros(1, 1, 8)
    assert torch.allclose(class_scores(outputs), torch.full((1, 1, 3), 0.5 / 3))


def test_decoding_nms_clipping_and_levels():
    outputs = outputs_with([[5.0, 4.0, 3.0, 2.0], [-9.0, -9.0, 3.0, -9.0]], [[0, 0, 1, 2], [0, 0, 1, 0]])
    found = postprocess(outputs, ANCHORS, LEVELS, 224, SETTINGS)
    assert found.image_index.tolist() == [0, 0, 0, 1]
    assert found.labels.tolist() == [0, 1, 2, 1]  # anchor 1 suppressed by anchor 0 (same class, IoU 0.82)
    assert found.levels.tolist() == [0, 1, 1, 1]
    assert torch.allclose(found.boxes[2], torch.tensor([0.0, 0, 5, 5]))  # clipped to the image
    assert (found.scores[:2] >= found.scores[1:3]).all()  # by decreasing score within an image


def test_cap_per_image_and_threshold():
    outputs = outputs_with([[5.0, 4.0, 3.0, 2.0]] * 2, [[0, 1, 2, 0]] * 2)
    settings = PostprocessSettings(score_threshold=0.1, nms_iou=0.5, top_k_per_level=10, max_detections=2)
    found = postprocess(outputs, ANCHORS, LEVELS, 224, settings)
    assert found.image_index.tolist() == [0, 0, 1, 1]
    assert found.labels.tolist() == [0, 1, 0, 1]
    strict = PostprocessSettings(score_threshold=0.999, nms_iou=0.5, top_k_per_level=10, max_detections=2)
    assert len(postprocess(outputs, ANCHORS, LEVELS, 224, strict).scores) == 0


def test_rank_within_runs():
    assert _rank_within(torch.tensor([0, 0, 1, 3, 3, 3])).tolist() == [0, 1, 0, 0, 1, 2]
    assert _rank_within(torch.zeros(0, dtype=torch.int64)).tolist() == []


def test_box_voting_averages_the_boxes_nms_merged_by_score():
    boxes = torch.tensor([[10.0, 10, 50, 50], [14, 10, 54, 50], [100, 100, 140, 140]])
    scores = torch.tensor([0.9, 0.3, 0.8])
    groups = torch.tensor([0, 0, 0])
    kept = voted_boxes(boxes[[0, 2]], scores[[0, 2]], groups[[0, 2]], boxes, scores, groups, 0.5)
    assert kept[0].tolist() == pytest.approx([11.0, 10, 51, 50])  # (0.9 * 10 + 0.3 * 14) / 1.2
    assert kept[1].tolist() == [100, 100, 140, 140]
    other_class = voted_boxes(boxes[:1], scores[:1], groups[:1], boxes, scores, torch.tensor([0, 1, 0]), 0.5)
    assert other_class[0].tolist() == [10, 10, 50, 50]


def test_proper_boxes_drop_empty_inverted_and_non_finite_boxes():
    boxes = torch.tensor([[0.0, 0, 10, 10], [5, 5, 5, 9], [5, 5, 9, 5], [9, 0, 5, 4], [float("nan")] * 4,
                          [0, 0, float("inf"), 4]])
    assert proper_boxes(boxes).tolist() == [True, False, False, False, False, False]


@pytest.mark.parametrize("box_voting", [False, True])
def test_zero_area_and_outside_boxes_never_reach_the_detections(box_voting):
    outputs = outputs_with([[5.0, 4.0, 3.0, 2.0]], [[0, 1, 2, 0]])
    outputs[0, 1, 2:4] = -40.0  # width and height shrink to nothing: a zero-area box after float rounding
    outputs[0, 2, 0] = 20.0  # moved 800 px right: clipped to the image's edge, width 0
    settings = PostprocessSettings(0.1, 0.5, 10, 100, box_voting)
    found = postprocess(outputs, ANCHORS, LEVELS, 224, settings)
    assert found.labels.tolist() == [0, 0]  # anchors 0 and 3 only
    assert found.boxes.isfinite().all() and proper_boxes(found.boxes).all()


def test_box_voting_keeps_a_box_without_votes():
    candidates = torch.tensor([[10.0, 10, 10, 50], [10, 10, 50, 50], [12, 10, 52, 50]])
    groups = torch.tensor([0, 0, 0])
    zero_area = voted_boxes(candidates[:1], torch.tensor([0.9]), groups[:1], candidates, torch.tensor([0.9, 0.8, 0.7]),
                            groups, 0.5)
    assert zero_area.tolist() == [[10.0, 10, 10, 50]]  # overlaps nothing, not even itself: kept, not 0 / 0
    silent = voted_boxes(candidates[1:2], torch.zeros(1), groups[1:2], candidates, torch.zeros(3), groups, 0.5)
    assert silent.tolist() == [[10.0, 10, 50, 50]]  # every voter weighs 0


def test_a_candidate_votes_only_for_the_box_nms_merged_it_into():
    """Two kept boxes of one class under the NMS threshold of each other, and a candidate between them that overlaps
    both: it votes for the higher-scoring one alone, so the two are not pulled together onto one object."""
    kept = torch.tensor([[0.0, 0, 40, 40], [20, 0, 60, 40]])  # IoU 1/3: both survive NMS at 0.5
    between = torch.tensor([[10.0, 0, 50, 40]])  # IoU 0.6 with each
    candidates = torch.cat([kept, between])
    scores, groups = torch.tensor([0.9, 0.8, 0.7]), torch.zeros(3, dtype=torch.int64)
    voted = voted_boxes(kept, scores[:2], groups[:2], candidates, scores, groups, 0.5)
    assert voted[0].tolist() == pytest.approx([(0.9 * 0 + 0.7 * 10) / 1.6, 0, (0.9 * 40 + 0.7 * 50) / 1.6, 40])
    assert voted[1].tolist() == [20, 0, 60, 40]  # its own vote only


def test_duplicates_are_pairs_of_confident_detections_of_one_class_on_one_object():
    truth = [torch.tensor([[0.0, 0, 40, 40], [100, 100, 140, 140]])]
    split = DetectionSplit(torch.zeros(1, 3, 224, 224, dtype=torch.uint8), torch.tensor([7]), truth,
                           [torch.tensor([0, 1])], [torch.ones(2)], ["circle", "square"])
    detections = Detections(
        torch.zeros(5, dtype=torch.int64),
        torch.tensor([[0.0, 0, 40, 40], [2, 0, 42, 40], [1, 1, 41, 41], [100, 100, 140, 140], [0, 0, 38, 40]]),
        torch.tensor([0.9, 0.8, 0.4, 0.9, 0.7]),
        torch.tensor([0, 0, 0, 1, 1]),  # the last is a square on the circle: another class, no duplicate
        torch.tensor([0, 1, 1, 2, 0]),
    )
    assert duplicate_pairs(detections, split) == Counter({"scale1+scale2": 1})  # the 0.4 one is below 0.5
