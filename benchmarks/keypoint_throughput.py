"""Training throughput of each keypoint model with the shared trainer, and the projected times.

For every method of ``keypoints.methods`` and the heatmap variants of ``ablations`` that
change speed (size, skips), runs :func:`locate.training.fit` for one epoch over
``WARMUP + STEPS`` batches of 32 real training images, times each step (the interval
between consecutive loss calls: forward, backward, optimiser step), drops the warm-up
steps and takes the median. Projects 30 epochs x 1000 images (training steps only, no
validation pass) per model and for the whole ablation set. Writes
``benchmarks/results/keypoint_throughput.json`` with the 1-minute load average before and
after (other processes on the machine slow the steps down).

Run from the repository root: ``python -m benchmarks.keypoint_throughput`` (``--out PATH`` writes
the results there instead).
"""

import argparse
import os
import statistics
from pathlib import Path

from benchmarks.our_trainers import first_keypoint_images
from benchmarks.step_timer import fit_step_seconds
from locate.atomic import write_json
from locate.data.datasets import load_keypoints
from locate.keypoints.config import read_ablations, read_keypoints
from locate.keypoints.method import MethodConfig, ablation_config, build_model
from locate.keypoints.trainer import loss_step, split_batches
from locate.runtime import runtime_from_params

BATCH_SIZE = 32
WARMUP = 3
STEPS = 8
PROJECTED_EPOCHS = 30
PROJECTED_IMAGES = 1000
RESULT = Path("benchmarks/results/keypoint_throughput.json")


def configs() -> dict[str, MethodConfig]:
    """Each method of params.yaml and each ablation variant whose size or skips differ."""
    params = read_keypoints()
    result = {name: MethodConfig.for_model(m.model, m.loss, params.heatmap, params.regression_dropout)
              for name, m in params.method_table.items()}
    for variant, settings in read_ablations().variants(params.heatmap).items():
        result[f"ablation_{variant}"] = ablation_config(settings)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULT, help=f"results file (default {RESULT})")
    out = parser.parse_args().out
    load_before = os.getloadavg()[0]
    runtime = runtime_from_params()
    subset = first_keypoint_images(load_keypoints("data/keypoints", "train"), BATCH_SIZE * (WARMUP + STEPS + 1))
    measured: dict[str, dict] = {}
    for name, config in configs().items():
        speed_key = (config.model, config.heatmap_size, config.skips)
        same = next((m for m in measured.values() if m["speed_key"] == list(speed_key)), None)
        if same is None:
            batches = split_batches(config, subset, BATCH_SIZE)
            seconds = statistics.median(
                fit_step_seconds(build_model(config), loss_step(config), batches, runtime, WARMUP)
            )
            images_per_second = BATCH_SIZE / seconds
        else:
            images_per_second = same["train_images_per_second"]
        projected = PROJECTED_EPOCHS * PROJECTED_IMAGES / images_per_second
        measured[name] = {
            "speed_key": list(speed_key),
            "train_images_per_second": round(images_per_second, 1),
            "projected_train_seconds": round(projected, 1),
        }
        print(f"{name}: {images_per_second:.1f} img/s, projected {projected / 60:.1f} min", flush=True)
    ablation_total = sum(m["projected_train_seconds"] for n, m in measured.items() if n.startswith("ablation_"))
    write_json(
        out,
        {
            "batch_size": BATCH_SIZE,
            "warmup_steps": WARMUP,
            "timed_steps": STEPS,
            "projection": f"{PROJECTED_EPOCHS} epochs x {PROJECTED_IMAGES} images, training steps only",
            "models": {n: {k: v for k, v in m.items() if k != "speed_key"} for n, m in measured.items()},
            "ablation_set_projected_seconds": round(ablation_total, 1),
            "runtime": runtime.describe(),
            "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        },
    )


if __name__ == "__main__":
    main()
