"""Training throughput of the course detector with the shared trainer, and the projected time of the recipe.

Runs :func:`locate.training.fit` for one epoch over ``WARMUP + STEPS + 1`` batches of
``detector.batch_size`` (16) real training images (anchor targets computed once, as the
stage does), times each training step (the interval between consecutive loss calls:
forward, loss, backward, optimiser step), drops the warm-up steps and takes the median.
Projects 50 epochs x 1000 images (training steps only, no validation pass). Writes
``benchmarks/results/detector_throughput.json``.

Run from the repository root: ``python -m benchmarks.detector_throughput`` (``--out PATH`` writes the
results there instead).
"""

import argparse
import statistics
from pathlib import Path

from benchmarks.our_trainers import our_trainer
from benchmarks.settings import batch_size
from benchmarks.step_timer import fit_step_seconds
from locate.atomic import write_json
from locate.detection.config import read_detector
from locate.runtime import runtime_from_params

WARMUP = 2
STEPS = 6
PROJECTED_EPOCHS = 50
PROJECTED_IMAGES = 1000
RESULT = Path("benchmarks/results/detector_throughput.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULT, help=f"results file (default {RESULT})")
    out = parser.parse_args().out
    params = read_detector()
    runtime = runtime_from_params()
    batch = batch_size("detector")
    trainer = our_trainer("detector", Path("data"), count=batch * (WARMUP + STEPS + 1))
    seconds = fit_step_seconds(trainer.model, trainer.compute_loss, trainer.batches["train"], runtime, WARMUP)
    images_per_second = batch / statistics.median(seconds)
    projected = PROJECTED_EPOCHS * PROJECTED_IMAGES / images_per_second
    print(f"detector: {images_per_second:.2f} img/s (median of {len(seconds)} steps of {batch}), "
          f"projected {PROJECTED_EPOCHS} epochs x {PROJECTED_IMAGES} images: {projected / 60:.1f} min", flush=True)
    write_json(out, {
        "batch_size": batch,
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
