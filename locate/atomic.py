"""Atomic writes: a reader (or DVC) never sees a half-written file or folder.

The temporary path is made in the final path's own folder, so the closing ``os.replace`` never
crosses a filesystem; temporaries a killed run left for the same final path are removed by the
next write of it. An OS error of the write (a full disk, a read-only folder) names the final path. JSON and CSV
files hold finite numbers only: a NaN or infinity ends the write with a :class:`UserError` naming
the file and the value's place, and nothing is written.
"""

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from locate.errors import UserError

TEMPORARY_SUFFIX = ".tmp"
_finished_outputs: list[Path] = []  # the outputs this process wrote, in order (a stage that then fails removes them)


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
def atomic_path(final: str | Path, suffix: str = "", output: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it onto ``final``.

    Works for files and folders. On any exception the temporary path is removed and
    ``final`` is left as it was; an OSError of the write is named after ``final`` (see :func:`_named`).
    An ``output`` (not a training's saved state) is remembered for :func:`remove_finished_outputs`.
    """
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(final)
        temporary = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=TEMPORARY_SUFFIX, dir=final.parent))
    except OSError as error:
        raise _named(error, final, final.parent) from None
    target = temporary / ("out" + suffix)
    try:
        yield target
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final)
        os.replace(target, final)
        if output:
            _finished_outputs.append(final)
    except OSError as error:
        raise _named(error, final, temporary) from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def forget_finished_outputs() -> None:
    """Start remembering finished outputs afresh (a stage starts)."""
    _finished_outputs.clear()


def remove_finished_outputs() -> list[Path]:
    """Remove the outputs this process finished (a stage that fails keeps none of its outputs); the removed."""
    removed = []
    while _finished_outputs:
        final = _finished_outputs.pop()
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(final, ignore_errors=True)
        elif final.exists():
            final.unlink(missing_ok=True)
        removed.append(final)
    return removed


def _named(error: OSError, final: Path, written: Path) -> OSError:
    """``error``, naming ``final`` when it names no file, or names one at or under ``written`` (the temporary
    path or the folder it goes in) as either of its files: ``shutil.copyfile`` on a full disk names its source
    first and the temporary copy second, while the file that could not be written is ``final``. An error
    about another file (a source that cannot be read) keeps its name."""
    named = [name for name in (error.filename, error.filename2) if name is not None]
    if not named or any(_at_or_under(Path(name), written) for name in named):
        error.filename, error.filename2 = str(final), None
    return error


def _at_or_under(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both taken as they are, relative or absolute)."""
    return path == folder or folder in path.parents


def copy_file(source: str | Path, final: str | Path) -> None:
    """Copy ``source`` to ``final`` atomically (also from another filesystem); ``source`` stays."""
    with atomic_path(final) as temporary:
        shutil.copyfile(source, temporary)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text)


def non_finite_place(data: object, place: str = "") -> str | None:
    """Where the first NaN or infinity in ``data`` (nested dicts, lists, tuples, numbers) lies, as a key path
    such as ``ap50.circle`` or ``[3].bbox[0]``; None when every number is finite."""
    if isinstance(data, float) and not math.isfinite(data):
        return place or "the value"
    if isinstance(data, dict):
        items = ((f"{place}.{key}" if place else str(key), value) for key, value in data.items())
    elif isinstance(data, list | tuple):
        items = ((f"{place}[{index}]", value) for index, value in enumerate(data))
    else:
        return None
    return next((found for key, value in items if (found := non_finite_place(value, key)) is not None), None)


def _refuse_non_finite(path: str | Path, data: object) -> None:
    """A :class:`UserError` naming ``path`` and the place of the first non-finite number in ``data``, if any."""
    place = non_finite_place(data)
    if place is not None:
        raise UserError(f"{path}: {place} is not a finite number (JSON and CSV hold no NaN or infinity); "
                        "nothing written")


def write_json(path: str | Path, data: object) -> None:
    """Write ``data`` as indented strict JSON (trailing newline) atomically; a NaN or infinity in it is refused."""
    _refuse_non_finite(path, data)
    write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """Write ``rows`` (dicts with the same keys, in column order) as CSV with a header line, atomically; a NaN or
    infinity in them is refused."""
    _refuse_non_finite(path, rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buffer.getvalue())
