"""Atomic writes: a reader (or DVC) never sees a half-written file or folder."""

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(final: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it onto ``final``.

    Works for files and folders. On any exception the temporary path is removed and
    ``final`` is left as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    target = temporary / ("out" + suffix)
    try:
        yield target
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final)
        os.replace(target, final)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


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
