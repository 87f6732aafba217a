"""One of our trainers on one generated dataset, in this process: seconds and peak memory per epoch.

Builds the trainer as the stage does (:mod:`benchmarks.our_trainers`: whole splits in
memory, targets computed once), trains it with :func:`locate.training.fit` for
``--epochs`` epochs (channels-last, Adam, the ``runtime`` params) and prints one JSON
object on stdout: the seconds of each epoch's training pass (first to last training
step; the validation pass is left out), the whole fit's seconds, the setup seconds
(loading the PNGs and computing targets), and this process's peak RSS in MiB at the
end of each training pass and at the end. :mod:`benchmarks.scaling` runs it once per
trainer and size in a fresh process, so that each peak belongs to one run.

Run from the repository root (it reads ``params.yaml``):
``python -m benchmarks.scaling_run --trainer heatmap --data <folder with keypoints/> --epochs 1``.
"""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.our_trainers import TRAINERS, our_trainer
from locate.runtime import runtime_from_params, seed_everything
from locate.training import FitOutputs, FitSettings, LossFn, fit

SEED = 0


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class EpochClock:
    """A ``compute_loss`` that notes when each training pass starts and ends, and the peak RSS at its end.

    A pass starts at the first loss call in training mode and ends at the next call in
    eval mode (the start of the validation pass).
    """

    def __init__(self, compute_loss: LossFn) -> None:
        self.compute_loss = compute_loss
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.peaks_mib: list[float] = []

    def __call__(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        training_pass_open = len(self.starts) > len(self.ends)
        if model.training and not training_pass_open:
            self.starts.append(time.perf_counter())
        elif not model.training and training_pass_open:
            self.ends.append(time.perf_counter())
            self.peaks_mib.append(round(peak_rss_mib(), 1))
        return self.compute_loss(model, batch)

    @property
    def epoch_seconds(self) -> list[float]:
        """Seconds of each finished training pass."""
        return [round(end - start, 3) for start, end in zip(self.starts, self.ends, strict=False)]


def run(trainer_name: str, data_root: Path, epochs: int) -> dict:
    """Train ``trainer_name`` on ``data_root`` for ``epochs``; the measurements as a JSON-able dict."""
    runtime = runtime_from_params()
    started = time.perf_counter()
    trainer = our_trainer(trainer_name, data_root, ("train", "val"))
    setup_seconds = time.perf_counter() - started
    generator = seed_everything(SEED)
    model = trainer.model.to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=trainer.lr)
    clock = EpochClock(trainer.compute_loss)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        outputs = FitOutputs(folder / "history.csv", folder / "model.pt", {}, folder / "work")
        settings = FitSettings(epochs, runtime, outputs, generator, name=f"scaling {trainer_name}")
        fit(model, optimizer, clock, trainer.batches["train"], trainer.batches["val"], settings)
    return {
        "trainer": trainer_name,
        "train_images": trainer.batches["train"].size,
        "val_images": trainer.batches["val"].size,
        "epochs": epochs,
        "setup_seconds": round(setup_seconds, 3),
        "fit_seconds": round(time.perf_counter() - started, 3),
        "epoch_train_seconds": clock.epoch_seconds,
        "peak_rss_mib_after_epoch": clock.peaks_mib,
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "runtime": runtime.describe(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainer", choices=TRAINERS, required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder holding detection/ and keypoints/")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.trainer, args.data, args.epochs)))


if __name__ == "__main__":
    main()
