"""The least time each training recipe can take on this machine: its FLOPs over the machine's peak.

Counts the floating-point operations of one training image (forward and backward, with
``torch.utils.flop_counter``) for the detector and every keypoint model and ablation
variant of ``params.yaml``, measures this machine's practical fp32 peak as the median
GFLOP/s of a large matrix product on the threads ``runtime`` gives, and divides: the
result is a lower bound on the training time of each recipe (epochs x training images),
reached only if every operation ran at matrix-product speed. Where
``benchmarks/results/detector_throughput.json`` and ``keypoint_throughput.json`` exist, the
share of the peak our trainers reach is reported too. Writes
``benchmarks/results/compute_bound.json`` with the 1-minute load average before and after.

Run from the repository root: ``python -m benchmarks.compute_bound``.
"""

import json
import os
import statistics
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from benchmarks.keypoint_throughput import configs as keypoint_configs
from benchmarks.settings import detector_settings
from locate.atomic import write_json
from locate.data.config import read_data
from locate.detection.model import Detector
from locate.keypoints.config import read_keypoints
from locate.keypoints.method import build_model
from locate.runtime import runtime_from_params

RESULTS = Path("benchmarks/results")
RESULT = RESULTS / "compute_bound.json"
MATRIX_SIZE = 2048
REPEATS = 10
COUNTED_BATCH = 2


def peak_gflops() -> float:
    """Median GFLOP/s of ``MATRIX_SIZE``-square fp32 matrix products (warm-up dropped)."""
    a, b = torch.randn(MATRIX_SIZE, MATRIX_SIZE), torch.randn(MATRIX_SIZE, MATRIX_SIZE)
    torch.mm(a, b)
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        torch.mm(a, b)
        seconds.append(time.perf_counter() - started)
    return 2 * MATRIX_SIZE**3 / statistics.median(seconds) / 1e9


def training_gflop_per_image(model: torch.nn.Module, image_shape: tuple[int, int, int]) -> float:
    """GFLOP of one training image: forward and backward of ``model`` on ``[2, *image_shape]``."""
    with FlopCounterMode(display=False) as counter:
        model(torch.randn(COUNTED_BATCH, *image_shape)).sum().backward()
    return counter.get_total_flops() / COUNTED_BATCH / 1e9


def measured_rates() -> dict[str, float]:
    """Training images/s of each model from the throughput benchmarks' results, where present."""
    rates = {}
    detector = RESULTS / "detector_throughput.json"
    if detector.is_file():
        rates["detector"] = json.loads(detector.read_text())["train_images_per_second"]
    keypoints = RESULTS / "keypoint_throughput.json"
    if keypoints.is_file():
        models = json.loads(keypoints.read_text())["models"]
        rates |= {name: model["train_images_per_second"] for name, model in models.items()}
    return rates


def main() -> None:
    load_before = os.getloadavg()[0]
    runtime = runtime_from_params()
    peak = peak_gflops()
    num_train = read_data().num_train
    detector = detector_settings(num_classes=3)
    keypoint_epochs = read_keypoints().epochs
    recipes = {"detector": (Detector(detector.config), (3, detector.config.image_size, detector.config.image_size),
                            detector.schedule.epochs)}
    for name, config in keypoint_configs().items():
        recipes[name] = (build_model(config), (1, 128, 128), keypoint_epochs)
    rates = measured_rates()
    models = {}
    for name, (model, image_shape, epochs) in recipes.items():
        gflop = training_gflop_per_image(model, image_shape)
        bound = epochs * num_train * gflop / peak
        models[name] = {"train_gflop_per_image": round(gflop, 3), "epochs": epochs,
                        "least_train_seconds": round(bound, 1)}
        if name in rates:
            models[name] |= {"measured_images_per_second": rates[name],
                             "share_of_peak": round(rates[name] * gflop / peak, 3)}
        share = f", {models[name]['share_of_peak']:.0%} of peak measured" if name in rates else ""
        print(f"{name}: {gflop:.2f} GFLOP/image, {epochs} epochs x {num_train} images: "
              f">= {bound / 60:.1f} min at peak{share}", flush=True)
    total = sum(model["least_train_seconds"] for model in models.values())
    print(f"peak {peak:.0f} GFLOP/s on {runtime.threads} threads; all trainings >= {total / 60:.1f} min", flush=True)
    write_json(RESULT, {
        "peak_gflops": round(peak, 1),
        "peak_measured_by": f"median of {REPEATS} fp32 {MATRIX_SIZE}x{MATRIX_SIZE} matrix products",
        "train_images": num_train,
        "models": models,
        "all_trainings_least_seconds": round(total, 1),
        "runtime": runtime.describe(),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    })


if __name__ == "__main__":
    main()
