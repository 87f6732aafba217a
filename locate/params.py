"""Read one section of ``params.yaml`` into a dataclass, checking keys, types and ranges.

Each stage declares its section as a frozen dataclass whose fields are the keys and
whose annotations are the types (see :mod:`locate.typed`). Range rules live in the
dataclass's ``__post_init__`` and call :func:`require`. Every mistake is a
:class:`~locate.errors.UserError` naming the key, the value and what is allowed.
"""

import typing
from pathlib import Path

import yaml

from locate.errors import UserError
from locate.typed import FormatError, to_dataclass

PARAMS_FILE = "params.yaml"
# Keys that choose where and how fast a stage computes, not what it computes: no stage depends
# on them. They change results only by floating-point rounding, as another machine would.
EXECUTION_SETTINGS = ("runtime.device", "runtime.threads", "detector_eval.batch_size", "detector_eval.latency_images")
T = typing.TypeVar("T")
# Upper bounds of counts: far above any real run, they keep a typo from starting a run that never ends.
MAX_EPOCHS = 10_000
MAX_BATCH_SIZE = 65_536
MAX_DRAWN_IMAGES = 1_000          # images drawn into plots, per figure
MAX_CANDIDATES = 100_000          # detections per image, candidates per level, hard negatives per positive
MAX_TIMED_IMAGES = 10_000         # batch-1 passes timed for latency
MAX_SEED = 2**63 - 1              # torch's generators take a signed 64-bit seed


def load_params(path: str | Path = PARAMS_FILE) -> dict:
    """The whole params file as a dict (safe YAML loader)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; expected the pipeline's params file")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML{_where(error)}") from None
    if not isinstance(params, dict):
        raise UserError(f"{path}: expected a mapping of sections at the top level")
    return params


def _where(error: yaml.YAMLError) -> str:
    """`` at line L, column C: problem`` of a YAML error (its first line when it has no position)."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return f" ({str(error).splitlines()[0]})"
    return f" at line {mark.line + 1}, column {mark.column + 1}: {error.problem}"


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
    try:
        return to_dataclass(value, schema, key)
    except FormatError as error:
        raise UserError(f"params key '{error.key}': {error.problem}") from None


def require(condition: bool, key: str, value: object, allowed: str) -> None:
    """Raise a UserError naming ``key``, ``value`` and what is ``allowed`` unless ``condition``."""
    if not condition:
        raise UserError(f"params key '{key}': got {value!r}, expected {allowed}")


def require_count(value: int, key: str, least: int, most: int) -> None:
    """Raise a UserError naming ``key`` unless the integer ``value`` is from ``least`` to ``most``."""
    require(least <= value <= most, key, value, f"an integer from {least} to {most}")
