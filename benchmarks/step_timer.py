"""Seconds per training step of a model: inside the shared trainer (warm-up dropped), or in a plain loop."""

import tempfile
import time
from pathlib import Path

import torch

from locate.runtime import Runtime, seed_everything
from locate.training import Batches, FitOutputs, FitSettings, LossFn, fit


def fit_step_seconds(
    model: torch.nn.Module, compute_loss: LossFn, train: Batches, runtime: Runtime, warmup: int
) -> list[float]:
    """Run :func:`fit` for one epoch over ``train`` and time each training step.

    A step is the interval between consecutive loss calls in training mode (forward,
    loss, backward, optimiser step); the first ``warmup`` steps are dropped.
    """
    generator = seed_everything(0)
    model = model.to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    stamps: list[float] = []

    def timed_loss(model, batch):
        if model.training:
            stamps.append(time.perf_counter())
        return compute_loss(model, batch)

    val = Batches({key: tensor[: train.batch_size] for key, tensor in train.tensors.items()}, train.batch_size)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        outputs = FitOutputs(folder / "history.csv", folder / "model.pt", {}, folder / "work")
        fit(model, optimizer, timed_loss, train, val, FitSettings(1, runtime, outputs, generator, name="benchmark"))
    intervals = [later - earlier for earlier, later in zip(stamps, stamps[1:], strict=False)]
    return intervals[warmup:]


def plain_step_seconds(trainer, runtime: Runtime, steps: int) -> list[float]:
    """Seconds of each of the first ``steps`` training steps of ``trainer`` (an
    :class:`benchmarks.our_trainers.OurTrainer`) in a plain loop: channels-last model on
    ``runtime.device``, forward and loss under the runtime's autocast, backward, Adam step."""
    model = trainer.model.to(runtime.device, memory_format=torch.channels_last).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=trainer.lr)
    batches = trainer.batches["train"].to(runtime.device).iterate(seed_everything(0))
    seconds = []
    for _, batch in zip(range(steps), batches, strict=False):
        started = time.perf_counter()
        with runtime.autocast():
            total = trainer.compute_loss(model, batch)["total"]
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - started)
    return seconds
