"""Reading a metrics record: JSON checked against the record's dataclass, field by field.

Field annotations are the format: ``int``, ``float`` (an integer is accepted), ``bool``,
``str``, ``list[T]``, ``dict[str, T]``, a nested record, and unions of those with None.
A field with a default may be absent. A missing file, invalid JSON, an unknown or missing
key or a value of the wrong type is a :class:`~locate.errors.UserError` naming the file and
the key.
"""

import dataclasses
import types
import typing
from pathlib import Path

from locate.data.files import read_json
from locate.errors import UserError

T = typing.TypeVar("T")
SHOWN_CHARACTERS = 60  # of a wrong value, in the error line
SCALARS = {bool: "true or false", int: "an integer", float: "a number", str: "a string", type(None): "null"}


class FormatError(Exception):
    """A part of the file that does not fit the record; ``key`` is its dotted path in the file."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"key '{key}': {problem}" if key else problem)


def _wrong(key: str, value: object, expected: str) -> FormatError:
    shown = repr(value)
    shown = shown if len(shown) <= SHOWN_CHARACTERS else shown[: SHOWN_CHARACTERS - 3] + "..."
    return FormatError(key, f"expected {expected}, got {shown}")


def read_record(path: str | Path, record_type: type[T]) -> T:
    """The record of type ``record_type`` stored at ``path``."""
    data = read_json(path)
    try:
        return to_record(data, record_type, "")
    except FormatError as error:
        raise UserError(f"{path}: {error}") from None


def to_record(value: object, record_type: type[T], key: str) -> T:
    """``value`` (parsed JSON, an object) as ``record_type``; ``key`` names it in errors ("" at the top)."""
    names = [field.name for field in dataclasses.fields(record_type)]
    if not isinstance(value, dict):
        raise _wrong(key, value, f"an object with keys {', '.join(names)}")
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise FormatError(_join(key, unknown[0]), f"unknown key; allowed: {', '.join(names)}")
    hints = typing.get_type_hints(record_type)
    converted = {}
    for field in dataclasses.fields(record_type):
        if field.name in value:
            converted[field.name] = _convert(value[field.name], hints[field.name], _join(key, field.name))
        elif field.default is dataclasses.MISSING:
            raise FormatError(_join(key, field.name), "missing")
    return record_type(**converted)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _convert(value: object, annotation: object, key: str) -> object:
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        return to_record(value, annotation, key)
    if origin in (typing.Union, types.UnionType):
        return _convert_union(value, typing.get_args(annotation), key)
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise _wrong(key, value, "a list")
        return [_convert(item, inner, f"{key}[{index}]") for index, item in enumerate(value)]
    if origin is dict:
        _, inner = typing.get_args(annotation)
        if not isinstance(value, dict):
            raise _wrong(key, value, "an object")
        return {name: _convert(item, inner, f"{key}.{name}") for name, item in value.items()}
    if annotation in SCALARS:
        if not _fits(value, annotation):
            raise _wrong(key, value, SCALARS[annotation])
        return float(value) if annotation is float else value
    raise TypeError(f"unsupported record annotation {annotation!r} for {key}")


def _convert_union(value: object, options: tuple, key: str) -> object:
    for option in options:
        if option in SCALARS and _fits(value, option):
            return float(value) if option is float else value
    structured = [option for option in options if option not in SCALARS]
    if len(structured) == 1 and value is not None:
        return _convert(value, structured[0], key)
    raise _wrong(key, value, " or ".join(SCALARS.get(option, str(option)) for option in options))


def _fits(value: object, scalar: type) -> bool:
    """Whether the JSON ``value`` is of type ``scalar`` (a bool is no number; an integer is a float)."""
    if scalar is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if scalar is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, scalar)
