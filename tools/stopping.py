"""How ``make repro`` is stopped: SIGINT, SIGTERM or SIGHUP to the runner, or the end of the process that
started it.

:func:`stop_on_signals` turns the first of those signals into :class:`Stopped` (later ones are only noted, so
that the runner's cleanup runs to its end). :class:`ParentWatch` stops the runner when its parent ends (a
SIGKILL to ``make``), or when its parent is GNU make handling a fatal signal: make passes SIGTERM on to its
recipe, but on SIGINT or SIGHUP sent to make alone it only waits for the recipe to end. On Linux that wait
shows as the signal held in make's signal mask (``/proc/<pid>/status``); elsewhere only SIGTERM and the end of
make are seen. Stages learn the runner's process id from ``LOCATE_RUNNER_PID`` (:mod:`locate.errors`) and stop
when it ends, so that no stage outlives a killed runner.
"""

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locate.errors import RUNNER_VARIABLE

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by ``signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[list[int]]:
    """Raise :class:`Stopped` on the first SIGINT, SIGTERM or SIGHUP; the list yielded collects every one that
    arrived. The previous handlers come back at the end."""
    arrived: list[int] = []

    def stop(signum: int, frame: object) -> None:
        arrived.append(signum)
        if len(arrived) == 1:
            raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield arrived
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


MAKES = ("make", "gmake")  # the parents whose held stop signals mean a stop


def _blocked_stop_signals(pid: int) -> set[int]:
    """The stop signals held in the signal mask of process ``pid`` if it is GNU make (Linux); empty where it is
    another program or the mask cannot be read."""
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() not in MAKES:
            return set()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return set()
    mask = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigBlk:")), 0)
    return {signum for signum in STOP_SIGNALS if mask >> (signum - 1) & 1}


HELD_SECONDS = 0.5  # how long make must hold a stop signal for it to count: make holds them for an instant
# around each fork too


class ParentWatch:
    """The process that started the runner, and the stop signals it holds.

    A signal make held when the run began (make may still be in the instant around the fork that started the
    runner, or it was started with the signal held) counts only once make has let go of it; a signal counts as a
    stop once make holds it for ``HELD_SECONDS``.
    """

    def __init__(self) -> None:
        self.pid = os.getppid()
        self.held_from_start = _blocked_stop_signals(self.pid)
        self.held_since: dict[int, float] = {}

    def check(self) -> None:
        """Raise :class:`Stopped` (SIGTERM when the parent ended, else the signal it handles) when the parent ended
        or is handling a stop signal it does not pass on."""
        if os.getppid() != self.pid:
            raise Stopped(signal.SIGTERM)
        held = _blocked_stop_signals(self.pid)
        self.held_from_start &= held
        now = time.monotonic()
        self.held_since = {signum: self.held_since.get(signum, now) for signum in held - self.held_from_start}
        lasting = sorted(signum for signum, since in self.held_since.items() if now - since >= HELD_SECONDS)
        if lasting:
            raise Stopped(lasting[0])


def runner_env() -> dict[str, str]:
    """What the runner adds to its stages' environment: its process id, which their parent watch watches."""
    return {RUNNER_VARIABLE: str(os.getpid())}
