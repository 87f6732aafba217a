"""Our COCO-style AP against pycocotools (the oracle) and a hand-computed case."""

import contextlib
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from locate.detection.average_precision import AREA_RANGES, GroundTruth, ScoredBoxes, evaluate

NUM_CLASSES = 3


class IgnoringEval(COCOeval):
    """COCOeval whose listed annotation ids are ignored as non-crowd objects (neither hit nor miss).

    pycocotools derives ``ignore`` from ``iscrowd`` in ``_prepare``, which would also switch
    IoU to crowd semantics; setting the flag after ``_prepare`` keeps plain IoU.
    """

    def __init__(self, truth, results, ignored_ids):
        super().__init__(truth, results, "bbox")
        self.ignored_ids = ignored_ids

    def _prepare(self):
        super()._prepare()
        for objects in self._gts.values():
            for annotation in objects:
                annotation["ignore"] = int(annotation["id"] in self.ignored_ids)


def pycocotools_precision(truth: GroundTruth, detections: ScoredBoxes, image_ids: list[int]) -> np.ndarray:
    """pycocotools' precision ``[T, R, K, A]`` at 100 detections per image."""
    annotations = [
        {"id": index + 1, "image_id": int(i), "category_id": int(c), "bbox": [float(v) for v in b],
         "area": float(b[2] * b[3]), "iscrowd": 0}
        for index, (i, c, b) in enumerate(zip(truth.image_ids, truth.labels, truth.boxes, strict=True))
    ]
    coco = COCO()
    coco.dataset = {
        "images": [{"id": i} for i in image_ids],
        "annotations": annotations,
        "categories": [{"id": c} for c in range(NUM_CLASSES)],
    }
    results = [
        {"image_id": int(i), "category_id": int(c), "bbox": [float(v) for v in b], "score": float(s)}
        for i, c, b, s in zip(detections.image_ids, detections.labels, detections.boxes, detections.scores, strict=True)
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
        evaluator = IgnoringEval(coco, coco.loadRes(results), {index + 1 for index in np.nonzero(truth.ignored)[0]})
        evaluator.evaluate()
        evaluator.accumulate()
    return evaluator.eval["precision"][..., 2]


def random_case(seed: int) -> tuple[GroundTruth, ScoredBoxes, list[int]]:
    """Objects on a coarse grid (ties and exact IoU values are common), detections near them and at random."""
    rng = np.random.default_rng(seed)
    image_ids = list(range(10, 10 + int(rng.integers(3, 12))))
    truth_rows, detection_rows = [], []
    for image in image_ids:
        if rng.random() < 0.2:
            continue  # an empty image
        for _ in range(int(rng.integers(0, 6))):
            size = rng.choice([8, 20, 40, 100, 120], size=2)
            corner = rng.integers(0, 20, size=2) * 5
            label = int(rng.integers(0, NUM_CLASSES - (seed % 2)))  # odd seeds: the last class has no objects
            truth_rows.append((image, label, [*corner, *size], rng.random() < 0.2))
            for _ in range(int(rng.integers(0, 3))):
                jitter = rng.integers(-2, 3, size=4) * size.max() / 8
                box = np.maximum([*corner, *size] + jitter, [0, 0, 1, 1])
                detection_rows.append((image, label if rng.random() < 0.8 else int(rng.integers(0, NUM_CLASSES)), box))
        for _ in range(int(rng.integers(0, 4))):
            box = [*(rng.integers(0, 20, size=2) * 5), *rng.choice([8, 20, 40, 100], size=2)]
            detection_rows.append((image, int(rng.integers(0, NUM_CLASSES)), box))
    truth_rows.append((image_ids[0], 0, [0, 0, 10, 10], False))
    detection_rows.append((image_ids[0], 0, [0, 0, 10, 5]))  # IoU exactly 0.5
    for image in image_ids[1:3]:  # an ignored object over a kept one, and two identical kept objects
        truth_rows += [(image, 1, [60, 60, 40, 40], True), (image, 1, [60, 60, 40, 44], False)]
        truth_rows += [(image, 2, [0, 100, 30, 30], False), (image, 2, [0, 100, 30, 30], False)]
        detection_rows += [(image, 1, [60, 60, 40, 40]), (image, 1, [60, 62, 40, 40])]
        detection_rows += [(image, 2, [0, 100, 30, 30]), (image, 2, [0, 104, 30, 30]), (image, 2, [2, 90, 30, 30])]
    truth = GroundTruth(
        np.array([r[0] for r in truth_rows]), np.array([r[1] for r in truth_rows]),
        np.array([r[2] for r in truth_rows], dtype=np.float64), np.array([r[3] for r in truth_rows], dtype=bool),
    )
    scores = np.round(rng.random(len(detection_rows)), 1)  # ties across and within images
    detections = ScoredBoxes(
        np.array([r[0] for r in detection_rows]), np.array([r[1] for r in detection_rows]),
        np.array([r[2] for r in detection_rows], dtype=np.float64), scores,
    )
    return truth, detections, image_ids


@pytest.mark.parametrize("seed", range(8))
def test_precision_equals_pycocotools_at_every_threshold_and_area(seed):
    truth, detections, image_ids = random_case(seed)
    expected = pycocotools_precision(truth, detections, image_ids)  # [T, R, K, A]
    for area_index, area_range in enumerate(AREA_RANGES.values()):
        ours = evaluate(truth, detections, NUM_CLASSES, area_range=area_range)
        np.testing.assert_allclose(ours.precision, expected[..., area_index].transpose(0, 2, 1), atol=1e-6)
    ours = evaluate(truth, detections, NUM_CLASSES, iou_thresholds=np.array([0.5]))
    ap50 = expected[0, :, :, 0]
    assert abs(ours.mean_average_precision() - ap50[ap50 > -1].mean()) < 1e-6


def test_hand_case_false_positive_then_true_positive():
    truth = GroundTruth(np.array([1, 1]), np.array([0, 0]), np.array([[0, 0, 10, 10], [50, 50, 10, 10]], float),
                        np.zeros(2, dtype=bool))
    detections = ScoredBoxes(np.array([1, 1]), np.array([0, 0]), np.array([[100, 100, 10, 10], [0, 0, 10, 10]], float),
                             np.array([0.9, 0.5]))
    ap = evaluate(truth, detections, 1, iou_thresholds=np.array([0.5])).average_precision[0, 0]
    assert ap == pytest.approx(51 * 0.5 / 101, abs=1e-12)
    assert round(ap, 4) == 0.2525


def test_ignored_object_is_neither_hit_nor_miss():
    truth = GroundTruth(np.array([1, 1]), np.array([0, 0]), np.array([[0, 0, 10, 10], [50, 50, 10, 10]], float),
                        np.array([False, True]))
    detections = ScoredBoxes(np.array([1, 1]), np.array([0, 0]), np.array([[50, 50, 10, 10], [0, 0, 10, 10]], float),
                             np.array([0.9, 0.5]))
    evaluation = evaluate(truth, detections, 1, iou_thresholds=np.array([0.5]))
    assert evaluation.average_precision[0, 0] == pytest.approx(1.0)
    assert evaluation.true_positive[0].tolist() == [False, True]


def test_class_without_detections_scores_zero_and_class_without_objects_is_undefined():
    truth = GroundTruth(np.array([1]), np.array([1]), np.array([[0, 0, 10, 10]], float), np.zeros(1, dtype=bool))
    detections = ScoredBoxes(np.array([1]), np.array([0]), np.array([[0, 0, 10, 10]], float), np.array([0.7]))
    ap = evaluate(truth, detections, 2, iou_thresholds=np.array([0.5])).average_precision[0]
    assert np.isnan(ap[0]) and ap[1] == 0.0


def test_no_detections_at_all():
    truth = GroundTruth(np.array([1]), np.array([0]), np.array([[0, 0, 10, 10]], float), np.zeros(1, dtype=bool))
    empty = ScoredBoxes(np.zeros(0, int), np.zeros(0, int), np.zeros((0, 4)), np.zeros(0))
    evaluation = evaluate(truth, empty, 1)
    assert evaluation.mean_average_precision() == 0.0 and evaluation.true_positive.shape == (10, 0)
