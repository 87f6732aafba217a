"""Stage ``train_keypoints <method>``: train one method of ``keypoints.methods`` on the keypoint data.

Writes ``models/keypoints/<method>.pt`` (best val loss, model config in the meta),
``plots/keypoints/<method>_history.csv`` and ``metrics/speed/train_keypoints_<method>.json``.
"""

import sys
from pathlib import Path

from locate.errors import UserError, run_stage
from locate.keypoints.config import read_keypoints
from locate.keypoints.method import MethodConfig
from locate.keypoints.trainer import Recipe, TrainingOutputs, train_and_record
from locate.runtime import runtime_from_params

DATA_ROOT = Path("data/keypoints")
MODELS = Path("models/keypoints")
PLOTS = Path("plots/keypoints")
SPEED = Path("metrics/speed")


def main() -> None:
    if len(sys.argv) != 2:
        raise UserError("usage: python -m stages.train_keypoints <method>, a name from params key 'keypoints.methods'")
    name = sys.argv[1]
    params = read_keypoints()
    method = params.method(name)
    config = MethodConfig(method.model, method.loss, params.heatmap_size, params.sigma, params.skips)
    recipe = Recipe(params.batch_size, params.epochs, params.lr, params.seed)
    speed = SPEED / f"train_keypoints_{name}.json"
    outputs = TrainingOutputs(PLOTS / f"{name}_history.csv", MODELS / f"{name}.pt", speed)
    train_and_record(config, recipe, runtime_from_params(), DATA_ROOT, outputs, name)


if __name__ == "__main__":
    run_stage(main)
