"""The plain training loop of the references, timed step by step."""

import time
from dataclasses import dataclass

import torch

from benchmarks.reference.trainers import ReferenceTrainer


@dataclass(frozen=True)
class StepTimes:
    """Seconds of each timed step (``step``) and, within it, of fetching the batch (``data``)."""

    step: list[float]
    data: list[float]


def reference_step_seconds(trainer: ReferenceTrainer, warmup: int, steps: int) -> StepTimes:
    """Times of ``steps`` training steps after ``warmup`` untimed ones.

    A step: the DataLoader's next batch (PNG decoding and targets included), forward,
    loss, backward, Adam step, and the loss read back as a Python float for logging.
    The loader must hold at least ``warmup + steps`` batches.
    """
    model = trainer.model
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=trainer.lr)
    batches = iter(trainer.loader)
    step_seconds, data_seconds = [], []
    for _ in range(warmup + steps):
        started = time.perf_counter()
        batch = next(batches)
        fetched = time.perf_counter()
        losses = trainer.compute_loss(model, batch)
        optimizer.zero_grad()
        losses["total"].backward()
        optimizer.step()
        losses["total"].item()
        step_seconds.append(time.perf_counter() - started)
        data_seconds.append(fetched - started)
    return StepTimes(step_seconds[warmup:], data_seconds[warmup:])
