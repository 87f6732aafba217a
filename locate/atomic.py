"""Atomic writes: a reader (or DVC) never sees a half-written file or folder.

The temporary path is made in the final path's own folder, so the closing ``os.replace`` never
crosses a filesystem; temporaries a killed run left for the same final path are removed by the
next write of it. An OS error (a full disk, a read-only folder) names the final path.
"""

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"


def temporary_pattern(final: Path) -> re.Pattern:
    """Names of the temporaries :func:`atomic_path` makes for ``final`` (``.<name>.<8 random characters>.tmp``)."""
    return re.compile(rf"\.{re.escape(final.name)}\.[a-z0-9_]{{8}}{re.escape(TEMPORARY_SUFFIX)}")


def remove_stale_temporaries(final: Path) -> None:
    """Remove what killed writes of ``final`` left beside it."""
    pattern = temporary_pattern(final)
    for stale in final.parent.iterdir():
        if pattern.fullmatch(stale.name):
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def atomic_path(final: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it onto ``final``.

    Works for files and folders. On any exception the temporary path is removed and
    ``final`` is left as it was; an OSError without a file name gets ``final`` as its name.
    """
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(final)
        temporary = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=TEMPORARY_SUFFIX, dir=final.parent))
    except OSError as error:
        raise _named(error, final) from None
    target = temporary / ("out" + suffix)
    try:
        yield target
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final)
        os.replace(target, final)
    except OSError as error:
        raise _named(error, final) from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _named(error: OSError, final: Path) -> OSError:
    """``error``, naming ``final`` when it names no file of its own."""
    if error.filename is None:
        error.filename = str(final)
    return error


def copy_file(source: str | Path, final: str | Path) -> None:
    """Copy ``source`` to ``final`` atomically (also from another filesystem); ``source`` stays."""
    with atomic_path(final) as temporary:
        shutil.copyfile(source, temporary)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text)


def write_json(path: str | Path, data: object) -> None:
    """Write ``data`` as indented JSON (trailing newline) atomically."""
    write_text(path, json.dumps(data, indent=2) + "\n")


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """Write ``rows`` (dicts with the same keys, in column order) as CSV with a header line, atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buffer.getvalue())
