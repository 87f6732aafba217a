"""Detections scored by pycocotools, the oracle the pipeline's own AP is held to.

:func:`coco_scores` reads a COCO annotation file and a COCO results file (``[{image_id,
category_id, bbox xywh, score}]``, as ``predictions/*_val.json``) and gives mAP@0.5,
mAP@0.5:0.95 and AP@0.5 per class from COCOeval (bbox, all areas, 100 detections per image),
the means over the entries COCOeval defines (it marks the undefined -1). Used by
``benchmarks/detector_oracle.py`` and ``tests/test_detection_oracle.py``.
"""

import contextlib
import io
from pathlib import Path

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def mean_defined(precision: np.ndarray) -> float | None:
    """The mean over the entries of ``precision`` that are not -1 (undefined); None when there are none."""
    defined = precision[precision > -1]
    return float(defined.mean()) if defined.size else None


def coco_scores(annotations: Path, predictions: Path) -> dict:
    """``{"map50", "map50_95", "ap50": {category name: AP@0.5}}`` of ``predictions`` against ``annotations``."""
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO(str(annotations))
        evaluator = COCOeval(truth, truth.loadRes(str(predictions)), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    precision = evaluator.eval["precision"][:, :, :, 0, 2]  # [T, R, K], all areas, 100 detections
    names = [category["name"] for category in truth.loadCats(evaluator.params.catIds)]
    return {"map50": mean_defined(precision[0]), "map50_95": mean_defined(precision),
            "ap50": {name: mean_defined(precision[0, :, k]) for k, name in enumerate(names)}}
