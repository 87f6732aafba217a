"""``python -m tools.torchrun [torchrun's options] -m stages.<name> [args]``: torchrun, whose report of a dead
worker is one line after the workers' own.

torchrun's launcher prints its banner, and on a worker's death a ChildFailedError traceback and a summary box
(about 45 lines), which bury the one line the project's stage printed. This runs torchrun's own launcher
(``torch.distributed.run``) in-process with its log in ``logs/torchrun.log`` instead of the terminal, and on a
failure prints one line: the rank that ended first, how (exit code or signal, and the stage's own line from
torchrun's error file, which :func:`locate.errors.run_stage` writes), and where torchrun's full report is. The
workers print to the terminal as under torchrun: the project's line (``error: ...``, ``stopped: rank 1 of 2
ended ...``) comes first, from each worker, then this one; exit code 1.
"""

import logging
import sys
from pathlib import Path

LOG = Path("logs/torchrun.log")


def _log_to_file(path: Path) -> None:
    """Send the messages of torch's loggers (the launcher's banner, warnings, failure report) to ``path`` alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in [name for name in logging.root.manager.loggerDict if name.startswith("torch.")]:
        logger = logging.getLogger(name)  # torch gives some their own terminal handler, and no propagation
        logger.handlers, logger.propagate = [], True
    torch_logger = logging.getLogger("torch")
    torch_logger.handlers = [handler]
    torch_logger.propagate = False


def failure_line(rank: int, failure) -> str:
    """One line for the worker of ``rank`` that ended first (``failure``: torchrun's ProcessFailure)."""
    how = f"ended by {failure.signal_name()}" if failure.exitcode < 0 else f"exited {failure.exitcode}"
    own = ""
    if Path(failure.error_file).is_file():  # the stage's own line, where it wrote one
        own = f": {failure.message['message'] if isinstance(failure.message, dict) else failure.message}"
    return f"torchrun: rank {rank} {how}{own}; the other workers were stopped; torchrun's report: {LOG}"


def main(argv: list[str]) -> int:
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    arguments = parse_args(argv)
    _log_to_file(LOG)
    try:
        run(arguments)
    except ChildFailedError as failed:
        logging.getLogger("torch").error(str(failed))
        print(failure_line(*failed.get_first_failure()), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
