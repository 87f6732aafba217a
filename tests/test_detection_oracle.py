"""pycocotools, the oracle, scores the predictions files of the tiny pipeline run as the pipeline does.

Both recipes' ``predictions/*_val.json`` from a real (tiny) ``dvc repro`` are scored by COCOeval
against the val annotations: mAP@0.5, mAP@0.5:0.95 and every class's AP@0.5 must equal the
metrics record, and every predicted box must be finite with positive width and height.
"""

import contextlib
import io
import json
import math

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from locate.detection.recipes import RECIPES, RecipeFiles
from locate.records.detector import DetectorMetrics
from locate.records.reading import read_record

VAL_ANNOTATIONS = "data/detection/val.json"


def coco_precision(project, predictions) -> tuple[np.ndarray, list[str]]:
    """pycocotools' precision ``[T, R, K]`` (all areas, 100 detections per image) and the category names."""
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO(str(project / VAL_ANNOTATIONS))
        evaluator = COCOeval(truth, truth.loadRes(str(project / predictions)), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    names = [category["name"] for category in truth.loadCats(evaluator.params.catIds)]
    return evaluator.eval["precision"][:, :, :, 0, 2], names


def mean_defined(precision: np.ndarray) -> float | None:
    """The mean over the defined entries (pycocotools marks the undefined -1), None when there are none."""
    defined = precision[precision > -1]
    return float(defined.mean()) if defined.size else None


@pytest.mark.parametrize("recipe", RECIPES)
def test_pipeline_ap_equals_pycocotools(tiny_baseline, recipe):
    files = RecipeFiles.of(recipe)
    metrics = read_record(tiny_baseline / files.metrics, DetectorMetrics)
    precision, names = coco_precision(tiny_baseline, files.predictions)
    expected = {"map50": mean_defined(precision[0]), "map50_95": mean_defined(precision)}
    expected |= {f"ap50.{name}": mean_defined(precision[0, :, k]) for k, name in enumerate(names)}
    found = {"map50": metrics.map50, "map50_95": metrics.map50_95}
    found |= {f"ap50.{name}": metrics.ap50[name] for name in names}
    assert found == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("recipe", RECIPES)
def test_predicted_boxes_are_finite_and_not_empty(tiny_baseline, recipe):
    predictions = json.loads((tiny_baseline / RecipeFiles.of(recipe).predictions).read_text())
    assert predictions, "the tiny run predicts nothing: the oracle would compare empty sets"
    for prediction in predictions:
        x, y, width, height = prediction["bbox"]
        assert all(math.isfinite(v) for v in (x, y, width, height)) and width > 0 and height > 0, prediction
