"""The detector and keypoint settings of params.yaml that our trainers and the plain references share.

Read from ``params.yaml`` in the working directory (run benchmarks from the repository
root), so that every benchmark trains what the stages train: same widths, anchors,
matching thresholds, loss weights, batch sizes and learning rates.
"""

from dataclasses import dataclass

from locate.detection.config import DetectorConfig, DetectorSchedule, LossWeights, MatchThresholds, read_detector
from locate.keypoints.config import KeypointSchedule, read_keypoints
from locate.keypoints.method import COURSE_LOSS, HEATMAP, REGRESSION, MethodConfig


@dataclass(frozen=True)
class DetectorSettings:
    """Model config, anchor matching, loss weights and training schedule (batch size, lr, ...) of the ``detector``
    section."""

    config: DetectorConfig
    thresholds: MatchThresholds
    min_visibility: float
    weights: LossWeights
    schedule: DetectorSchedule


@dataclass(frozen=True)
class KeypointSettings:
    """Model config (with MSE loss) and training schedule of the ``keypoints`` section for one model."""

    config: MethodConfig
    schedule: KeypointSchedule


def detector_settings(num_classes: int) -> DetectorSettings:
    """The ``detector`` section for a dataset of ``num_classes`` categories."""
    params = read_detector()
    targets = params.targets
    return DetectorSettings(params.model_config(num_classes), targets.thresholds, targets.min_visibility,
                            params.loss_weights, params.schedule)


KEYPOINT_MODELS = (HEATMAP, REGRESSION)


def keypoint_settings(model: str) -> KeypointSettings:
    """The ``keypoints`` section for ``model`` (a name in :data:`KEYPOINT_MODELS`), trained with the course loss."""
    if model not in KEYPOINT_MODELS:
        raise ValueError(f"keypoint model must be one of {', '.join(KEYPOINT_MODELS)}, got {model!r}")
    params = read_keypoints()
    config = MethodConfig.for_model(model, COURSE_LOSS, params.heatmap, params.regression_dropout)
    return KeypointSettings(config, params.schedule)


def batch_size(trainer: str) -> int:
    """Training batch size of ``trainer`` ("detector", "heatmap" or "regression")."""
    if trainer == "detector":
        return read_detector().batch_size
    return keypoint_settings(trainer).schedule.batch_size
