"""The one epoch loop both trainers use: batches from memory, precision, history, checkpoint.

A trainer supplies ``compute_loss(model, batch) -> {"total": Tensor, part: Tensor, ...}``
(scalars, ``total`` is what is minimised) and two :class:`Batches` of aligned tensors.
:func:`fit` logs every part for train and val each epoch to a CSV, keeps the
checkpoint its settings choose (by default the epoch with the lowest val total), and shows a
progress bar with the losses and images per second. Files are written atomically. Each finished
epoch's row also goes to the training's live log (:mod:`locate.live_log`) as it ends.

The finish (checkpoint, history, speed record, then removing the saved state) is one
recoverable step: until the state is removed, a rerun resumes with every epoch done and
repeats the finish, each write of which is atomic and repeatable.
"""

import json
import math
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from locate.atomic import copy_file, write_csv
from locate.checkpoint import save_checkpoint, save_torch
from locate.errors import UserError, check_parent
from locate.live_log import LIVE_ROOT, LiveLog
from locate.records.speed import RuntimeRecord, TrainingSpeed
from locate.records.writing import write_record
from locate.runtime import Runtime

RESUME_ROOT = Path(".resume")
STATE_FILE, BEST_FILE = "state.pt", "best.pt"  # in a run's work folder: the last finished epoch, the best weights
LossFn = Callable[[torch.nn.Module, dict[str, torch.Tensor]], dict[str, torch.Tensor]]
KEEP_RULES = ("val_loss", "last")  # FitSettings.keep: lowest val loss, last epoch; or its score_rule
BAR_DELAY_S = 1e-3  # a bar is first drawn by an update at least this long after it is built


class NonFiniteLoss(UserError):
    """The loss became NaN or infinite: training stops, nothing after the fault is kept."""


@dataclass(frozen=True)
class Batches:
    """Aligned tensors (each ``Tensor[N, ...]``) served in mini-batches of ``batch_size``."""

    tensors: dict[str, torch.Tensor]
    batch_size: int

    @property
    def size(self) -> int:
        """Number of samples N."""
        return len(next(iter(self.tensors.values())))

    @property
    def device(self) -> torch.device:
        """Where the tensors are."""
        return next(iter(self.tensors.values())).device

    def __len__(self) -> int:
        return math.ceil(self.size / self.batch_size)

    def to(self, device: torch.device) -> "Batches":
        """The same batches with every tensor on ``device`` (moved once, for the whole training)."""
        return Batches({name: tensor.to(device) for name, tensor in self.tensors.items()}, self.batch_size)

    def iterate(
        self, generator: torch.Generator | None = None, rank: int = 0, world_size: int = 1
    ) -> Iterator[dict[str, torch.Tensor]]:
        """Batches in a random order drawn from ``generator``, or in order when it is None.

        With ``world_size`` processes each batch of ``batch_size`` is split between them:
        process ``rank`` gets samples ``rank, rank + world_size, ...`` of it (every process
        draws the same order from an identically seeded generator).
        """
        order = torch.randperm(self.size, generator=generator) if generator is not None else torch.arange(self.size)
        order = order.to(self.device)
        for start in range(0, self.size, self.batch_size):
            index = order[start : start + self.batch_size][rank::world_size]
            if world_size == 1 and generator is None:
                yield {name: t[start : start + self.batch_size] for name, t in self.tensors.items()}
            else:
                yield {name: t[index] for name, t in self.tensors.items()}


class _LossParts:
    """Each loss part's per-batch values, kept where they were computed until read.

    Reading them is the only host synchronisation of an epoch: at its end, and when the
    progress bar is due a refresh. Sums are formed on the host in float64, batch by batch.
    """

    def __init__(self) -> None:
        self.values: dict[str, list[torch.Tensor]] = {}
        self.counts: list[int] = []

    def add(self, losses: dict[str, torch.Tensor], count: int) -> None:
        """Record one batch's scalar ``losses`` (means over its ``count`` samples)."""
        for name, value in losses.items():
            self.values.setdefault(name, []).append(value.detach().float())
        self.counts.append(count)

    def sums(self, finite: bool = False) -> dict[str, float]:
        """Each part's sum over the samples seen so far; with ``finite``, raises :class:`NonFiniteLoss`
        naming the first batch whose total was not finite."""
        read = {name: torch.stack(values).tolist() for name, values in self.values.items()}
        for step, total in enumerate(read["total"] if finite else []):
            if not math.isfinite(total):
                raise NonFiniteLoss(f"loss became {total} at step {step + 1}")
        sums = {}
        for name, values in read.items():
            sums[name] = 0.0
            for value, count in zip(values, self.counts, strict=True):
                sums[name] += value * count
        return sums


