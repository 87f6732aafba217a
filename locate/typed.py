"""Plain data (parsed YAML or JSON) into a frozen dataclass, checked against its annotations.

One reader for every declared format: the sections of ``params.yaml``, the metrics
records and the entries of the annotation files. Field annotations are the format: ``int``,
``float`` (an integer is accepted; NaN and infinities are not), ``bool``, ``str``, ``list[T]``,
``tuple[T, ...]`` of a fixed length (a list of exactly that many items), ``dict[str, T]``,
``Literal[...]``, another such dataclass, and unions of those with None. A field with a default
may be absent. A value that does not fit is a :class:`FormatError` naming its dotted key; the
caller says where the data came from. Range rules live in the dataclasses' ``__post_init__``.
"""

import dataclasses
import functools
import math
import types
import typing

T = typing.TypeVar("T")
SHOWN_CHARACTERS = 60  # of a wrong value, in the error line
SCALARS = {bool: "true or false", int: "an integer", float: "a number", str: "a string", type(None): "null"}


class FormatError(Exception):
    """A part of the data that does not fit the dataclass: ``key`` is its dotted path, ``problem`` what is wrong."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"key '{key}': {problem}" if key else problem)
        self.key, self.problem = key, problem


def wrong(key: str, value: object, expected: str) -> FormatError:
    """The error for ``value`` at ``key`` where ``expected`` was due (a long value shortened)."""
    shown = repr(value)
    shown = shown if len(shown) <= SHOWN_CHARACTERS else shown[: SHOWN_CHARACTERS - 3] + "..."
    return FormatError(key, f"got {shown}, expected {expected}")


def to_dataclass(value: object, schema: type[T], key: str, other_keys: bool = False) -> T:
    """``value`` (a mapping) as the dataclass ``schema``; ``key`` names it in errors ("" at the top).

    Keys that are no field of ``schema`` are an error unless ``other_keys`` (then they are ignored).
    """
    names = [field.name for field in dataclasses.fields(schema)]
    if not isinstance(value, dict):
        raise wrong(key, value, f"a mapping with keys {', '.join(names)}")
    unknown = sorted(set(value) - set(names))
    if unknown and not other_keys:
        raise FormatError(_join(key, unknown[0]), f"unknown key; allowed: {', '.join(names)}")
    hints = _type_hints(schema)
    converted = {}
    for field in dataclasses.fields(schema):
        if field.name in value:
            converted[field.name] = _convert(value[field.name], hints[field.name], _join(key, field.name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise FormatError(_join(key, field.name), "missing")
    return schema(**converted)


@functools.cache
def _type_hints(schema: type) -> dict:
    return typing.get_type_hints(schema)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _convert(value: object, annotation: object, key: str) -> object:
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        return to_dataclass(value, annotation, key)
    if origin in (typing.Union, types.UnionType):
        return _convert_union(value, typing.get_args(annotation), key)
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise wrong(key, value, "a list")
        return [_convert(item, inner, f"{key}[{index}]") for index, item in enumerate(value)]
    if origin is tuple:
        return _convert_tuple(value, typing.get_args(annotation), key)
    if origin is dict:
        _, inner = typing.get_args(annotation)
        if not isinstance(value, dict):
            raise wrong(key, value, "a mapping")
        return {name: _convert(item, inner, f"{key}.{name}") for name, item in value.items()}
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            raise wrong(key, value, "one of " + ", ".join(map(str, choices)))
        return value
    if annotation in SCALARS:
        if not _fits(value, annotation):
            raise wrong(key, value, SCALARS[annotation])
        return _scalar(value, annotation, key)
    raise TypeError(f"unsupported annotation {annotation!r} for {key}")


def _scalar(value: object, scalar: type, key: str) -> object:
    """``value`` (which fits ``scalar``) as that type; a float must be finite."""
    if scalar is not float:
        return value
    if not math.isfinite(value):
        raise wrong(key, value, "a finite number")
    return float(value)


def _convert_tuple(value: object, items: tuple, key: str) -> tuple:
    if not isinstance(value, list) or len(value) != len(items):
        noun = "numbers" if set(items) == {float} else "items"
        raise wrong(key, value, f"a list of {len(items)} {noun}")
    pairs = enumerate(zip(value, items, strict=True))
    return tuple(_convert(item, inner, f"{key}[{index}]") for index, (item, inner) in pairs)


def _convert_union(value: object, options: tuple, key: str) -> object:
    for option in options:
        if option in SCALARS and _fits(value, option):
            return _scalar(value, option, key)
    structured = [option for option in options if option not in SCALARS]
    if len(structured) == 1 and value is not None:
        return _convert(value, structured[0], key)
    raise wrong(key, value, " or ".join(SCALARS.get(option, str(option)) for option in options))


def _fits(value: object, scalar: type) -> bool:
    """Whether ``value`` is of type ``scalar`` (a bool is no number; an integer is a float)."""
    if scalar is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if scalar is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, scalar)
