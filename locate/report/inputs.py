"""Everything the report reads: the metrics records, the speed records, the histories, the params, the figures."""

from dataclasses import dataclass

import pandas as pd

from locate.data.config import DataParams, TestDataParams
from locate.detection.config import DetectorEvalParams, DetectorParams
from locate.keypoints.config import AblationParams, KeypointsParams
from locate.records.detector import DetectorDetails, DetectorMetrics
from locate.records.keypoints import KeypointMetrics
from locate.records.seed_noise import SeedNoise
from locate.records.speed import EvaluationSpeed, SpeedRecord, TrainingSpeed


@dataclass(frozen=True)
class ReportParams:
    """The params sections the report's prose states, parsed by the schemas their stages use;
    ``detector_improved``: the keys the improved detector recipe changes, as params.yaml gives them;
    ``results``: params.yaml without its execution settings, as the appendix prints it."""

    data: DataParams
    detector: DetectorParams
    detector_improved: dict
    detector_eval: DetectorEvalParams
    keypoints: KeypointsParams
    ablations: AblationParams
    results: dict


@dataclass(frozen=True)
class RecipeResults:
    """One detector recipe: its headline metrics and details, its training and evaluation speed records and its
    training history (``epoch``, ``train_<part>``, ``val_<part>``, ``val_map50``)."""

    metrics: DetectorMetrics
    details: DetectorDetails
    training: TrainingSpeed
    evaluation: EvaluationSpeed
    history: pd.DataFrame


@dataclass(frozen=True)
class StageSpeeds:
    """keypoint_training: method name -> its training record; keypoint_evaluation: ``evaluate_keypoints``'s
    record; stages: every speed file's stem -> record."""

    keypoint_training: dict[str, TrainingSpeed]
    keypoint_evaluation: EvaluationSpeed
    stages: dict[str, SpeedRecord]


@dataclass(frozen=True)
class TestResults:
    """The held-out test split (no training or checkpoint choice sees it): each detector recipe's headline metrics
    on it (recipe -> record), the keypoint records on it, and the split's params (its seed and size)."""

    detectors: dict[str, DetectorMetrics]
    keypoints: KeypointMetrics
    params: TestDataParams


@dataclass(frozen=True)
class ReportInputs:
    """detector / improved: the course and the improved detector recipe; keypoints: the keypoint records; speed:
    the speed records; keypoint_histories (method name ->): the training histories; params; environment:
    ``{"machine": {...}, "packages": {name: version}}``; figures: figure key -> path relative to the report
    (``failures_<group>`` only where drawn); test: the scores on the held-out test split (the detector, keypoints
    and speed records above are the val split's); noise: the run-to-run noise over seeds (empty where not measured)."""

    detector: RecipeResults
    improved: RecipeResults
    keypoints: KeypointMetrics
    speed: StageSpeeds
    keypoint_histories: dict[str, pd.DataFrame]
    params: ReportParams
    environment: dict
    figures: dict[str, str]
    test: TestResults
    noise: SeedNoise