def _epoch(model, compute_loss: LossFn, batches: Batches, runtime: Runtime, step=None, generator=None, bar=None):
    """Mean of each loss part over one pass; ``step(loss)`` updates weights when training.

    ``batches`` are on ``runtime.device``; no value is read back to the host per batch.
    """
    parts = _LossParts()
    seen = 0
    started = shown = time.perf_counter()
    for index, batch in enumerate(batches.iterate(generator, runtime.rank, runtime.world_size)):
        check_parent()
        count = len(next(iter(batch.values())))
        with runtime.autocast():
            losses = compute_loss(model, batch)
        if count == 0:  # the batch had fewer samples than processes and left this one none
            losses = {name: value.nan_to_num(0.0) for name, value in losses.items()}
        if step is not None:
            step(losses["total"] * _share(batches, index, count, runtime))
        seen += count
        parts.add(losses, count)
        if bar is not None:
            bar.update(1)
            if not bar.disable and time.perf_counter() - shown >= bar.mininterval:
                shown = time.perf_counter()
                rate = seen / (shown - started)
                means = {name: f"{total / seen:.4f}" for name, total in parts.sums(step is not None).items()}
                bar.set_postfix(means | {"img/s": f"{rate:.1f}"})
    return _global_means(parts.sums(step is not None), seen, runtime)


def _progress_bar(label: str, batches: int, interactive: bool, shown: bool) -> tqdm:
    """The bar of one epoch's ``batches`` on stderr: kept on a terminal, redrawn every 0.5 s there and every
    30 s in a log, hidden off the main process. Building it draws nothing (the first draw comes with the
    first update), so a signal that arrives while it is built leaves no half line before the stage's last."""
    return tqdm(total=batches, desc=label, leave=interactive, mininterval=0.5 if interactive else 30,
                delay=BAR_DELAY_S, disable=not shown)


def _share(batches: Batches, index: int, count: int, runtime: Runtime) -> float:
    """Weight of this process's mean loss on its ``count`` samples of batch ``index``.

    DDP averages the processes' gradients; weighting each by its share of the batch (times the
    process count) makes that average the gradient of the whole batch's mean, also when the
    shards differ in size. 1 in a single process.
    """
    whole = min(batches.batch_size, batches.size - index * batches.batch_size)
    return runtime.world_size * count / whole


def _global_means(sums: dict[str, float], seen: int, runtime: Runtime) -> dict[str, float]:
    """Per-sample means of the summed losses over every process."""
    if runtime.world_size > 1:
        totals = torch.tensor([*sums.values(), seen], dtype=torch.float64, device=runtime.device)
        torch.distributed.all_reduce(totals)
        *values, seen = totals.tolist()
        sums = dict(zip(sums, values, strict=True))
    return {name: total / seen for name, total in sums.items()}


@dataclass(frozen=True)
class FitOutputs:
    """Where :func:`fit` writes: the history CSV, the best checkpoint (with ``meta``), when
    ``speed`` is set the speed record there, and when ``live`` is set the live log of every epoch there.

    ``meta`` must describe the run completely (model config and recipe): a saved state
    resumes only when it matches. While training, the state of each finished epoch and
    the best weights so far live in ``work_dir``; the outputs appear only when training ends.
    """

    history: Path
    checkpoint: Path
    meta: dict
    work: Path | None = None
    speed: Path | None = None
    live: Path | None = None

    @property
    def work_dir(self) -> Path:
        """``work``, or ``.resume/<checkpoint path without suffix, joined by _>``."""
        return self.work or RESUME_ROOT / "_".join(Path(self.checkpoint).with_suffix("").parts)


@dataclass(frozen=True)
class TrainingOutputs:
    """Files one training stage writes: the history CSV, the best checkpoint, the speed metrics JSON; its live
    log goes to ``live/<the speed file's stem>`` (``live/train_detector``), one folder per training stage."""

    history: Path
    checkpoint: Path
    speed: Path

    @property
    def live(self) -> Path:
        """The stage's live log folder."""
        return LIVE_ROOT / self.speed.stem

    def for_fit(self, meta: dict) -> FitOutputs:
        """The outputs :func:`fit` writes, its checkpoint carrying ``meta``."""
        return FitOutputs(self.history, self.checkpoint, meta, speed=self.speed, live=self.live)


