"""Read one part of ``params.yaml`` into a dataclass, checking keys, types and ranges.

Each part a stage reads is a frozen dataclass whose fields are the keys and whose
annotations are the types (see :mod:`locate.typed`). Range rules live in the dataclass's
``__post_init__`` and call :func:`require`. Every mistake is a
:class:`~locate.errors.UserError` naming the key, the value and what is allowed.

Under DVC (``DVC_STAGE`` names the stage whose command runs), a stage sees only the params
its ``dvc.yaml`` entry declares, as ``dvc.api.params_show`` hands them, plus the
:data:`EXECUTION_SETTINGS`: reading any other key fails at once, so a stage's declared params
are exactly what it reads.
"""

import copy
import functools
import os
import typing
from pathlib import Path

import yaml

from locate.errors import UserError
from locate.typed import FormatError, to_dataclass

PARAMS_FILE = "params.yaml"
PIPELINE_FILE = "dvc.yaml"
STAGE_VARIABLE = "DVC_STAGE"  # DVC sets it for each stage command it runs: the stage's name
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
    """The params file as a dict (safe YAML loader): under DVC, the running stage's declared params
    (:func:`declared_params`), otherwise all of it."""
    params = _load_file(path)
    stage = os.environ.get(STAGE_VARIABLE)
    if stage and Path(path) == Path(PARAMS_FILE) and Path(PIPELINE_FILE).is_file():
        return declared_params(params, stage)
    return params


def declared_params(params: dict, stage: str) -> dict:
    """The params that ``stage`` (a name of ``dvc.yaml``, e.g. ``train_heatmap@heatmap``) declares, with the
    :data:`EXECUTION_SETTINGS` of ``params`` (the whole file) added."""
    stamp = Path(PARAMS_FILE).stat(), Path(PIPELINE_FILE).stat()
    declared = copy.deepcopy(_shown(stage, tuple((item.st_mtime_ns, item.st_size) for item in stamp)))
    for key in EXECUTION_SETTINGS:
        section, name = key.split(".")
        if isinstance(params.get(section), dict) and name in params[section]:
            declared.setdefault(section, {})[name] = params[section][name]
    return _in_order_of(params, declared)


def _in_order_of(whole: dict, part: dict) -> dict:
    """``part`` (a mapping whose keys all are in ``whole``) with its keys, at every depth, in ``whole``'s order."""
    return {key: _in_order_of(whole[key], part[key]) if isinstance(part[key], dict) else part[key]
            for key in whole if key in part}


@functools.cache
def _shown(stage: str, stamp: tuple) -> dict:
    """``dvc.api.params_show`` of ``stage``, once per process and version (``stamp``) of the two files."""
    import dvc.api  # noqa: PLC0415 (only stages run by DVC need it)
    from dvc.exceptions import DvcException  # noqa: PLC0415

    del stamp
    try:
        return dvc.api.params_show(stages=[stage])
    except DvcException as error:
        raise UserError(f"{PIPELINE_FILE}: cannot read the params stage '{stage}' declares ({error})") from None


def _load_file(path: str | Path) -> dict:
    """The whole params file as a dict."""
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


def read_section(name: str, schema: type[T], path: str | Path = PARAMS_FILE, partial: bool = False) -> T:
    """Part ``name`` of the params file (a section, or a dotted path into one: ``keypoints.schedule``) parsed
    into the dataclass ``schema``; ``partial``: the part's other keys are left aside."""
    return parse(read_value(name, path), schema, name, partial)


def read_value(name: str, path: str | Path = PARAMS_FILE) -> object:
    """The value at the dotted key ``name`` of the params file; a missing one is a UserError naming it."""
    value: object = load_params(path)
    for depth, part in enumerate(name.split(".")):
        if not isinstance(value, dict) or part not in value:
            where = ".".join(name.split(".")[: depth + 1])
            raise UserError(f"{path}: missing {'section' if depth == 0 else 'key'} '{where}'")
        value = value[part]
    return value


def parse(value: object, schema: type[T], key: str, partial: bool = False) -> T:
    """``value`` (a mapping) parsed into the dataclass ``schema``; ``key`` names it in errors; ``partial``: keys
    that are no field of ``schema`` are left aside."""
    try:
        return to_dataclass(value, schema, key, other_keys=partial)
    except FormatError as error:
        raise UserError(f"params key '{error.key}': {error.problem}") from None


def require(condition: bool, key: str, value: object, allowed: str) -> None:
    """Raise a UserError naming ``key``, ``value`` and what is ``allowed`` unless ``condition``."""
    if not condition:
        raise UserError(f"params key '{key}': got {value!r}, expected {allowed}")


def require_count(value: int, key: str, least: int, most: int) -> None:
    """Raise a UserError naming ``key`` unless the integer ``value`` is from ``least`` to ``most``."""
    require(least <= value <= most, key, value, f"an integer from {least} to {most}")
