"""Reading JSON and PNG files, and checked entries of JSON files, with one-line errors that name the file;
the one writer of the annotation files."""

import json
import typing
from dataclasses import MISSING, fields
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from locate.errors import UserError
from locate.typed import FormatError, to_dataclass

T = typing.TypeVar("T")


def read_json(path: str | Path) -> object:
    """Parsed JSON of ``path``; a missing or corrupt file is a UserError naming it."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid JSON ({error})") from None


def write_annotations(path: Path, document: dict) -> None:
    """Write an annotation file (``{split}.json``) as generation and import both do: one-space indent, a final
    newline, keys in the order ``document`` holds them (the same data in the same order gives the same bytes)."""
    path.write_text(json.dumps(document, indent=1) + "\n")


def read_png(path: Path, mode: str, width: int, height: int) -> np.ndarray:
    """Pixels of ``path`` as ``uint8[H, W]`` (mode ``L``) or ``uint8[H, W, 3]`` (``RGB``).

    The image must exist, decode, have the given colour mode and size.
    """
    if not path.is_file():
        raise UserError(f"{path}: image file not found")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode != mode or image.size != (width, height):
                got = f"{image.size[0]}x{image.size[1]} {image.mode}"
                raise UserError(f"{path}: expected a {width}x{height} {mode} image, got {got}")
            return np.asarray(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UserError(f"{path}: not a readable PNG image ({error})") from None


def require_keys(path: Path, entry: object, keys: tuple[str, ...], what: str) -> None:
    """Raise a UserError naming ``path`` and the first missing key unless ``entry`` is a mapping with all ``keys``."""
    expected = f"each {what} must be an object with keys {', '.join(keys)}"
    if not isinstance(entry, dict):
        raise UserError(f"{path}: {expected}")
    missing = [key for key in keys if key not in entry]
    if missing:
        raise UserError(f"{path}: missing key '{missing[0]}'; {expected}")


def read_entries(path: Path, document: dict, key: str, schema: type[T], what: str) -> list[T]:
    """``document[key]`` (a list of ``what`` entries of ``path``), each checked against the dataclass ``schema``.

    A wrong entry is a UserError naming ``path``, the ``what`` with its id (or its index) and the field.
    """
    entries = document[key]
    if not isinstance(entries, list):
        raise UserError(f"{path}: '{key}' must be a list, got {type(entries).__name__}")
    return [to_entry(path, entry, schema, what, _entry_name(what, entry, index)) for index, entry in enumerate(entries)]


def to_entry(path: Path, entry: object, schema: type[T], what: str, name: str | None = None) -> T:
    """``entry`` (a ``what`` of ``path``, called ``name`` in errors) checked against the dataclass ``schema``."""
    try:
        return to_dataclass(entry, schema, "", other_keys=True)
    except FormatError as error:
        raise UserError(f"{path}: {name or what}: {_field_problem(error, schema, what)}") from None


def _entry_name(what: str, entry: object, index: int) -> str:
    if isinstance(entry, dict) and "id" in entry:
        return f"{what} {entry['id']!r}"
    return f"{what} at index {index}"


def _field_problem(error: FormatError, schema: type, what: str) -> str:
    if error.problem == "missing":
        required = [field.name for field in fields(schema) if field.default is MISSING]
        return f"missing key '{error.key}'; each {what} must be an object with keys {', '.join(required)}"
    return f"field '{error.key}': {error.problem}" if error.key else error.problem
