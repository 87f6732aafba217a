"""User errors and the stage entry point that turns them, a stop, or an output folder DVC would refuse into one line."""

import contextlib
import errno
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

# OS errors that come from the machine or its disks, not from a bug: reported in one line, exit code 2.
ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EXDEV}
)


# What a gloo or NCCL collective says when another process of the group ended.
PEER_FAILURES = ("Connection reset by peer", "Connection closed by peer", "NCCL")


class UserError(Exception):
    """A mistake in params or input files: reported as one line, exit code 2, no traceback."""


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so that cleanup (``finally`` blocks) runs as it does for Ctrl-C."""


class ParentGone(Terminated):
    """The process that started the stage (``dvc``), or the runner above it, ended: nobody would record the stage's
    outputs."""


OUTPUT_FOLDERS = ("data", "models", "predictions")  # where the stages write DVC-cached outputs
RUNNER_VARIABLE = "LOCATE_RUNNER_PID"  # the process id of the runner (``make repro``) that started the stage
_watched_parent = {"pid": None, "runner": None}  # the parent process id seen when the stage started, the runner's


def watch_parent() -> None:
    """Remember the current parent process, and the runner named in ``LOCATE_RUNNER_PID`` (``make repro`` sets it;
    ``dvc`` and a shell may stand between), which :func:`check_parent` then watches."""
    _watched_parent["pid"] = os.getppid()
    runner = os.environ.get(RUNNER_VARIABLE, "")
    _watched_parent["runner"] = int(runner) if runner.isdigit() else None


def _ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        pass
    return False


def check_parent() -> None:
    """Raise :class:`ParentGone` when the parent remembered by :func:`watch_parent`, or the runner, has ended."""
    if _watched_parent["pid"] is not None and os.getppid() != _watched_parent["pid"]:
        raise ParentGone
    if _watched_parent["runner"] is not None and _ended(_watched_parent["runner"]):
        raise ParentGone


def refuse_linked_outputs(root: Path = Path(".")) -> None:
    """Raise UserError when an output folder (``OUTPUT_FOLDERS``) under ``root`` is a symlink out of ``root``.

    DVC refuses an output reached through a symlink that leaves the repository ("outside of git repository"),
    but only after the stage has run, and again on every rerun; a stage refuses it before it starts work, in one
    line naming what works instead (docs/data-and-errors.md).
    """
    for name in OUTPUT_FOLDERS:
        folder = root / name
        if not folder.is_symlink():
            continue
        target = folder.resolve()
        if not target.is_relative_to(root.resolve()):
            raise UserError(f"{name}/ links to {target}, outside the repository, which DVC refuses for outputs; "
                            f"make {name}/ a bind mount of it, or keep DVC's cache there (dvc cache dir): "
                            "docs/data-and-errors.md")


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


def _interruption_line(interruption: KeyboardInterrupt) -> tuple[str, int]:
    if isinstance(interruption, ParentGone):
        return "stopped: the process that started this stage ended; no partial output kept", 143
    if isinstance(interruption, Terminated):
        return "interrupted by SIGTERM: no partial output kept", 143
    return "interrupted by Ctrl-C: no partial output kept", 130


def _lost_peer_line(error: RuntimeError) -> str | None:
    """The line for a collective of a torchrun group that failed because another process of the group ended
    (gloo: the connection reset or closed; NCCL: its error); None for any other error, which is a bug."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.distributed.is_available() or not torch.distributed.is_initialized():
        return None
    if not isinstance(error, torch.distributed.DistError) and not any(m in str(error) for m in PEER_FAILURES):
        return None
    rank, world_size = torch.distributed.get_rank(), torch.distributed.get_world_size()
    ended = f"rank {1 - rank} of 2" if world_size == 2 else f"another of the {world_size} processes"
    return f"stopped: {ended} ended; no partial output kept"


def _record_for_torchrun(line: str) -> None:
    """Under torchrun, write ``line`` into its error file (``TORCHELASTIC_ERROR_FILE``, in the JSON its launcher
    reads), so that its report of this worker's end gives the line instead of a link to its docs."""
    path = os.environ.get("TORCHELASTIC_ERROR_FILE")
    if not path:
        return
    record = {"message": {"message": line, "extraInfo": {"py_callstack": "", "timestamp": str(int(time.time()))}}}
    with contextlib.suppress(OSError):
        with open(path, "w") as error_file:
            json.dump(record, error_file)


def _remove_finished_outputs() -> None:
    """Remove the outputs the stage finished before it was stopped or its disk failed: it keeps none."""
    from locate.atomic import remove_finished_outputs  # locate.atomic imports this module

    remove_finished_outputs()


def _end(line: str, code: int) -> None:
    """Print ``line`` on stderr (and into torchrun's error file) and exit with ``code``; a SIGTERM from now on
    (torchrun stopping its workers) ends the process as by default, without raising, so no exception is printed
    from the exit's cleanup."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.stderr.write(f"{line}\n")  # in one write: the lines of processes ending at once do not mix
    sys.stderr.flush()
    _record_for_torchrun(line)
    sys.exit(code)


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a UserError ends it with one line on stderr and exit code 2.

    So does an OS error of the machine (a full disk, a read-only folder): the line names
    the path. Ctrl-C (exit 130), SIGTERM and the end of the parent process (exit 143)
    unwind the stage, so temporary outputs are removed and nothing half-written is left; after
    either, the outputs the stage had finished are removed too; finished epochs stay in
    ``.resume/``. Under torchrun, a process whose peer ended (killed, or failed) stops the same
    way with one line (exit 1), without waiting on the process group's teardown. Before
    ``main``, an output folder linked out of the repository is refused (:func:`refuse_linked_outputs`).
    """
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    watch_parent()
    try:
        check_parent()
        refuse_linked_outputs()
        from locate.atomic import forget_finished_outputs  # locate.atomic imports this module

        forget_finished_outputs()
        main()
    except UserError as error:
        _end(f"error: {error}", 2)
    except OSError as error:
        if error.errno not in ENVIRONMENT_ERRNOS:
            raise
        _remove_finished_outputs()
        _end(f"error: {error.filename}: {error.strerror}; no partial output kept", 2)
    except KeyboardInterrupt as interruption:
        _remove_finished_outputs()
        _end(*_interruption_line(interruption))
    except RuntimeError as error:
        line = _lost_peer_line(error)
        if line is None:
            raise
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        print(line, file=sys.stderr, flush=True)
        _record_for_torchrun(line)
        os._exit(1)  # the process group's teardown would wait on the ended peer
    finally:  # a caller in the same process (a test) gets its SIGTERM handler back and no watched parent
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        _watched_parent["pid"] = _watched_parent["runner"] = None
