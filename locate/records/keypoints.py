"""The format of ``metrics/keypoints.json``: every keypoint method and ablation variant on the val split.

PCK values are keyed by threshold (``pck_05`` = 0.05 of the ground-truth keypoints' bounding-box
diagonal, see :func:`locate.keypoints.pck.threshold_key`); per-keypoint values by keypoint name.
"""

from dataclasses import dataclass

ConfigValue = int | float | str | bool | None


@dataclass(frozen=True)
class MethodScores:
    """One trained model: course PCK, symmetric PCK (the hands as an unordered pair), both per
    keypoint at one threshold, its trainable parameters, the model config of its checkpoint, and its shift
    gain (how far its predictions follow a moved figure, per pixel: :mod:`locate.keypoints.shift_response`)."""

    pck: dict[str, float]
    pck_symmetric: dict[str, float]
    pck_per_keypoint: dict[str, float]
    pck_per_keypoint_symmetric: dict[str, float]
    params: int
    config: dict[str, ConfigValue]
    shift_gain: float


@dataclass(frozen=True)
class Ceilings:
    """Course PCK per threshold of a perfect localiser whose hands are assigned by a coin flip, and
    the most any predictor can reach."""

    random_assignment: dict[str, float]
    best_possible: dict[str, float]


@dataclass(frozen=True)
class Decoding:
    """How heatmaps were decoded: sub-pixel refinement, the hand-pair radius (sigmas, 0 = off); the val images."""

    subpixel: bool
    hand_pair_radius: float
    val_images: int


@dataclass(frozen=True)
class KeypointMetrics:
    """methods: method name -> scores; ablations: variant name -> scores; ceiling: the data's
    ceilings; failure_cases: group name -> val images in it; decoding: the decoding settings."""

    methods: dict[str, MethodScores]
    ablations: dict[str, MethodScores]
    ceiling: Ceilings
    failure_cases: dict[str, int]
    decoding: Decoding
