"""Stage ``train_keypoints``: train one keypoint method, or one ablation variant of the heatmap method.

``python -m stages.train_keypoints <method>`` trains a method of ``keypoints.methods``; its
model comes from its group (``keypoints.methods.<model>``), and only a model that reads them
(the heatmap model) takes the heatmap settings of ``keypoints``. Writes ``models/keypoints/<method>.pt``
(best val loss, model config in the meta), ``plots/keypoints/<method>_history.csv`` and
``metrics/speed/train_keypoints_<method>.json``.

``python -m stages.train_keypoints ablation <variant>`` retrains the heatmap model's course method
(:func:`locate.keypoints.method.ablation_config`) with the one factor that
``ablations.<factor>.<variant>`` changes; the other factors come from ``keypoints``. Writes
``models/keypoints/ablation_<variant>.pt``, ``plots/keypoints/ablation_<variant>_history.csv`` and
``metrics/speed/ablate_keypoints_<variant>.json``.
"""

import sys
from pathlib import Path

from locate.data.datasets import load_keypoints
from locate.errors import UserError, run_stage
from locate.keypoints.config import read_method, read_model_settings, read_schedule, read_variant
from locate.keypoints.method import MethodConfig, ablation_config
from locate.keypoints.trainer import train_keypoints
from locate.runtime import runtime_from_params
from locate.training import TrainingOutputs

DATA_ROOT = Path("data/keypoints")
MODELS_FOLDER = Path("models/keypoints")
PLOTS = Path("plots/keypoints")
SPEED = Path("metrics/speed")
USAGE = (
    "usage: python -m stages.train_keypoints <method> (a name in 'keypoints.methods'), "
    "or python -m stages.train_keypoints ablation <variant> (a name in 'ablations')"
)


def method_job(name: str) -> tuple[MethodConfig, str, str]:
    """Config, output name and speed file stem of the method ``name``."""
    method = read_method(name)
    heatmap, dropout = read_model_settings(method.model)
    config = MethodConfig.for_model(method.model, method.loss, heatmap, dropout)
    return config, name, f"train_keypoints_{name}"


def ablation_job(variant: str) -> tuple[MethodConfig, str, str]:
    """Config, output name and speed file stem of the ablation ``variant``."""
    config = ablation_config(read_variant(variant))
    return config, f"ablation_{variant}", f"ablate_keypoints_{variant}"


def main() -> None:
    arguments = sys.argv[1:]
    ablation = len(arguments) == 2 and arguments[0] == "ablation"
    if not ablation and (len(arguments) != 1 or arguments[0] == "ablation"):
        raise UserError(USAGE)
    config, name, speed = ablation_job(arguments[1]) if ablation else method_job(arguments[0])
    schedule = read_schedule()
    outputs = TrainingOutputs(PLOTS / f"{name}_history.csv", MODELS_FOLDER / f"{name}.pt", SPEED / f"{speed}.json")
    runtime = runtime_from_params()
    train, val = load_keypoints(DATA_ROOT, "train"), load_keypoints(DATA_ROOT, "val")
    train_keypoints(config, schedule, train, val, runtime, outputs, name)


if __name__ == "__main__":
    run_stage(main)
