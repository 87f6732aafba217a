"""User errors and the stage entry point that turns them into exit code 2."""

import signal
import sys
from collections.abc import Callable


class UserError(Exception):
    """A mistake in params or input files: reported as one line, exit code 2, no traceback."""


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so that cleanup (``finally`` blocks) runs as it does for Ctrl-C."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a UserError ends it with one line on stderr and exit code 2.

    Ctrl-C (exit 130) and SIGTERM (exit 143) unwind the stage, so temporary outputs are
    removed and nothing half-written is left; finished epochs stay in ``.resume/``.
    """
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        main()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt as interruption:
        terminated = isinstance(interruption, Terminated)
        print(f"interrupted by {'SIGTERM' if terminated else 'Ctrl-C'}: no partial output kept", file=sys.stderr)
        sys.exit(143 if terminated else 130)
