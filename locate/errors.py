"""User errors and the stage entry point that turns them into exit code 2."""

import sys
from collections.abc import Callable


class UserError(Exception):
    """A mistake in params or input files: reported as one line, exit code 2, no traceback."""


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a UserError ends it with one line on stderr and exit code 2."""
    try:
        main()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted: no partial output kept", file=sys.stderr)
        sys.exit(130)
