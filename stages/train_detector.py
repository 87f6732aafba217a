"""Stage ``train_detector``: the multi-scale detector on ``data/detection``.

Params: section ``detector`` (model widths, anchors, matching, loss, recipe) and
``runtime``. Writes ``models/detector.pt`` (best val loss; its meta holds the model
config), ``plots/detector/history.csv`` and ``metrics/speed/train_detector.json``.
"""

from dataclasses import asdict
from pathlib import Path

from locate.data.datasets import load_detection
from locate.data.shapes import IMAGE_SIZE
from locate.detection.config import read_detector
from locate.detection.trainer import train_detector
from locate.errors import UserError, run_stage
from locate.runtime import runtime_from_params
from locate.training import TrainingOutputs, write_speed

DATA = Path("data/detection")
OUTPUTS = TrainingOutputs(Path("plots/detector/history.csv"), Path("models/detector.pt"),
                          Path("metrics/speed/train_detector.json"))


def main() -> None:
    params = read_detector()
    runtime = runtime_from_params()
    train_split, val_split = load_detection(DATA, "train"), load_detection(DATA, "val")
    if tuple(train_split.images.shape[-2:]) != (IMAGE_SIZE, IMAGE_SIZE):
        size = tuple(train_split.images.shape[-2:])
        raise UserError(f"{DATA}: expected {IMAGE_SIZE}x{IMAGE_SIZE} images, got {size}")
    config = params.model_config(len(train_split.category_names))
    fitted = train_detector(config, params.targets, params.loss_weights, params.recipe, train_split, val_split,
                            runtime, OUTPUTS, {"params": asdict(params)})
    write_speed(OUTPUTS.speed, fitted, len(train_split.images), runtime)


if __name__ == "__main__":
    run_stage(main)
