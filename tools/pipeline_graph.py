"""The one reader of the pipeline graph: the stages of ``dvc.yaml`` (``foreach`` groups expanded from
``params.yaml``), their command, deps, params keys and outputs, and which stage reads which.

Used by the deps writer (:mod:`tools.stage_code`), the same-outputs check, the rerun-cost and
stage-timing benchmarks, the GPU check and the tests; ``tests/test_pipeline_graph.py`` holds it
equal to DVC's own reading. It needs only PyYAML, so it also runs where DVC is not installed (the
GPU machine). Only what this project's ``dvc.yaml`` uses is resolved: ``foreach: ${name}`` over a
mapping, of params (``${section.key}``) or of the file's ``vars`` (``${recipes}``), one stage
``group@key`` per key, with ``${key}`` and ``${item.field}`` in its ``do`` block. A
stage reads another's output when one of its deps is that output or lies inside or around it
(``models/keypoints`` reads ``models/keypoints/heatmap.pt``).
"""

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

PARAM_REFERENCE = re.compile(r"^\$\{([\w.]+)\}$")
OUTPUT_SECTIONS = ("outs", "metrics", "plots")


@dataclass(frozen=True)
class PlannedStage:
    """One stage: its ``name`` (``group@key`` for a foreach item), shell ``cmd``, ``deps`` and ``outputs``
    (outs, metrics and plots; paths relative to the project root), and the ``params`` keys it declares."""

    name: str
    cmd: str
    deps: tuple[str, ...]
    outputs: tuple[str, ...]
    params: tuple[str, ...] = ()


def _paths(entries: list) -> tuple[str, ...]:
    """The paths of a deps/outs list whose entries are a path or ``{path: options}``."""
    return tuple(next(iter(entry)) if isinstance(entry, dict) else entry for entry in entries or [])


def _lookup(params: dict, dotted: str):
    value = params
    for part in dotted.split("."):
        value = value[part]
    return value


def _substituted(value, key: str, item: object):
    """``value`` (a string, list or mapping) with every ``${key}`` replaced by ``key`` and ``${item.field}`` by that
    field of ``item`` (a mapping)."""
    if isinstance(value, str):
        fields = item.items() if isinstance(item, dict) else ()
        for name, field in fields:
            value = value.replace(f"${{item.{name}}}", str(field))
        return value.replace("${key}", key)
    if isinstance(value, list):
        return [_substituted(entry, key, item) for entry in value]
    if isinstance(value, dict):
        return {_substituted(name, key, item): _substituted(entry, key, item) for name, entry in value.items()}
    return value


def _params_keys(entries: list) -> tuple[str, ...]:
    """The keys of a ``params:`` list: plain keys of ``params.yaml``, or ``{file: [keys]}`` entries, where
    ``{file: }`` (no list) declares the whole file, as the key ""."""
    keys = []
    for entry in entries or []:
        keys += [key for listed in entry.values() for key in listed or [""]] if isinstance(entry, dict) else [entry]
    return tuple(keys)


def _stage(name: str, body: dict) -> PlannedStage:
    outputs = tuple(path for section in OUTPUT_SECTIONS for path in _paths(body.get(section)))
    return PlannedStage(name, body["cmd"], _paths(body.get("deps")), outputs, _params_keys(body.get("params")))


def expanded_stages(pipeline: dict, params: dict) -> list[PlannedStage]:
    """Every stage of the parsed ``dvc.yaml`` ``pipeline``, foreach groups expanded with its ``vars`` and
    ``params``, in file order."""
    context = {name: value for entry in pipeline.get("vars", []) if isinstance(entry, dict)
               for name, value in entry.items()} | params
    stages = []
    for name, body in pipeline["stages"].items():
        if "foreach" not in body:
            stages.append(_stage(name, body))
            continue
        reference = PARAM_REFERENCE.match(str(body["foreach"]))
        if reference is None:
            raise ValueError(f"dvc.yaml: stage {name}: foreach must name a mapping, got {body['foreach']!r}")
        for key, item in _lookup(context, reference.group(1)).items():
            stages.append(_stage(f"{name}@{key}", _substituted(body["do"], str(key), item)))
    return stages


def _reads(dep: str, output: str) -> bool:
    dep_path, output_path = PurePosixPath(dep), PurePosixPath(output)
    return dep_path == output_path or dep_path in output_path.parents or output_path in dep_path.parents


def upstream(stages: list[PlannedStage]) -> dict[str, set[str]]:
    """Each stage's name -> the names of the stages whose outputs it reads."""
    return {
        stage.name: {other.name for other in stages if other is not stage
                     and any(_reads(dep, output) for dep in stage.deps for output in other.outputs)}
        for stage in stages
    }


def ordered(stages: list[PlannedStage]) -> list[PlannedStage]:
    """``stages`` with each after every stage it reads from; ties keep file order."""
    needs, done, order = upstream(stages), set(), []
    while len(order) < len(stages):
        ready = [stage for stage in stages if stage.name not in done and needs[stage.name] <= done]
        if not ready:
            raise ValueError("dvc.yaml: the stages read each other's outputs in a cycle")
        order.append(ready[0])
        done.add(ready[0].name)
    return order


def with_inputs(stages: list[PlannedStage], names: set[str]) -> list[PlannedStage]:
    """The stages named in ``names`` and every stage they read from, directly or not, in the order of ``stages``."""
    needs, wanted, frontier = upstream(stages), set(), set(names)
    while frontier:
        name = frontier.pop()
        wanted.add(name)
        frontier |= needs[name] - wanted
    return [stage for stage in stages if stage.name in wanted]


def downstream(stages: list[PlannedStage], names: set[str]) -> set[str]:
    """The stages that read from any of ``names``, directly or not (``names`` themselves left out)."""
    needs, found, frontier = upstream(stages), set(), set(names)
    while frontier:
        readers = {stage for stage, inputs in needs.items() if inputs & frontier} - found
        found |= readers
        frontier = readers
    return found - set(names)


def read_plan(root: Path) -> list[PlannedStage]:
    """The stages of ``root/dvc.yaml`` with ``root/params.yaml``, in an order that runs each after its inputs."""
    pipeline = yaml.safe_load((root / "dvc.yaml").read_text())
    params = yaml.safe_load((root / "params.yaml").read_text())
    return ordered(expanded_stages(pipeline, params))
