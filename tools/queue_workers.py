"""Start DVC's experiment queue workers and confirm how many run.

``python -m tools.queue_workers N`` (``make queue WORKERS=N``) runs ``dvc queue start -j N`` and then
reads ``dvc queue status`` until the workers it reports reach N, or as many as there are
queued and running experiments when those are fewer. A worker can die at start-up
(a race inside dvc-task's message broker, after which the queue runs with fewer workers
than asked); a missing one is started again, up to ``STARTS`` times. Prints the number of
workers running; exit code 1 and one line when they stay short, 2 for a bad N.

DVC names a new worker by its number among the workers it finds running, so two starts at once
would give two workers one name; a start therefore waits for one under way in the same project
(a lock file in ``.dvc/tmp``), then finds its workers running.
"""

import re
import sys
import time
from pathlib import Path

from filelock import FileLock

from locate.errors import UserError, run_stage
from tools.remote import dvc_command

STARTS = 3  # dvc queue start calls before the shortfall is reported
WAIT_S = 30  # for the workers of one start to report
WORKERS = re.compile(r"Worker status: (\d+) active, (\d+) idle")
START_LOCK = Path(".dvc/tmp/queue-start.lock")  # held while workers are started and confirmed


def dvc(*args: str) -> str:
    """``dvc args`` (:func:`tools.remote.dvc_command`); its stdout, or a UserError with its last line."""
    result = dvc_command(*args)
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
        raise UserError(f"dvc {' '.join(args)} failed: {last}")
    return result.stdout


def queue_state() -> tuple[int, int]:
    """``(workers, experiments)``: the workers running, and the queued and running experiments of ``dvc queue
    status``. Its worker line comes from a broadcast the workers answer within a timeout, which busy workers
    on a loaded machine miss; each running experiment has a worker of its own (one experiment per worker), so
    the workers running are at least the experiments running."""
    status = dvc("queue", "status")
    found = WORKERS.search(status)
    if found is None:
        raise UserError(f"dvc queue status: no worker line in its output ({status.strip()[-80:]!r})")
    states = re.findall(r"\b(Queued|Running)\b", status)
    return max(int(found[1]) + int(found[2]), states.count("Running")), len(states)


def wanted_workers(argument: list[str]) -> int:
    """The worker count N of the command line: one integer from 1 up."""
    if len(argument) != 1 or not argument[0].isdigit() or int(argument[0]) < 1:
        raise UserError(f"expected one argument, the number of queue workers (an integer >= 1), got {argument}")
    return int(argument[0])


def start_workers(wanted: int, starts: int = STARTS, wait_s: float = WAIT_S) -> int:
    """Start ``wanted`` workers (fewer when fewer experiments wait) and return how many run; one start at a time
    in a project (:data:`START_LOCK`)."""
    START_LOCK.parent.mkdir(parents=True, exist_ok=True)
    running = 0
    with FileLock(START_LOCK, timeout=starts * wait_s + 60):
        for _ in range(starts):
            dvc("queue", "start", "-j", str(wanted))
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                running, pending = queue_state()
                if running >= min(wanted, pending) and (running or not pending):
                    return running
                time.sleep(min(1, wait_s))
    return running


def main() -> None:
    wanted = wanted_workers(sys.argv[1:])
    running = start_workers(wanted, STARTS, WAIT_S)  # read when called, so a test can shorten the wait
    _, pending = queue_state()
    expected = min(wanted, pending) if pending else running
    if running < expected:
        print(f"dvc queue: {running} of {expected} workers running after {STARTS} starts; "
              "see dvc queue status and dvc queue logs", file=sys.stderr)
        sys.exit(1)
    if not running and not pending:
        print("dvc queue: no worker running: every queued experiment has finished (dvc exp show lists them)")
        return
    print(f"dvc queue: {running} worker{'s' * (running != 1)} running, {pending} experiments queued or running")


if __name__ == "__main__":
    run_stage(main)
