"""The ``detector`` and ``detector_eval`` sections of params.yaml, and every detector setting built from them.

``detector`` holds the model's widths and anchors, the anchor matching, the loss weights
and the training recipe; ``detector_eval`` the postprocessing and the evaluation options.
The number of scales is the number of ``detector.anchor_sizes`` lists: ``detector.channels``
holds the two stem widths, then one width per scale. Scale ``i`` (0 the finest) has stride
``4 * 2**i``: the stem halves the image once, then each scale's block halves it again.

The settings records here (:class:`DetectorConfig`, :class:`MatchThresholds`, :class:`Targets`,
:class:`LossWeights`, :class:`DetectorSchedule`, :class:`PostprocessSettings`) are what the model,
matcher, loss, trainer and postprocessing take; the params schemas build them.
"""

from dataclasses import asdict, dataclass

import torch

from locate.data.shapes import SCENE_SIZE
from locate.detection.anchors import ANCHOR_CENTRES, all_anchors
from locate.detection.box_coder import UNIT_VARIANCES, BoxCoder
from locate.detection.checkpoint_rules import CHECKPOINT_RULES
from locate.params import (
    MAX_BATCH_SIZE,
    MAX_CANDIDATES,
    MAX_DRAWN_IMAGES,
    MAX_EPOCHS,
    MAX_SEED,
    MAX_TIMED_IMAGES,
    read_section,
    require,
    require_count,
)

STEM_WIDTHS = 2
STEM_STRIDE = 2
BLOCK_STRIDE = 2
LR_SCHEDULES = ("constant", "cosine")
MAX_WIDTH = 4096  # channels of one layer: wider layers need more memory than a machine of this project has
BOX_LOSSES = ("smooth_l1", "giou")
OBJECTNESS_TARGETS = ("binary", "iou")
MAX_HEAD_DILATION = 4


def scale_strides(num_scales: int) -> list[int]:
    """Stride in pixels of each scale's feature map, finest first: 4, 8, 16, ..."""
    return [STEM_STRIDE * BLOCK_STRIDE ** (scale + 1) for scale in range(num_scales)]


def max_scales(image_size: int) -> int:
    """The most scales whose strides all divide ``image_size`` (4 for 224 = 7 * 32)."""
    count = 0
    while scale_strides(count + 1)[-1] <= image_size and image_size % scale_strides(count + 1)[-1] == 0:
        count += 1
    return count


