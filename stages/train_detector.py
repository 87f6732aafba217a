"""Stage ``train_detector``: the multi-scale detector on ``data/detection``.

Params: section ``detector`` (model widths, anchors, matching, loss, recipe) and
``runtime``. Writes ``models/detector.pt`` (best val loss; its meta holds the model
config), ``plots/detector/history.csv`` and ``metrics/speed/train_detector.json``.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

from locate.data.datasets import load_detection
from locate.detection.loss import LossWeights
from locate.detection.matcher import MatchThresholds
from locate.detection.model import DetectorConfig
from locate.detection.trainer import LR_SCHEDULES, Recipe, Targets, train_detector
from locate.errors import UserError, run_stage
from locate.params import read_section, require
from locate.runtime import runtime_from_params
from locate.training import TrainingOutputs, write_speed

DATA = Path("data/detection")
OUTPUTS = TrainingOutputs(Path("plots/detector/history.csv"), Path("models/detector.pt"),
                          Path("metrics/speed/train_detector.json"))
IMAGE_SIZE = 224


@dataclass(frozen=True)
class DetectorParams:
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

    def __post_init__(self) -> None:
        require(len(self.channels) == 5 and min(self.channels) >= 1, "detector.channels", self.channels,
                "5 positive widths (stem 1, stem 2, scale 1, scale 2, scale 3)")
        sizes_ok = len(self.anchor_sizes) == 3 and all(s and min(s) > 0 for s in self.anchor_sizes)
        require(sizes_ok, "detector.anchor_sizes", self.anchor_sizes, "3 non-empty lists of positive sides")
        require(0 < self.positive_iou <= 1, "detector.positive_iou", self.positive_iou, "a number in (0, 1]")
        require(0 <= self.negative_iou <= self.positive_iou, "detector.negative_iou", self.negative_iou,
                "a number in [0, positive_iou]")
        require(0 <= self.min_visibility <= 1, "detector.min_visibility", self.min_visibility, "a number in [0, 1]")
        for key in ("objectness_weight", "class_weight", "box_weight"):
            require(getattr(self, key) >= 0, f"detector.{key}", getattr(self, key), "a number >= 0")
        require(self.negatives_per_positive >= 0, "detector.negatives_per_positive", self.negatives_per_positive,
                "an integer >= 0")
        require(self.smooth_l1_beta > 0, "detector.smooth_l1_beta", self.smooth_l1_beta, "a number > 0")
        require(self.batch_size >= 1, "detector.batch_size", self.batch_size, "an integer >= 1")
        require(self.epochs >= 1, "detector.epochs", self.epochs, "an integer >= 1")
        require(self.lr > 0, "detector.lr", self.lr, "a number > 0")
        require(self.lr_schedule in LR_SCHEDULES, "detector.lr_schedule", self.lr_schedule, " or ".join(LR_SCHEDULES))
        require(self.seed >= 0, "detector.seed", self.seed, "an integer >= 0")


def main() -> None:
    params = read_section("detector", DetectorParams)
    runtime = runtime_from_params()
    train_split, val_split = load_detection(DATA, "train"), load_detection(DATA, "val")
    if train_split.images.shape[-1] != IMAGE_SIZE or train_split.images.shape[-2] != IMAGE_SIZE:
        size = tuple(train_split.images.shape[-2:])
        raise UserError(f"{DATA}: expected {IMAGE_SIZE}x{IMAGE_SIZE} images, got {size}")
    config = DetectorConfig(params.channels, params.anchor_sizes, len(train_split.category_names), IMAGE_SIZE)
    targets = Targets(MatchThresholds(params.positive_iou, params.negative_iou), params.min_visibility)
    weights = LossWeights(params.objectness_weight, params.class_weight, params.box_weight,
                          params.negatives_per_positive, params.smooth_l1_beta)
    recipe = Recipe(params.batch_size, params.epochs, params.lr, params.lr_schedule, params.seed)
    fitted = train_detector(config, targets, weights, recipe, train_split, val_split, runtime, OUTPUTS,
                            {"params": asdict(params)})
    write_speed(OUTPUTS.speed, fitted, len(train_split.images), runtime)

if __name__ == "__main__":
    run_stage(main)
