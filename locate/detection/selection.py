"""Val mAP@0.5 after each training epoch, for the detector's checkpoint rule ``val_map50``.

Scored with the course's evaluation settings (``SELECTION_POSTPROCESS``), not with section
``detector_eval``: the training stage must not depend on how the evaluation stage is set.
"""

from collections.abc import Callable

import numpy as np
import torch

from locate.data.datasets import DetectionSplit
from locate.detection.average_precision import evaluate
from locate.detection.config import DetectorConfig, PostprocessSettings
from locate.detection.prediction import ground_truth, predict_split, predictor_of, rounded_detections
from locate.runtime import Runtime

SELECTION_POSTPROCESS = PostprocessSettings(score_threshold=0.05, nms_iou=0.5, top_k_per_level=100, max_detections=100)
SELECTION_IOU = np.array([0.5])
SCORE_NAME = "map50"  # the history column val_map50


def val_map50(split: DetectionSplit, config: DetectorConfig, batch_size: int,
              runtime: Runtime) -> Callable[[torch.nn.Module], dict[str, float]]:
    """``scores(model) -> {"map50": value}``: the mAP@0.5 of ``model`` (eval mode, built from ``config``) on
    ``split``, all objects."""
    truth = ground_truth(split)
    classes = len(split.category_names)

    def scores(model: torch.nn.Module) -> dict[str, float]:
        predictor = predictor_of(model, config, SELECTION_POSTPROCESS, runtime)
        found = rounded_detections(split.image_ids, predict_split(predictor, split.images, batch_size))
        value = evaluate(truth, found, classes, SELECTION_IOU).mean_average_precision()
        return {SCORE_NAME: 0.0 if np.isnan(value) else value}

    return scores
