"""Read one section of ``params.yaml`` into a dataclass, checking keys, types and ranges.

Each stage declares its section as a frozen dataclass whose fields are the keys and
whose annotations are the types (``int``, ``float``, ``bool``, ``str``, ``list[T]``,
``list[list[T]]``, ``dict[str, T]`` or another such dataclass). Range rules live in the
dataclass's ``__post_init__`` and call :func:`require`. Every mistake is a
:class:`~locate.errors.UserError` naming the key, the value and what is allowed.
"""

import dataclasses
import types
import typing
from pathlib import Path

import yaml

from locate.errors import UserError

PARAMS_FILE = "params.yaml"
# Keys that choose where and how fast a stage computes, not what it computes: no stage depends
# on them. They change results only by floating-point rounding, as another machine would.
EXECUTION_SETTINGS = ("runtime.device", "runtime.threads", "detector_eval.batch_size", "detector_eval.latency_images")
T = typing.TypeVar("T")


def load_params(path: str | Path = PARAMS_FILE) -> dict:
    """The whole params file as a dict (safe YAML loader)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; expected the pipeline's params file")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(params, dict):
        raise UserError(f"{path}: expected a mapping of sections at the top level")
    return params


def result_params(params: dict) -> dict:
    """``params`` without the :data:`EXECUTION_SETTINGS` (sections left empty are dropped)."""
    result = {}
    for section, values in params.items():
        kept = values
        if isinstance(values, dict):
            kept = {key: value for key, value in values.items() if f"{section}.{key}" not in EXECUTION_SETTINGS}
        if kept != {}:
            result[section] = kept
    return result


def read_section(name: str, schema: type[T], path: str | Path = PARAMS_FILE) -> T:
    """Section ``name`` of the params file parsed into the dataclass ``schema``."""
    params = load_params(path)
    if name not in params:
        raise UserError(f"{path}: missing section '{name}'")
    return parse(params[name], schema, name)


def parse(value: object, schema: type[T], key: str) -> T:
    """``value`` (a mapping) parsed into the dataclass ``schema``; ``key`` names it in errors."""
    if not isinstance(value, dict):
        raise UserError(f"params key '{key}': expected a mapping, got {value!r}")
    hints = typing.get_type_hints(schema)
    fields = [field.name for field in dataclasses.fields(schema)]
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise UserError(f"params key '{key}.{unknown[0]}': unknown key; allowed: {', '.join(fields)}")
    missing = [field for field in fields if field not in value]
    if missing:
        raise UserError(f"params key '{key}.{missing[0]}': missing")
    converted = {field: _convert(value[field], hints[field], f"{key}.{field}") for field in fields}
    return schema(**converted)


def require(condition: bool, key: str, value: object, allowed: str) -> None:
    """Raise a UserError naming ``key``, ``value`` and what is ``allowed`` unless ``condition``."""
    if not condition:
        raise UserError(f"params key '{key}': got {value!r}, expected {allowed}")


def _convert(value: object, annotation: object, key: str) -> object:
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        return parse(value, annotation, key)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _convert(value, inner, key)
    if origin is list:
        (inner,) = typing.get_args(annotation)
        require(isinstance(value, list), key, value, "a list")
        return [_convert(item, inner, f"{key}[{index}]") for index, item in enumerate(value)]
    if origin is dict:
        _, inner = typing.get_args(annotation)
        require(isinstance(value, dict), key, value, "a mapping")
        return {name: _convert(item, inner, f"{key}.{name}") for name, item in value.items()}
    if annotation is typing.Literal or origin is typing.Literal:
        choices = typing.get_args(annotation)
        require(value in choices, key, value, "one of " + ", ".join(map(str, choices)))
        return value
    if annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        require(ok, key, value, "a number")
        return float(value)
    if annotation is int:
        require(isinstance(value, int) and not isinstance(value, bool), key, value, "an integer")
        return value
    if annotation is bool:
        require(isinstance(value, bool), key, value, "true or false")
        return value
    if annotation is str:
        require(isinstance(value, str), key, value, "a string")
        return value
    raise TypeError(f"unsupported params annotation {annotation!r} for {key}")
