"""The one runner of stages side by side: each stage after the stages it reads from, up to ``jobs`` at once.

Used by ``make repro`` (:mod:`tools.parallel_repro`, which asks DVC what is stale and records each
finished stage) and by the GPU check (:mod:`benchmarks.gpu_check`, without DVC). The stages and their
edges come from :mod:`tools.pipeline_graph`. Each of the ``jobs`` slots owns an equal share of the
CPU cores this process may use: a stage runs pinned to its slot's cores, so ``runtime.threads: 0``
gives it one thread per core of its share and the processes together use every core once. Each
stage's output goes to ``<logs>/<stage>.log``; while stages run, one status line each (epoch, time per
epoch, time left) is printed every ``STATUS_SECONDS``. A stage that fails lets the running ones finish
and stops only the stages that read from it. Each stage runs in a process group of its own: a stop (a signal
to the runner, its parent ending: :mod:`tools.stopping`) is passed on to every running stage's group as SIGTERM
(each keeps its resume state), the runner waits for them, and finishes the stages that ended with exit 0 before
it stops.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from locate.cores import SHARE_VARIABLE, core_ids
from tools.pipeline_graph import PlannedStage, upstream

STATUS_SECONDS = 30
POLL_SECONDS = 0.2
EPOCH_LINE = re.compile(r"epoch (\d+)/(\d+)")
RUN, DONE = "run", "done"  # what ``prepare`` says of a stage: run its command, or it needs no run


@dataclass
class Running:
    """A started stage: its process, the slot whose cores it runs on, its log and its start time."""

    stage: PlannedStage
    process: subprocess.Popen
    slot: int
    log: Path
    started: float


@dataclass
class Outcome:
    """What a run did: per stage (in the order they ended) its ``seconds``, ``exit`` status and ``log``; the stages
    that failed, in order; the stages not run because a stage they read from failed; the stages ``prepare``
    found done."""

    stages: dict[str, dict] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    done_already: list[str] = field(default_factory=list)


def slot_cores(jobs: int) -> list[set[int]]:
    """The CPU cores of each of ``jobs`` slots: this process's cores dealt out in turn (every slot gets one).

    Where the OS cannot pin a process (macOS, Windows) a slot's stage runs unpinned, but on as many threads as
    its slot has cores (``LOCATE_CORES``).
    """
    cores = core_ids()
    return [set(cores[slot::jobs]) or {cores[slot % len(cores)]} for slot in range(jobs)]


def pin_to(cores: set[int]) -> Callable[[], None] | None:
    """What a child process runs before its command to stay on ``cores``; None where the OS cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, cores)


def log_name(stage: str) -> str:
    """A file name for ``stage`` (``train_heatmap@heatmap`` -> ``train_heatmap-heatmap.log``)."""
    return stage.replace("@", "-").replace("/", "-") + ".log"


def status_line(name: str, log: Path, started: float, now: float) -> str:
    """``name: epoch 12/30, 5.3 s/epoch, 1.6 min left`` from a stage's ``log``, or its running time before an epoch."""
    matches = EPOCH_LINE.findall(log.read_text(errors="replace")) if log.is_file() else []
    if not matches:
        return f"{name}: running for {now - started:.0f} s"
    epoch, epochs = map(int, matches[-1])
    per_epoch = (now - started) / epoch
    left = per_epoch * (epochs - epoch) / 60
    return f"{name}: epoch {epoch}/{epochs}, {per_epoch:.1f} s/epoch, {left:.1f} min left"


