"""Training throughput of the course detector with the shared trainer, and the projected time of the recipe.

Runs :func:`locate.training.fit` for one epoch over ``WARMUP + STEPS + 1`` batches of 16
real training images (anchor targets computed once, as the stage does), times each
training step (the interval between consecutive loss calls: forward, loss, backward,
optimiser step), drops the warm-up steps and takes the median. Projects 50 epochs x
1000 images (training steps only, no validation pass). Writes
``benchmarks/results/detector_throughput.json``.

Run from the repository root: ``python -m benchmarks.detector_throughput``.
"""

import statistics
from pathlib import Path

from benchmarks.step_timer import fit_step_seconds
from locate.atomic import write_json
from locate.data.datasets import DetectionSplit, load_detection
from locate.detection.loss import LossWeights
from locate.detection.matcher import MatchThresholds
from locate.detection.model import Detector, DetectorConfig
from locate.detection.trainer import loss_function, split_batches
from locate.params import read_section
from locate.runtime import runtime_from_params
from stages.train_detector import IMAGE_SIZE, DetectorParams

BATCH_SIZE = 16
WARMUP = 2
STEPS = 6
PROJECTED_EPOCHS = 50
PROJECTED_IMAGES = 1000
RESULT = Path("benchmarks/results/detector_throughput.json")


def subset(split: DetectionSplit, count: int) -> DetectionSplit:
    """The first ``count`` images of ``split``."""
    return DetectionSplit(split.images[:count], split.image_ids[:count], split.boxes[:count], split.labels[:count],
                          split.visibility[:count], split.category_names)


def main() -> None:
    params = read_section("detector", DetectorParams)
    runtime = runtime_from_params()
    split = subset(load_detection("data/detection", "train"), BATCH_SIZE * (WARMUP + STEPS + 1))
    config = DetectorConfig(params.channels, params.anchor_sizes, len(split.category_names), IMAGE_SIZE)
    thresholds = MatchThresholds(params.positive_iou, params.negative_iou)
    train = split_batches(split, config, thresholds, params.min_visibility, BATCH_SIZE)
    weights = LossWeights(params.objectness_weight, params.class_weight, params.box_weight,
                          params.negatives_per_positive, params.smooth_l1_beta)
    seconds = fit_step_seconds(Detector(config), loss_function(weights), train, runtime, WARMUP)
    images_per_second = BATCH_SIZE / statistics.median(seconds)
    projected = PROJECTED_EPOCHS * PROJECTED_IMAGES / images_per_second
    print(f"detector: {images_per_second:.2f} img/s (median of {len(seconds)} steps of {BATCH_SIZE}), "
          f"projected {PROJECTED_EPOCHS} epochs x {PROJECTED_IMAGES} images: {projected / 60:.1f} min", flush=True)
    write_json(RESULT, {
        "batch_size": BATCH_SIZE,
        "warmup_steps": WARMUP,
        "timed_steps": len(seconds),
        "step_seconds": [round(s, 3) for s in seconds],
        "train_images_per_second": round(images_per_second, 2),
        "projection": f"{PROJECTED_EPOCHS} epochs x {PROJECTED_IMAGES} images, training steps only",
        "projected_train_seconds": round(projected, 1),
        "channels": params.channels,
        "runtime": runtime.describe(),
    })


if __name__ == "__main__":
    main()
