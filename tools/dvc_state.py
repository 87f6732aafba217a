"""DVC's own files kept valid through any interruption: ``dvc.lock`` and ``.dvc/tmp/rwlock``.

DVC rewrites ``dvc.lock`` in place (open, truncate, write), so a signal or a kill in between leaves it empty
or cut short, and every DVC command then fails on it. ``make repro`` (:mod:`tools.parallel_repro`) therefore:

- keeps a copy of the last valid ``dvc.lock`` (:class:`LockKeeper`, in ``.dvc/tmp``) and, when the run
  ends however it ends (and before the next one starts), puts it back over a ``dvc.lock`` that DVC cannot
  read, in one line (without a copy: git's committed one, else none); a stage whose entry is lost this way
  comes back from DVC's run-cache on the next run;
- writes its own lock entries (``JOBS`` above 1) to a temporary file that then replaces ``dvc.lock``
  (:func:`dump_atomically`), with SIGINT, SIGTERM and SIGHUP held off meanwhile (:func:`signals_held`);
- removes an ``rwlock`` that DVC cannot read, or whose every holder has ended (:func:`clear_stale_rwlock`).

What reads the lock file is imported with this module, before the runner turns signals into stops: a stop in the
middle of a first import would leave that module half-imported, and every later read failing.
"""

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import ruamel.yaml  # noqa: F401 - imported in full before any stop can come, as parse_yaml would import it
from dvc.exceptions import DvcException
from dvc.schema import COMPILED_LOCKFILE_SCHEMA
from dvc.utils.serialize import parse_yaml
from voluptuous import Invalid

LOCK_FILE = Path("dvc.lock")
KEPT_LOCK = Path(".dvc/tmp/dvc.lock.valid")  # the last valid dvc.lock this project's runner saw
RWLOCK = Path(".dvc/tmp/rwlock")
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
TEMPORARY_PREFIX = ".dvc.lock."


def lock_is_valid(path: Path = LOCK_FILE) -> bool:
    """True when DVC can read ``path`` as a lock file (its YAML and its schema); a missing file is valid (none
    recorded yet). Only what DVC itself fails on makes it invalid (empty, cut short, not YAML, not its schema): any
    other error is raised, so that a lock file is never replaced for a reason of the reader's."""
    if not path.exists():
        return True
    try:
        COMPILED_LOCKFILE_SCHEMA(parse_yaml(path.read_text(encoding="utf-8"), str(path)))
    except (DvcException, Invalid, UnicodeDecodeError):
        return False
    return True


def _copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


class LockKeeper:
    """The last valid ``dvc.lock``, kept in ``.dvc/tmp`` while DVC writes the real one."""

    def __init__(self, root: Path = Path(".")) -> None:
        self.lock, self.kept = root / LOCK_FILE, root / KEPT_LOCK
        self._seen: tuple[int, int] | None = None

    def keep(self) -> None:
        """Copy ``dvc.lock`` when it changed since the last look and is valid."""
        try:
            stat = self.lock.stat()
        except FileNotFoundError:
            return
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen and lock_is_valid(self.lock):
            _copy_atomically(self.lock, self.kept)
            self._seen = seen

    def restore_if_broken(self) -> bool:
        """Put the last valid ``dvc.lock`` back over one DVC cannot read, in one line on stderr; True if it did.

        The last valid one is the kept copy, else git's committed one, else none (the file is removed: DVC then
        finds every stage changed, and brings back from the run-cache those it ran)."""
        if lock_is_valid(self.lock):
            return False
        if self.kept.is_file():
            _copy_atomically(self.kept, self.lock)
            source = "the last valid copy"
        elif (committed := _committed(self.lock)) is not None:
            self.kept.parent.mkdir(parents=True, exist_ok=True)
            self.kept.write_bytes(committed)
            _copy_atomically(self.kept, self.lock)
            source = "git's committed one"
        else:
            self.lock.unlink()
            source = "none: removed"
        print(f"{self.lock}: cut short by an interruption; restored {source} (stages it lacks come back from the "
              "run-cache)", file=sys.stderr, flush=True)
        return True


def _committed(lock: Path) -> bytes | None:
    """``lock`` as git's last commit holds it; None where there is no such commit, file or git."""
    try:
        shown = subprocess.run(["git", "show", f"HEAD:./{lock.name}"], cwd=lock.parent, capture_output=True)
    except OSError:
        return None
    return shown.stdout if shown.returncode == 0 else None


def clear_stale_rwlock(root: Path = Path(".")) -> bool:
    """Remove DVC's ``rwlock`` when DVC cannot read it, or names processes that have all ended; True if removed."""
    path = root / RWLOCK
    try:
        holders = json.loads(path.read_text(encoding="utf-8"))
        pids = {info["pid"] for mode in ("read", "write") for infos in holders.get(mode, {}).values()
                for info in (infos if isinstance(infos, list) else [infos])}
        if not pids or any(psutil.pid_exists(pid) for pid in pids):
            return False
        reason = "left by processes that have ended"
    except FileNotFoundError:
        return False
    except (ValueError, TypeError, KeyError, AttributeError):
        reason = "cut short by an interruption"
    path.unlink(missing_ok=True)
    print(f"{RWLOCK}: {reason}; removed", file=sys.stderr, flush=True)
    return True


def remove_temporaries(root: Path = Path(".")) -> None:
    """Remove temporary lock files an earlier run left when it was killed while writing one."""
    for leftover in root.glob(f"{TEMPORARY_PREFIX}*"):
        leftover.unlink(missing_ok=True)


def repair(root: Path = Path(".")) -> None:
    """Make DVC's files readable again after a run that was stopped or killed: the lock file, the rwlock, and
    temporaries."""
    LockKeeper(root).restore_if_broken()
    clear_stale_rwlock(root)
    remove_temporaries(root)


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the block ends (then arrive); a no-op where the OS cannot hold them."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def dump_atomically(repo, stage) -> None:
    """Write ``stage``'s entry into ``dvc.lock`` as DVC does, through a temporary file that then replaces it (DVC's
    line naming the file it updates, the temporary one, is left out)."""
    from dvc.dvcfile import Lockfile

    root = Path(repo.root_dir)
    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".lock", dir=root)
    os.close(handle)
    dvcfile_log = logging.getLogger("dvc.dvcfile")
    was_disabled, dvcfile_log.disabled = dvcfile_log.disabled, True
    try:
        if (root / LOCK_FILE).exists():
            shutil.copyfile(root / LOCK_FILE, temporary)
        else:
            os.unlink(temporary)
        Lockfile(repo, temporary).dump(stage)
        os.replace(temporary, root / LOCK_FILE)
        tracked = repo.scm_context.files_to_track  # DVC noted the temporary file for `git add`: note dvc.lock
        tracked.discard(os.path.relpath(temporary))
        tracked.add(os.path.relpath(root / LOCK_FILE))
    finally:
        dvcfile_log.disabled = was_disabled
        Path(temporary).unlink(missing_ok=True)