@dataclass(frozen=True)
class FitSettings:
    """How :func:`fit` runs: ``epochs``, the ``runtime``, where it writes (``outputs``), the ``generator``
    that shuffles the training batches, an optional lr ``scheduler`` stepped once per epoch, and the
    ``name`` shown in progress lines and errors; ``scores``: ``(model in eval mode) -> {name: value}``
    computed after each epoch's validation, each in the history as ``val_<name>``; ``keep``: which epoch's
    weights become the checkpoint (one of ``KEEP_RULES``: the lowest val loss or the last epoch; or
    ``score_rule``, ``val_<score_name>`` as the history names that score: its highest)."""

    epochs: int
    runtime: Runtime
    outputs: FitOutputs
    generator: torch.Generator
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    name: str = "train"
    keep: str = "val_loss"
    scores: Callable[[torch.nn.Module], dict[str, float]] | None = None
    score_name: str = "score"

    def __post_init__(self) -> None:
        if self.keep not in (*KEEP_RULES, self.score_rule):
            raise ValueError(f"keep must be one of {', '.join((*KEEP_RULES, self.score_rule))}, got {self.keep!r}")
        if self.keep == self.score_rule and self.scores is None:
            raise ValueError(f"keep={self.score_rule!r} needs a scores function")

    @property
    def score_rule(self) -> str:
        """The rule that keeps the epoch with the highest ``score_name``: its history column, ``val_<score_name>``."""
        return f"val_{self.score_name}"

    def rank(self, epoch: int, val_total: float, score: float | None) -> float:
        """The epoch's rank under ``keep``: lower is better (the kept epoch is the first with the lowest)."""
        if self.keep == "last":
            return -float(epoch)
        if self.keep == self.score_rule:
            return -score
        return val_total


@dataclass(frozen=True)
class Fitted:
    """What :func:`fit` returns: the history ``rows`` and the time the epochs took.

    ``train_seconds`` is the wall time (training and validation passes) of the last
    ``timed_epochs`` epochs; it is summed over resumed runs, so it is all epochs unless the
    run resumed from a state that did not record its time.
    """

    rows: list[dict]
    train_seconds: float
    timed_epochs: int

    def speed(self, train_images: int, runtime: Runtime) -> TrainingSpeed:
        """The ``metrics/speed`` record of a training stage; ``timed_epochs`` is set only when not all were timed."""
        rate = self.timed_epochs * train_images / self.train_seconds if self.train_seconds > 0 else 0.0
        timed = self.timed_epochs if self.timed_epochs != len(self.rows) else None
        return TrainingSpeed(round(self.train_seconds, 2), len(self.rows), train_images, round(rate, 1),
                             RuntimeRecord(**runtime.describe()), timed)


def _fingerprint(outputs: FitOutputs, optimizer: torch.optim.Optimizer, train: Batches, val: Batches, epochs: int):
    recipe = {"meta": outputs.meta, "optimizer": optimizer.defaults, "epochs": epochs}
    recipe |= {"train": [train.size, train.batch_size], "val": [val.size, val.batch_size]}
    return json.dumps(recipe, sort_keys=True, default=str)


def _saved_state(work: Path, fingerprint: str) -> dict | None:
    """The state saved in ``work`` if it belongs to this run and is whole; None to start over."""
    path = work / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a state file that cannot be read is started over, not trusted
        return None
    if state.get("fingerprint") != fingerprint:
        return None
    if math.isfinite(state["best"]) and not (work / BEST_FILE).is_file():
        print(f"{path}: its best weights are missing; starting over", file=sys.stderr)
        return None
    return state


def _resume(state: dict | None, model, optimizer, scheduler, scaler, generator) -> tuple[dict, float]:
    """Restore the last finished epoch from ``state`` (None: nothing to restore).

    Returns the ``{"rows", "seconds", "timed"}`` of the finished epochs and the best val loss.
    """
    if state is None:
        return {"rows": [], "seconds": 0.0, "timed": 0}, math.inf
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    print(f"resuming after epoch {len(state['rows'])}", file=sys.stderr)
    return {"rows": state["rows"], "seconds": state.get("seconds", 0.0), "timed": state.get("timed", 0)}, state["best"]


def _finish(outputs: FitOutputs, fitted: Fitted, train_images: int, settings: FitSettings) -> None:
    """Write the outputs from the work folder, then remove it (removing the state is the last write that counts).

    ``best.pt`` is copied, not moved, so every step up to that removal can run again.
    """
    check_parent()
    work = outputs.work_dir
    if not (work / BEST_FILE).is_file():
        raise NonFiniteLoss(f"{settings.name}: the val loss was never finite; no output written")
    copy_file(work / BEST_FILE, outputs.checkpoint)
    write_csv(outputs.history, fitted.rows)
    if outputs.speed is not None:
        write_record(outputs.speed, fitted.speed(train_images, settings.runtime))
    (work / STATE_FILE).unlink()
    shutil.rmtree(work, ignore_errors=True)


