"""Stages ``train_detector@course`` and ``@improved``: the multi-scale detector on ``data/detection``.

``python -m stages.train_detector [course|improved]``. Params: section ``detector`` (model
widths, anchors, matching, loss, recipe), for ``improved`` with the keys of
``detector_improved`` changed, and ``runtime``. Writes the recipe's checkpoint (best val
loss; its meta holds the model config), training history and speed record
(:class:`locate.detection.recipes.RecipeFiles`: ``models/detector.pt``,
``plots/detector/history.csv``, ``metrics/speed/train_detector.json`` for the course).
"""

import sys
from dataclasses import asdict
from pathlib import Path

from locate.data.datasets import load_detection
from locate.data.shapes import SCENE_SIZE
from locate.detection.recipes import RecipeFiles, read_recipe, recipe_argument
from locate.detection.trainer import train_detector
from locate.errors import UserError, run_stage
from locate.runtime import runtime_from_params
from locate.training import TrainingOutputs

DATA = Path("data/detection")


def main() -> None:
    recipe = recipe_argument(sys.argv[1:])
    files = RecipeFiles.of(recipe)
    outputs = TrainingOutputs(files.history, files.checkpoint, files.train_speed)
    params = read_recipe(recipe)
    runtime = runtime_from_params()
    train_split, val_split = load_detection(DATA, "train"), load_detection(DATA, "val")
    if tuple(train_split.images.shape[-2:]) != (SCENE_SIZE, SCENE_SIZE):
        size = tuple(train_split.images.shape[-2:])
        raise UserError(f"{DATA}: expected {SCENE_SIZE}x{SCENE_SIZE} images, got {size}")
    config = params.model_config(len(train_split.category_names))
    train_detector(config, params.targets, params.loss_weights, params.schedule, train_split, val_split, runtime,
                   outputs, {"params": asdict(params), "recipe": recipe})


if __name__ == "__main__":
    run_stage(main)
