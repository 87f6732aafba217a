"""pycocotools, the oracle, scores the predictions files of the tiny pipeline run as the pipeline does.

Both recipes' ``predictions/*_val.json`` from a real (tiny) ``dvc repro`` are scored by COCOeval
against the val annotations: mAP@0.5, mAP@0.5:0.95 and every class's AP@0.5 must equal the
metrics record, and every predicted box must be finite with positive width and height.
"""

import json
import math

import pytest

from locate.detection.recipes import RECIPES, RecipeFiles
from locate.records.detector import DetectorMetrics
from locate.records.reading import read_record
from tools.coco_scores import coco_scores

VAL_ANNOTATIONS = "data/detection/val.json"


@pytest.mark.parametrize("recipe", RECIPES)
def test_pipeline_ap_equals_pycocotools(tiny_baseline, recipe):
    files = RecipeFiles.of(recipe)
    metrics = read_record(tiny_baseline / files.metrics, DetectorMetrics)
    scores = coco_scores(tiny_baseline / VAL_ANNOTATIONS, tiny_baseline / files.predictions)
    expected = {"map50": scores["map50"], "map50_95": scores["map50_95"]}
    expected |= {f"ap50.{name}": value for name, value in scores["ap50"].items()}
    found = {"map50": metrics.map50, "map50_95": metrics.map50_95}
    found |= {f"ap50.{name}": metrics.ap50[name] for name in scores["ap50"]}
    assert found == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("recipe", RECIPES)
def test_predicted_boxes_are_finite_and_not_empty(tiny_baseline, recipe):
    predictions = json.loads((tiny_baseline / RecipeFiles.of(recipe).predictions).read_text())
    assert predictions, "the tiny run predicts nothing: the oracle would compare empty sets"
    for prediction in predictions:
        x, y, width, height = prediction["bbox"]
        assert all(math.isfinite(v) for v in (x, y, width, height)) and width > 0 and height > 0, prediction
