"""``make repro``: the stale stages of the pipeline, independent ones at once, recorded as ``dvc repro`` records them.

``python -m tools.parallel_repro [--jobs N]`` (``make repro JOBS=N``; default 1) checks every
params section first (:mod:`stages.check_params`). With one job it then runs ``dvc repro``. With more, it
holds DVC's lock on the workspace for the whole run (so a second run, or any other DVC command, refuses in one
line) and, for every stage of ``dvc.yaml`` in an order that puts each after its inputs, up to N at once
(:mod:`tools.parallel_stages`, each stage on its share of the cores):

- asks DVC whether the stage is changed, once every stage it reads from has finished (DVC's own check,
  so a stage whose inputs came out the same is not rerun, as in ``dvc repro``); an unchanged stage is
  skipped;
- restores it from DVC's run-cache when the cache knows the run (as ``dvc repro`` does);
- otherwise removes its outputs and runs its command, then records it as ``dvc repro`` does after a
  command (DVC's ``Stage.save``, ``commit`` and ``dump``): the same ``dvc.lock`` entry, the outputs in
  the cache, the run in the run-cache.

A stage that fails lets the running ones finish and stops the stages that read from it; the run ends
with exit 1 naming each failed stage and its log, and the next run continues with what is still stale.
A ``--jobs`` that is not a whole number from 1 ends with exit 2 before any stage starts; more
jobs than cores is clamped, and said.

Stopping (:mod:`tools.stopping`): SIGINT, SIGTERM or SIGHUP to the runner (``make`` passes SIGTERM on, and
the Makefile's recipe runs the runner with ``exec``), or its parent ending, stops every running stage: the stop is
passed on as SIGTERM (each stage keeps its resume state), to ``dvc repro``'s stages but not to DVC itself, so
that DVC records what finished. The runner waits for them and ends with 128 + the signal's number; ``dvc.lock``
then holds exactly the stages that finished with exit 0. Stages run with ``LOCATE_RUNNER_PID`` set, and stop by
themselves if the runner is killed. DVC's own files stay readable whatever happens (:mod:`tools.dvc_state`):
the runner writes its lock entries atomically with signals held off, keeps a copy of the last valid
``dvc.lock`` while ``dvc repro`` writes it, and before and after every run puts that copy back over a
``dvc.lock`` cut short, and removes a stale ``rwlock``.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from locate.cores import usable_cores
from tools.dvc_state import LockKeeper, clear_stale_rwlock, dump_atomically, repair, signals_held
from tools.parallel_stages import DONE, POLL_SECONDS, RUN, StageRunner
from tools.pipeline_graph import PlannedStage, read_plan
from tools.readme_summary import sync_readme
from tools.stopping import EXIT_CODES, ParentWatch, runner_env, stop_on_signals

LOGS = Path("logs")  # each stage's output, <stage>.log (git-ignored)
STOP_SECONDS = 300  # the most a stopped dvc repro may take to end before its process group is killed


def parse_jobs(text: str) -> int:
    """``--jobs`` as a number of stages at once; anything but a whole number from 1 ends the run (exit 2)."""
    if not text.strip().isdigit() or int(text) < 1:
        print(f"error: JOBS: got {text!r}, expected a whole number of stages to run at once, 1 or more",
              file=sys.stderr)
        sys.exit(2)
    return int(text)


def clamped(jobs: int, cores: int) -> int:
    """``jobs``, at most one per core; says so when it cuts."""
    if jobs > cores:
        print(f"JOBS={jobs}: running {cores} at once, one per CPU core of this machine", file=sys.stderr)
    return min(jobs, cores)


def stage_command(stage: PlannedStage) -> list[str]:
    """The stage's ``cmd`` as DVC runs it: through the shell, which then makes way for it (``exec``), so that the
    stage's parent is the runner."""
    return ["sh", "-c", f"exec {stage.cmd}"]


class DvcRecorder:
    """DVC's side of a parallel run in ``repo`` (locked by the caller): what to run, and recording what ran."""

    def __init__(self, repo) -> None:
        self.repo = repo

    def _stage(self, name: str):
        return self.repo.stage.collect(name)[0]

    def prepare(self, planned: PlannedStage) -> str:
        """RUN after removing the stage's outputs; DONE when DVC finds it unchanged or restores it from the
        run-cache."""
        from dvc.stage.cache import RunCacheNotFoundError

        stage = self._stage(planned.name)
        if not stage.changed():
            print(f"{planned.name}: up to date", file=sys.stderr, flush=True)
            return DONE
        try:
            self.repo.stage_cache.restore(stage)
        except RunCacheNotFoundError:
            stage.remove_outs(ignore_remove=False, force=False)
            return RUN
        self.record(planned)
        print(f"{planned.name}: restored from the run-cache", file=sys.stderr, flush=True)
        return DONE

    def record(self, planned: PlannedStage) -> None:
        """What ``dvc repro`` does after a stage's command: save its deps' and outputs' hashes (and the run in the
        run-cache, unless an output is uncached and neither metric nor plot), cache its outputs, write its lock
        entry."""
        stage = self._stage(planned.name)
        uncached = any(not out.use_cache for out in stage.outs if not (out.is_metric or out.is_plot))
        with signals_held():
            stage.save(run_cache=not uncached)
            stage.commit()
            dump_atomically(self.repo, stage)


