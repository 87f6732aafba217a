"""Each kind of detection error on a hand-made image, judged as COCO's AP@0.5 would count it."""

import torch

from locate.detection_eval.error_kinds import judge_image

TRUTH = torch.tensor([[10.0, 10.0, 50.0, 50.0], [100.0, 100.0, 180.0, 180.0]])
TRUTH_LABELS = torch.tensor([0, 1])


def _judge(rows: list[tuple[list[float], int, float]]) -> list[tuple[str, float]]:
    boxes = torch.tensor([box for box, _, _ in rows])
    labels = torch.tensor([label for _, label, _ in rows])
    scores = torch.tensor([score for _, _, score in rows])
    return [(judged.kind, round(judged.score, 2)) for judged in judge_image(boxes, labels, scores, TRUTH, TRUTH_LABELS)]


def test_each_detection_gets_the_first_kind_that_applies_highest_score_first():
    judged = _judge([
        ([12.0, 10.0, 50.0, 52.0], 0, 0.8),     # on the circle after the exact box: a duplicate
        ([10.0, 10.0, 50.0, 50.0], 0, 0.9),     # the circle exactly: found
        ([100.0, 100.0, 140.0, 140.0], 1, 0.95),  # a quarter of the square: IoU 0.25
        ([100.0, 100.0, 180.0, 180.0], 1, 0.7),  # the square, after the quarter box: still found
        ([10.0, 10.0, 50.0, 50.0], 1, 0.6),     # the circle called a square
        ([200.0, 10.0, 220.0, 30.0], 0, 0.5),   # nothing there
    ])
    assert judged == [("localisation", 0.95), ("true_positive", 0.9), ("duplicate", 0.8), ("true_positive", 0.7),
                      ("class", 0.6), ("background", 0.5)]


def test_a_localisation_error_reports_its_fit_and_size_against_its_object():
    boxes = torch.tensor([[100.0, 100.0, 140.0, 140.0]])
    judged = judge_image(boxes, torch.tensor([1]), torch.tensor([0.9]), TRUTH, TRUTH_LABELS)[0]
    assert judged.kind == "localisation" and judged.iou == 0.25 and judged.area_ratio == 0.25


def test_an_image_without_objects_has_only_background():
    judged = judge_image(torch.tensor([[0.0, 0.0, 5.0, 5.0]]), torch.tensor([0]), torch.tensor([0.4]),
                         torch.zeros(0, 4), torch.zeros(0, dtype=torch.long))
    assert [(d.kind, d.iou) for d in judged] == [("background", 0.0)]