@dataclass(frozen=True)
class DetectorConfig:
    """What rebuilds the model and its anchors (stored in the checkpoint).

    channels: widths of stem conv 1, stem conv 2, then one per scale (course: 32, 64, then
    128, 256, 512 for three scales); anchor_sizes: square anchor sides per scale, finest
    first (scale 1 = the stride-4 map, 56x56 for 224 pixels); num_classes: C;
    image_size: input side in pixels; top_down: merge each scale with the coarser ones before
    the heads; head_dilation: dilation of the heads' 3x3 conv on every scale but the finest
    (the course: no merge, dilation 1); anchor_centre: where each cell's anchors are centred (one of
    ``ANCHOR_CENTRES``, the course: "cell"); box_variances: the units of the model's box outputs
    ``(dx, dy, dw, dh)``, its :meth:`box_coder` (SSD's variances; the course: all 1, the offsets themselves).
    """

    channels: list[int]
    anchor_sizes: list[list[float]]
    num_classes: int
    image_size: int
    top_down: bool = False
    head_dilation: int = 1
    anchor_centre: str = "cell"
    box_variances: tuple[float, ...] = UNIT_VARIANCES

    @property
    def strides(self) -> list[int]:
        """Stride in pixels of each scale's feature map (4, 8, 16 for three scales)."""
        return scale_strides(len(self.anchor_sizes))

    @property
    def feature_sizes(self) -> list[int]:
        """Side of each scale's feature map (56, 28, 14 for three scales of a 224-pixel image)."""
        return [self.image_size // stride for stride in self.strides]

    def anchors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(anchors Tensor[A, 4] xyxy, level Tensor[A])`` in the order of the model's outputs."""
        return all_anchors(self.image_size, self.feature_sizes, self.anchor_sizes, self.anchor_centre)

    def box_coder(self) -> BoxCoder:
        """The units of the model's box outputs (its ``box_variances``): what the model and the loss share."""
        return BoxCoder(tuple(self.box_variances))

    def to_dict(self) -> dict:
        """Plain dict for a checkpoint's meta."""
        return asdict(self)


@dataclass(frozen=True)
class MatchThresholds:
    """IoU >= ``positive`` is a match, < ``negative`` is background, in between is ignored."""

    positive: float
    negative: float


@dataclass(frozen=True)
class Targets:
    """How anchors become training targets: the IoU thresholds, and the least visibility an object needs."""

    thresholds: MatchThresholds
    min_visibility: float


@dataclass(frozen=True)
class LossWeights:
    """Weights of the parts, negatives kept per positive, the Smooth L1 transition point, the box loss
    (one of ``BOX_LOSSES``) and the objectness target of a positive anchor (one of ``OBJECTNESS_TARGETS``:
    1, or the IoU of its decoded box with its object, so that the score ranks boxes by how well they fit)."""

    objectness: float
    classification: float
    box: float
    negatives_per_positive: int
    smooth_l1_beta: float
    box_loss: str = "smooth_l1"
    objectness_target: str = "binary"


@dataclass(frozen=True)
class Augmentation:
    """hflip: mirror each image left-right with probability 1/2; max_shift: move each image by a whole number
    of pixels drawn uniformly from ``[-max_shift, max_shift]`` along each axis (0: no shift)."""

    hflip: bool
    max_shift: int

    @property
    def active(self) -> bool:
        """Whether any transform is on."""
        return self.hflip or self.max_shift > 0


@dataclass(frozen=True)
class DetectorSchedule:
    """Optimisation: Adam at ``lr``, ``lr_schedule`` (constant, or cosine decay to 0 over the epochs), the
    training images' ``augmentation``, and the ``checkpoint`` rule (one of ``CHECKPOINT_RULES``)."""

    batch_size: int
    epochs: int
    lr: float
    lr_schedule: str
    seed: int
    augmentation: Augmentation = Augmentation(hflip=False, max_shift=0)
    checkpoint: str = "val_loss"


@dataclass(frozen=True)
class PostprocessSettings:
    """score_threshold: minimum objectness x class probability; nms_iou: NMS IoU threshold;
    top_k_per_level: candidates kept per image and level before NMS; max_detections: per image;
    box_voting: each kept box becomes the score-weighted mean of the candidates it suppressed and itself."""

    score_threshold: float
    nms_iou: float
    top_k_per_level: int
    max_detections: int
    box_voting: bool = False

    def __post_init__(self) -> None:
        key = "detector_eval.postprocess"
        require(0 <= self.score_threshold < 1, f"{key}.score_threshold", self.score_threshold, "a number in [0, 1)")
        require(0 < self.nms_iou <= 1, f"{key}.nms_iou", self.nms_iou, "a number in (0, 1]")
        require_count(self.top_k_per_level, f"{key}.top_k_per_level", 1, MAX_CANDIDATES)
        require_count(self.max_detections, f"{key}.max_detections", 1, MAX_CANDIDATES)


@dataclass(frozen=True)
class DetectorParams:
    """Section ``detector``: model, anchors, matching, loss and training schedule."""

    channels: list[int]
    anchor_sizes: list[list[float]]
    positive_iou: float
    negative_iou: float
    min_visibility: float
    objectness_weight: float
    class_weight: float
    box_weight: float
    negatives_per_positive: int
    smooth_l1_beta: float
    batch_size: int
    epochs: int
    lr: float
    lr_schedule: str
    seed: int
    top_down: bool
    head_dilation: int
    box_loss: str
    hflip: bool
    max_shift: int
    checkpoint: str
    anchor_centre: str
    box_variances: list[float]
    objectness_target: str

    def __post_init__(self) -> None:
        most = max_scales(SCENE_SIZE)
        sizes_ok = 1 <= len(self.anchor_sizes) <= most and all(s and min(s) > 0 for s in self.anchor_sizes)
        require(sizes_ok, "detector.anchor_sizes", self.anchor_sizes,
                f"1 to {most} non-empty lists of positive sides, one per scale (strides "
                f"{', '.join(map(str, scale_strides(most)))} divide the {SCENE_SIZE}-pixel image)")
        widths = STEM_WIDTHS + len(self.anchor_sizes)
        require(len(self.channels) == widths and 1 <= min(self.channels) and max(self.channels) <= MAX_WIDTH,
                "detector.channels", self.channels,
                f"{widths} widths in [1, {MAX_WIDTH}]: {STEM_WIDTHS} for the stem, then one for each of the "
                f"{len(self.anchor_sizes)} scales of detector.anchor_sizes")
        require(0 < self.positive_iou <= 1, "detector.positive_iou", self.positive_iou, "a number in (0, 1]")
        require(0 <= self.negative_iou <= self.positive_iou, "detector.negative_iou", self.negative_iou,
                "a number in [0, positive_iou]")
        require(0 <= self.min_visibility <= 1, "detector.min_visibility", self.min_visibility, "a number in [0, 1]")
        for key in ("objectness_weight", "class_weight", "box_weight"):
            require(getattr(self, key) >= 0, f"detector.{key}", getattr(self, key), "a number >= 0")
        require_count(self.negatives_per_positive, "detector.negatives_per_positive", 0, MAX_CANDIDATES)
        require(self.smooth_l1_beta > 0, "detector.smooth_l1_beta", self.smooth_l1_beta, "a number > 0")
        require_count(self.batch_size, "detector.batch_size", 1, MAX_BATCH_SIZE)
        require_count(self.epochs, "detector.epochs", 1, MAX_EPOCHS)
        require(self.lr > 0, "detector.lr", self.lr, "a number > 0")
        require(self.lr_schedule in LR_SCHEDULES, "detector.lr_schedule", self.lr_schedule, " or ".join(LR_SCHEDULES))
        require_count(self.seed, "detector.seed", 0, MAX_SEED)
        require(1 <= self.head_dilation <= MAX_HEAD_DILATION, "detector.head_dilation", self.head_dilation,
                f"an integer from 1 to {MAX_HEAD_DILATION}")
        require(self.box_loss in BOX_LOSSES, "detector.box_loss", self.box_loss, " or ".join(BOX_LOSSES))
        require(self.anchor_centre in ANCHOR_CENTRES, "detector.anchor_centre", self.anchor_centre,
                " or ".join(ANCHOR_CENTRES))
        require(len(self.box_variances) == 4 and min(self.box_variances) > 0, "detector.box_variances",
                self.box_variances, "four numbers > 0 (dx, dy, dw, dh)")
        require(self.objectness_target in OBJECTNESS_TARGETS, "detector.objectness_target", self.objectness_target,
                " or ".join(OBJECTNESS_TARGETS))
        require(self.checkpoint in CHECKPOINT_RULES, "detector.checkpoint", self.checkpoint,
                " or ".join(CHECKPOINT_RULES))
        require(0 <= self.max_shift <= SCENE_SIZE // 4, "detector.max_shift", self.max_shift,
                f"an integer from 0 to {SCENE_SIZE // 4} pixels")

    def model_config(self, num_classes: int) -> DetectorConfig:
        """The model and anchors for ``num_classes`` categories on ``SCENE_SIZE``-pixel images."""
        return DetectorConfig(channels=self.channels, anchor_sizes=self.anchor_sizes, num_classes=num_classes,
                              image_size=SCENE_SIZE, top_down=self.top_down, head_dilation=self.head_dilation,
                              anchor_centre=self.anchor_centre, box_variances=tuple(self.box_variances))

    @property
    def targets(self) -> Targets:
        """Anchor matching thresholds and the least visibility of a training object."""
        return Targets(MatchThresholds(positive=self.positive_iou, negative=self.negative_iou),
                       min_visibility=self.min_visibility)

    @property
    def loss_weights(self) -> LossWeights:
        """Weights of the loss parts, hard-negative quota and Smooth L1 beta."""
        return LossWeights(objectness=self.objectness_weight, classification=self.class_weight, box=self.box_weight,
                           negatives_per_positive=self.negatives_per_positive, smooth_l1_beta=self.smooth_l1_beta,
                           box_loss=self.box_loss, objectness_target=self.objectness_target)

    @property
    def schedule(self) -> DetectorSchedule:
        """Batch size, epochs, learning rate and its schedule, seed, augmentation."""
        return DetectorSchedule(batch_size=self.batch_size, epochs=self.epochs, lr=self.lr,
                                lr_schedule=self.lr_schedule, seed=self.seed,
                                augmentation=Augmentation(hflip=self.hflip, max_shift=self.max_shift),
                                checkpoint=self.checkpoint)


@dataclass(frozen=True)
class DetectionDrawing:
    """``detector_eval.drawing``: the first ``images`` val images are drawn with the evaluation's detections that
    score at least ``score_threshold``."""

    images: int
    score_threshold: float

    def __post_init__(self) -> None:
        require_count(self.images, "detector_eval.drawing.images", 0, MAX_DRAWN_IMAGES)
        require(0 <= self.score_threshold <= 1, "detector_eval.drawing.score_threshold", self.score_threshold,
                "a number in [0, 1]")


@dataclass(frozen=True)
class DetectorEvalParams:
    """Section ``detector_eval``: postprocessing, the scoring of hidden objects, the drawing, and the execution
    settings ``batch_size`` (val images per forward pass) and ``latency_images`` (batch-1 passes timed)."""

    postprocess: PostprocessSettings
    visible_threshold: float
    drawing: DetectionDrawing
    batch_size: int
    latency_images: int

    def __post_init__(self) -> None:
        require(0 <= self.visible_threshold <= 1, "detector_eval.visible_threshold", self.visible_threshold,
                "a number in [0, 1]")
        require_count(self.batch_size, "detector_eval.batch_size", 1, MAX_BATCH_SIZE)
        require_count(self.latency_images, "detector_eval.latency_images", 1, MAX_TIMED_IMAGES)


def read_detector() -> DetectorParams:
    """The ``detector`` section of params.yaml."""
    return read_section("detector", DetectorParams)


def read_detector_eval() -> DetectorEvalParams:
    """The ``detector_eval`` section of params.yaml."""
    return read_section("detector_eval", DetectorEvalParams)