def fit(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    compute_loss: LossFn,
    train: Batches,
    val: Batches,
    settings: FitSettings,
) -> Fitted:
    """Train for ``settings.epochs``; return the history rows (also written to the history CSV) and timing.

    Each row: epoch, ``train_<part>`` and ``val_<part>`` for every loss part, lr. Every
    finished epoch is saved in ``outputs.work_dir``; a rerun with the same fingerprint resumes
    after the last finished epoch and ends with the same weights as an uninterrupted run.
    Under torchrun the model trains data-parallel (each process takes its share of every
    batch, gradients are averaged) and only rank 0 writes.
    """
    epochs, runtime, outputs, generator = settings.epochs, settings.runtime, settings.outputs, settings.generator
    scheduler, name = settings.scheduler, settings.name
    scaler = torch.amp.GradScaler(runtime.device.type, enabled=runtime.precision == "fp16")

    def step(total: torch.Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(total).backward()
        scaler.step(optimizer)
        scaler.update()

    state_path, best_path = outputs.work_dir / STATE_FILE, outputs.work_dir / BEST_FILE
    fingerprint = _fingerprint(outputs, optimizer, train, val, epochs)
    done, best = _resume(_saved_state(outputs.work_dir, fingerprint), model, optimizer, scheduler, scaler, generator)
    rows = done["rows"]
    live = LiveLog(outputs.live, rows) if outputs.live is not None and runtime.is_main else None
    train, val = train.to(runtime.device), val.to(runtime.device)
    trained = _distributed(model, runtime)
    interactive = sys.stderr.isatty() and runtime.is_main
    for epoch in range(len(rows) + 1, epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        started = time.perf_counter()
        with _progress_bar(f"{name} {epoch}/{epochs}", len(train), interactive, runtime.is_main) as bar:
            trained.train()
            try:
                train_losses = _epoch(trained, compute_loss, train, runtime, step, generator, bar)
            except NonFiniteLoss as fault:
                raise NonFiniteLoss(f"{name}: epoch {epoch}: {fault}; no output written") from None
            trained.eval()
            with torch.no_grad():
                val_losses = _epoch(trained, compute_loss, val, runtime)
        if scheduler is not None:
            scheduler.step()
        row = {"epoch": epoch}
        row |= {f"train_{part}": round(value, 6) for part, value in train_losses.items()}
        row |= {f"val_{part}": round(value, 6) for part, value in val_losses.items()}
        scores = {}
        if settings.scores is not None:
            with torch.no_grad():
                scores = settings.scores(model)
            row |= {f"val_{name}": round(value, 6) for name, value in scores.items()}
        score = scores.get(settings.score_name)
        row |= {"lr": lr}
        rows.append(row)
        done["seconds"] += time.perf_counter() - started
        done["timed"] += 1
        if settings.rank(epoch, val_losses["total"], score) < best:
            best = settings.rank(epoch, val_losses["total"], score)
            if runtime.is_main:
                kept = {"epoch": epoch, "val_loss": val_losses["total"]}
                if settings.keep != "val_loss":
                    kept |= {"kept_by": settings.keep} | ({settings.score_name: score} if score is not None else {})
                save_checkpoint(best_path, model, outputs.meta | kept)
        if not runtime.is_main:
            continue
        print(
            f"{name} epoch {epoch}/{epochs}: train {train_losses['total']:.4f} val {val_losses['total']:.4f}",
            file=sys.stderr,
        )
        state = {"fingerprint": fingerprint, "best": best, "model": model.state_dict()} | done
        state |= {"optimizer": optimizer.state_dict(), "scaler": scaler.state_dict()}
        state |= {"scheduler": scheduler.state_dict() if scheduler is not None else {}}
        state |= {"generator": generator.get_state(), "torch_rng": torch.get_rng_state()}
        save_torch(state_path, state)
        if live is not None:
            live.log(row)
    fitted = Fitted(rows, done["seconds"], done["timed"])
    runtime.barrier()
    if runtime.is_main:
        _finish(outputs, fitted, train.size, settings)
    runtime.barrier()
    return fitted


def _distributed(model: torch.nn.Module, runtime: Runtime) -> torch.nn.Module:
    """``model`` wrapped for data-parallel training when several processes run."""
    if runtime.world_size == 1:
        return model
    device_ids = [runtime.device.index] if runtime.device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids)
