"""A stand-in stage for the tests of stopping a run: ``python -m tests.sleeping_stage NAME SECONDS``.

It writes its process id to ``pids/NAME``, waits ``SECONDS`` while checking its parent watch as a training step
does, then writes its output ``out/NAME``; a negative ``SECONDS`` is a user error.
"""

import os
import sys
import time
from pathlib import Path

from locate.errors import UserError, check_parent, run_stage

STEP_SECONDS = 0.05


def main() -> None:
    name, seconds = sys.argv[1], float(sys.argv[2])
    if seconds < 0:
        raise UserError(f"seconds: got {seconds:g}, expected 0 or more")
    Path("pids").mkdir(exist_ok=True)
    (Path("pids") / name).write_text(str(os.getpid()))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        check_parent()
        time.sleep(STEP_SECONDS)
    Path("out").mkdir(exist_ok=True)
    (Path("out") / name).write_text(name)


if __name__ == "__main__":
    run_stage(main)
