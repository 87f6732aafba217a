"""Stage ``ablate_keypoints <variant>``: the heatmap method retrained with one factor changed.

The variant (a name in the ``ablations`` section) replaces heatmap size, sigma or skips of
the ``keypoints`` defaults; model and loss are those of ``keypoints.methods.heatmap``.
Writes ``models/keypoints/ablation_<variant>.pt``, ``plots/keypoints/ablation_<variant>_history.csv``
and ``metrics/speed/ablate_keypoints_<variant>.json``.
"""

import sys
from pathlib import Path

from locate.errors import UserError, run_stage
from locate.keypoints.config import read_ablation, read_keypoints
from locate.keypoints.method import MethodConfig
from locate.keypoints.trainer import Recipe, TrainingOutputs, train_and_record
from locate.runtime import runtime_from_params

DATA_ROOT = Path("data/keypoints")
MODELS = Path("models/keypoints")
PLOTS = Path("plots/keypoints")
SPEED = Path("metrics/speed")
BASELINE_METHOD = "heatmap"


def main() -> None:
    if len(sys.argv) != 2:
        raise UserError("usage: python -m stages.ablate_keypoints <variant>, a name from params section 'ablations'")
    variant = sys.argv[1]
    params = read_keypoints()
    method = params.method(BASELINE_METHOD)
    settings = read_ablation(variant, params.heatmap)
    config = MethodConfig(method.model, method.loss, settings.heatmap_size, settings.sigma, settings.skips)
    recipe = Recipe(params.batch_size, params.epochs, params.lr, params.seed)
    name = f"ablation_{variant}"
    speed = SPEED / f"ablate_keypoints_{variant}.json"
    outputs = TrainingOutputs(PLOTS / f"{name}_history.csv", MODELS / f"{name}.pt", speed)
    train_and_record(config, recipe, runtime_from_params(), DATA_ROOT, outputs, name)


if __name__ == "__main__":
    run_stage(main)
