"""Everything the report reads: the metrics records, the speed records, the histories, the params, the figures."""

from dataclasses import dataclass

import pandas as pd

from locate.data.config import DataParams
from locate.detection.config import DetectorEvalParams, DetectorParams
from locate.keypoints.config import AblationParams, KeypointsParams
from locate.records.detector import DetectorMetrics
from locate.records.keypoints import KeypointMetrics
from locate.records.speed import EvaluationSpeed, SpeedRecord, TrainingSpeed


@dataclass(frozen=True)
class ReportParams:
    """The params sections the report's prose states, parsed by the schemas their stages use;
    ``results``: params.yaml without its execution settings, as the appendix prints it."""

    data: DataParams
    detector: DetectorParams
    detector_eval: DetectorEvalParams
    keypoints: KeypointsParams
    ablations: AblationParams
    results: dict


@dataclass(frozen=True)
class StageSpeeds:
    """detector_training: ``train_detector``'s record; keypoint_training: method name -> its training
    record; keypoint_evaluation: ``evaluate_keypoints``'s record; stages: every speed file's stem -> record."""

    detector_training: TrainingSpeed
    keypoint_training: dict[str, TrainingSpeed]
    keypoint_evaluation: EvaluationSpeed
    stages: dict[str, SpeedRecord]


@dataclass(frozen=True)
class ReportInputs:
    """detector / keypoints: the metrics records; speed: the speed records; detector_history and
    keypoint_histories (method name ->): the training histories (``epoch``, ``train_<part>``,
    ``val_<part>``); params; environment: ``{"machine": {...}, "packages": {name: version}}``;
    figures: figure key -> path relative to the report (``failures_<group>`` only where drawn)."""

    detector: DetectorMetrics
    keypoints: KeypointMetrics
    speed: StageSpeeds
    detector_history: pd.DataFrame
    keypoint_histories: dict[str, pd.DataFrame]
    params: ReportParams
    environment: dict
    figures: dict[str, str]