def repair_unlocked() -> None:
    """:func:`tools.dvc_state.repair`, unless another DVC command holds the workspace (it may be writing)."""
    from dvc.lock import LockError
    from dvc.repo import Repo

    with Repo(".") as repo:
        try:
            with repo.lock:
                repair()
        except LockError:
            pass


def _stop_dvc(process: subprocess.Popen, arrived: list[int]) -> None:
    """Pass the stop on, as SIGTERM, to the stages ``dvc repro`` (``process``) runs, not to DVC itself, until DVC
    ends (it records what finished and stops at the stopped stage); a second stop signal, or DVC still running
    ``STOP_SECONDS`` later, kills its whole group."""
    signalled: set[int] = set()
    deadline = time.monotonic() + STOP_SECONDS
    while process.poll() is None:
        if len(arrived) > 1 or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            break
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for child in children:
            if child.pid not in signalled:
                signalled.add(child.pid)
                try:
                    child.send_signal(signal.SIGTERM)
                except psutil.NoSuchProcess:
                    pass
        time.sleep(POLL_SECONDS)
    process.wait()


def repro_serial(watch: ParentWatch, arrived: list[int]) -> int:
    """``dvc repro`` in a process group of its own, its ``dvc.lock`` kept valid (:class:`LockKeeper`); the exit
    code."""
    keeper = LockKeeper()
    keeper.keep()
    process = subprocess.Popen(["dvc", "repro"], env=os.environ | runner_env(), start_new_session=True)
    try:
        while process.poll() is None:
            keeper.keep()
            watch.check()
            time.sleep(POLL_SECONDS)
        return process.returncode
    except KeyboardInterrupt as stop:
        arrived[:] = arrived or [getattr(stop, "signum", signal.SIGINT)]
        _stop_dvc(process, arrived)
        raise
    finally:
        keeper.restore_if_broken()
        clear_stale_rwlock()


def run_parallel(jobs: int, watch: ParentWatch) -> int:
    """Every stale stage with up to ``jobs`` at once under DVC's lock; the exit code (0, 1 a stage failed, 2 locked)."""
    from dvc.lock import LockError
    from dvc.repo import Repo, lock_repo

    plan = read_plan(Path("."))
    env = os.environ | {"DVC_ROOT": str(Path.cwd())} | runner_env()
    with Repo(".") as repo:
        try:
            with lock_repo(repo), repo.scm_context:  # as dvc repro: dvc.lock staged when core.autostage is set
                recorder = DvcRecorder(repo)
                runner = StageRunner(plan, jobs, LOGS, stage_command, Path.cwd(), env, recorder.prepare,
                                     recorder.record, watch=watch.check)
                outcome = runner.run()
        except LockError:
            print("error: another DVC command (a `make repro`, `dvc repro`, ...) holds this workspace; wait for it",
                  file=sys.stderr)
            return 2
    for name in outcome.failed:
        ran = outcome.stages[name]
        print(f"failed: {name}; " + (f"its log: {ran['log']}" if ran["log"] else ran["error"]), file=sys.stderr)
    if outcome.blocked:
        print(f"not run (they read from a failed stage): {', '.join(outcome.blocked)}", file=sys.stderr)
    return 1 if outcome.failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1", help="stages at once (default 1: dvc repro)")
    arguments = parser.parse_args()
    jobs = clamped(parse_jobs(arguments.jobs), usable_cores())
    watch = ParentWatch()
    with stop_on_signals() as arrived:
        try:
            repair_unlocked()
            checked = subprocess.run([sys.executable, "-m", "stages.check_params"])
            if checked.returncode != 0:
                return checked.returncode
            code = repro_serial(watch, arrived) if jobs == 1 else run_parallel(jobs, watch)
            if code == 0:
                sync_readme()
            return code
        except KeyboardInterrupt as stop:
            signum = arrived[0] if arrived else getattr(stop, "signum", signal.SIGINT)
            print(f"stopped by {signal.Signals(signum).name}: the stages that finished are recorded in dvc.lock; "
                  "rerun to continue", file=sys.stderr)
            return EXIT_CODES[signum]


if __name__ == "__main__":
    sys.exit(main())