class StageRunner:
    """Runs ``plan`` (stages in an order that puts each after its inputs) with up to ``jobs`` at once.

    ``command(stage) -> argv`` runs a stage in ``cwd`` with ``env``; ``prepare(stage) -> RUN | DONE`` is asked
    just before a stage would start (default: run it), and ``finish(stage)`` after its command succeeded.
    ``watch()`` is called between polls and may raise KeyboardInterrupt (with a ``signum``) to stop the run.
    """

    def __init__(self, plan: list[PlannedStage], jobs: int, logs: Path, command: Callable[[PlannedStage], list[str]],
                 cwd: Path, env: dict[str, str], prepare: Callable[[PlannedStage], str] = lambda stage: RUN,
                 finish: Callable[[PlannedStage], None] = lambda stage: None, out=sys.stderr,
                 watch: Callable[[], None] = lambda: None):
        self.plan, self.jobs, self.logs, self.command = plan, jobs, logs, command
        self.cwd, self.env, self.prepare, self.finish, self.out = cwd, env, prepare, finish, out
        self.watch = watch
        self.cores = slot_cores(jobs)
        names = {stage.name for stage in plan}
        self.needs = {name: inputs & names for name, inputs in upstream(plan).items()}

    def _start(self, stage: PlannedStage, slot: int) -> Running:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / log_name(stage.name)
        cores = self.cores[slot]
        with log.open("w") as output:
            share = {SHARE_VARIABLE: str(len(cores))}
            process = subprocess.Popen(self.command(stage), cwd=self.cwd, env=self.env | share, stdout=output,
                                       stderr=subprocess.STDOUT, preexec_fn=pin_to(cores),
                                       start_new_session=True)
        print(f"started {stage.name} on cores {','.join(map(str, sorted(cores)))}; log: {log}", file=self.out,
              flush=True)
        return Running(stage, process, slot, log, time.perf_counter())

    def _ended(self, entry: Running, outcome: Outcome) -> None:
        code = entry.process.returncode
        outcome.stages[entry.stage.name] = {"seconds": round(time.perf_counter() - entry.started, 2), "exit": code,
                                            "log": str(entry.log)}
        if code != 0:
            outcome.failed.append(entry.stage.name)
            print(f"failed: {entry.stage.name} (exit {code}); its log: {entry.log}", file=self.out, flush=True)
        elif self._guarded(self.finish, entry.stage, outcome):
            print(f"finished {entry.stage.name} in {outcome.stages[entry.stage.name]['seconds']:.0f} s",
                  file=self.out, flush=True)

    def _guarded(self, step: Callable[[PlannedStage], object], stage: PlannedStage, outcome: Outcome):
        """``step(stage)``; an error in it (the stage's inputs or outputs as DVC finds them) fails that stage alone,
        named in one line, and returns None."""
        try:
            return step(stage) or True
        except Exception as error:  # noqa: BLE001 - one stage's bookkeeping must not end the others
            outcome.failed.append(stage.name)
            outcome.stages.setdefault(stage.name, {"seconds": 0.0, "exit": None, "log": None})["error"] = str(error)
            print(f"failed: {stage.name}: {type(error).__name__}: {error}", file=self.out, flush=True)
            return None

    def _ready(self, waiting: list[PlannedStage], outcome: Outcome) -> list[PlannedStage]:
        """The waiting stages whose inputs all succeeded; those behind a failed stage move to ``blocked``."""
        succeeded = {name for name, figures in outcome.stages.items() if figures["exit"] == 0}
        succeeded |= set(outcome.done_already)
        lost = set(outcome.failed) | set(outcome.blocked)
        for stage in [stage for stage in waiting if self.needs[stage.name] & lost]:
            waiting.remove(stage)
            outcome.blocked.append(stage.name)
        return [stage for stage in waiting if self.needs[stage.name] <= succeeded]

    def run(self) -> Outcome:
        """Run every stage of the plan that can run; a stop (KeyboardInterrupt) is passed on to the running stages,
        whose ends are awaited (those that succeeded are finished), then raised again."""
        outcome, waiting, running = Outcome(), list(self.plan), []
        shown = time.perf_counter()
        try:
            while waiting or running:
                free = [slot for slot in range(self.jobs) if slot not in {entry.slot for entry in running}]
                ready = self._ready(waiting, outcome)
                for stage in ready[: len(free)]:
                    waiting.remove(stage)
                    prepared = self._guarded(self.prepare, stage, outcome)
                    if prepared == DONE:
                        outcome.done_already.append(stage.name)
                    elif prepared == RUN:
                        running.append(self._start(stage, free.pop(0)))
                if not running:
                    if not ready:
                        break
                    continue
                time.sleep(POLL_SECONDS)
                self.watch()
                for entry in [entry for entry in running if entry.process.poll() is not None]:
                    running.remove(entry)
                    self._ended(entry, outcome)
                if running and time.perf_counter() - shown >= STATUS_SECONDS:
                    shown = time.perf_counter()
                    lines = [status_line(entry.stage.name, entry.log, entry.started, shown) for entry in running]
                    print("\n".join("  " + line for line in lines), file=self.out, flush=True)
        except KeyboardInterrupt:
            self._stop(running, outcome)
            raise
        return outcome

    def _stop(self, running: list[Running], outcome: Outcome) -> None:
        """Pass a stop on to each running stage's process group as SIGTERM (a stage unwinds on it; one still
        importing ends at once, with no traceback in its log), wait for each to save its state and end, and finish
        those that ended with exit 0."""
        for entry in running:
            try:
                os.killpg(entry.process.pid, signal.SIGTERM)
            except ProcessLookupError:  # it ended already
                pass
        for entry in running:
            if entry.process.wait() == 0:
                self._ended(entry, outcome)
