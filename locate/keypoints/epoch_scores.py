"""Val PCK after each training epoch, for the keypoint histories: when each method stops improving at the task.

Scored with the method's own codec (``make_codec``: heatmaps decoded by argmax with subpixel
refinement, no hand-pair decoding), not with section ``keypoints_eval``:
the training stage must not depend on how the evaluation stage is set, so these figures can differ
from ``metrics/keypoints/`` by the decoding. Scoring runs in eval mode without gradients and draws no
random numbers, so the trained weights are those of a training without it.
"""

from collections.abc import Callable

import torch

from locate.data.datasets import KeypointSplit
from locate.keypoints.evaluation import predict
from locate.keypoints.method import MethodConfig, make_codec
from locate.keypoints.pck import pck
from locate.runtime import Runtime

EPOCH_THRESHOLDS = (0.05, 0.2)  # the course's headline thresholds: precise and coarse
EPOCH_SCORE = "val_pck_symmetric_05"  # the history column that tells when a method stops improving at the task
EPOCH_SCORES = {EPOCH_SCORE: "symmetric PCK@0.05", "val_pck_20": "course PCK@0.2"}  # drawn: history column -> label


def val_pck(split: KeypointSplit, config: MethodConfig,
            runtime: Runtime) -> Callable[[torch.nn.Module], dict[str, float]]:
    """``scores(model) -> {"pck_05", "pck_20", "pck_symmetric_05", "pck_symmetric_20"}`` on ``split``: course PCK
    (hands as labelled) and symmetric PCK (hands as a pair) of ``model`` (built from ``config``)."""
    decoder = make_codec(config)

    def scores(model: torch.nn.Module) -> dict[str, float]:
        predictions = predict(model, decoder, split.images, runtime)
        course = pck(predictions, split.keypoints, EPOCH_THRESHOLDS)
        symmetric = pck(predictions, split.keypoints, EPOCH_THRESHOLDS, symmetric=True)
        named = dict(course)
        named |= {key.replace("pck_", "pck_symmetric_"): value for key, value in symmetric.items()}
        return named

    return scores

