"""Each stage depends on exactly the params that can change its outputs.

In a tiny copy of the project, one params key at a time is changed. The stages ``dvc status``
calls stale must all write different outputs when rerun, and every stage that DVC would not
rerun (neither stale nor downstream of a stale stage) must write the same bytes when forced
to rerun. Timings are left aside: the speed files are not compared, and the report is rerun
on the baseline's speed files. The execution settings must leave every stage up to date.
The first stage, ``check_params``, reads every section but by design writes the same bytes
whatever the valid params: it must be stale on every change, and is otherwise held to the
same rule as the stages DVC would not rerun.
"""

import contextlib
import shlex
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from dvc.repo import Repo

from locate.params import EXECUTION_SETTINGS
from tests.conftest import copy_of
from tests.stage_runner import StageServer
from tools.pipeline_graph import PlannedStage, downstream, read_plan
from tools.same_outputs import TIMINGS, output_digests
from tools.tiny import run

CHECK = "check_params"  # stale on every change of a section it checks; its output never changes

# A representative change per params section, per method group and per ablation group, no two
# of them making the same set of stages stale; on tiny params each of these changes what the
# stages that read it compute.
CHANGES = {
    "data.num_val": 4,
    "detector.box_weight": 1.0,
    "detector_eval.postprocess.nms_iou": 0.2,
    "keypoints.sigma": 3.0,
    "keypoints.regression_dropout": 0.5,
    "keypoints.methods.regression.regression_symmetric.loss": "mse",
    "keypoints.methods.heatmap.heatmap_symmetric.loss": "mse",
    "ablations.heatmap_size.size_32": 16,
    "keypoints_eval.decoding.hand_pair_radius": 10.0,
    "runtime.precision": "bf16",
}
EXECUTION_VALUES = {"runtime.device": "auto", "runtime.threads": 2, "detector_eval.batch_size": 1,
                    "detector_eval.latency_images": 2}


def _set(params: dict, key: str, value: object) -> None:
    *sections, leaf = key.split(".")
    for section in sections:
        params = params[section]
    params[leaf] = value


def _stages(folder: Path) -> tuple[dict, list[PlannedStage]]:
    """Stage name -> (module command, output paths); and the stages in an order that runs each after its inputs."""
    plan = read_plan(folder)
    return {stage.name: (shlex.split(stage.cmd)[2:], list(stage.outputs)) for stage in plan}, plan


class Project(NamedTuple):
    """A copy of the tiny baseline: its stages, their order, the digests of every stage's outputs, and a
    server that runs the stages there."""

    folder: Path
    stages: dict
    plan: list[PlannedStage]
    baseline: dict
    server: StageServer


def _rerun(project: Project, names: set[str]) -> None:
    """Run ``names`` in DAG order; the report last, on the baseline's speed files."""
    order = [stage.name for stage in project.plan if stage.name in names]
    project.server.run([project.stages[name][0] for name in order if name != "report"])
    if "report" in names:
        run(project.folder, "git", "checkout", "-q", "--", TIMINGS)
        project.server.run([project.stages["report"][0]])


@pytest.fixture(scope="module")
def project(tiny_baseline, tmp_path_factory):
    """A copy of the tiny baseline, with its stages, their order, its outputs' digests and a stage server."""
    root = tmp_path_factory.mktemp("dependencies")
    folder = copy_of(tiny_baseline, root / "project")
    stages, plan = _stages(folder)
    baseline = {name: output_digests(folder, outputs) for name, (_, outputs) in stages.items()}
    modules = sorted({command[0] for command, _ in stages.values()})
    with StageServer(folder, modules, root / "stages.log") as server:
        yield Project(folder, stages, plan, baseline, server)


def _restore(folder: Path) -> None:
    """The baseline's params, metrics, plots and reports from git; its cached outputs from the DVC cache."""
    run(folder, "git", "checkout", "-q", "--", ".")
    run(folder, "git", "clean", "-fdq", "--", "metrics", "plots", "reports")
    with Repo(str(folder)) as repo:
        repo.checkout(force=True)


def _stale(folder: Path) -> set[str]:
    """The stages ``dvc status`` names in ``folder``."""
    with contextlib.chdir(folder), Repo() as repo:
        return set(repo.status())


@pytest.mark.parametrize(("key", "value"), CHANGES.items(), ids=list(CHANGES))
def test_stale_stages_are_exactly_those_whose_outputs_change(project, key, value):
    folder, stages, plan, baseline, _ = project
    params = yaml.safe_load((folder / "params.yaml").read_text())
    _set(params, key, value)
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        stale = _stale(folder)
        assert CHECK in stale, f"{key}: {CHECK} does not check it"
        stale -= {CHECK}
        assert stale, f"{key}: no stage depends on it"
        untouched = set(stages) - stale - downstream(plan, stale)
        _rerun(project, stale | untouched)
        changed = {name for name in stale | untouched if output_digests(folder, stages[name][1]) != baseline[name]}
        assert stale - changed == set(), f"{key}: stale, but the same outputs when rerun"
        assert changed & untouched == set(), f"{key}: outputs change, but DVC would not rerun them"
    finally:
        _restore(folder)
    assert _stale(folder) == set()


def test_execution_settings_are_no_stage_dependency(project):
    folder = project.folder
    assert set(EXECUTION_VALUES) == set(EXECUTION_SETTINGS)
    params = yaml.safe_load((folder / "params.yaml").read_text())
    for key, value in EXECUTION_VALUES.items():
        _set(params, key, value)
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        assert _stale(folder) == set()
    finally:
        _restore(folder)


def test_an_unchanged_rerun_of_every_stage_writes_the_same_outputs(project):
    """The control: the runner itself reproduces the baseline, so a difference above is the param's."""
    folder, stages, _, baseline, _ = project
    try:
        _rerun(project, set(stages))
        assert {name: output_digests(folder, outputs) for name, (_, outputs) in stages.items()} == baseline
    finally:
        _restore(folder)
