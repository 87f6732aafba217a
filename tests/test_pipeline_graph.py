"""The one reader of the pipeline graph (tools.pipeline_graph) reads dvc.yaml as DVC does.

DVC's own API is the oracle: the same stages (foreach items expanded), commands, deps, params
keys and outputs, and the same edges; the stages downstream of a set are DVC's ancestors in its
graph; the plan's order runs every stage after its inputs, and a cycle is refused.
"""

import networkx
import pytest
import yaml
from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo

from tests.stage_runner import REPO_ROOT
from tools.pipeline_graph import PlannedStage, downstream, ordered, read_plan, upstream


@pytest.fixture(scope="module")
def dvc_reading() -> tuple[dict, networkx.DiGraph]:
    """DVC's stages of this repository by name, and its graph (edges from a stage to the stages it reads)."""
    with Repo(str(REPO_ROOT)) as repo:
        stages = {stage.name: stage for stage in repo.index.stages}
        graph = networkx.relabel_nodes(repo.index.graph, lambda stage: stage.name)
    return stages, graph


def test_the_stages_their_commands_deps_params_and_outputs_are_dvcs(dvc_reading):
    stages, _ = dvc_reading
    plan = {stage.name: stage for stage in read_plan(REPO_ROOT)}
    assert sorted(plan) == sorted(stages)
    for name, stage in stages.items():
        params = [key for dep in stage.deps if isinstance(dep, ParamsDependency) for key in dep.params]
        paths = [dep.def_path for dep in stage.deps if not isinstance(dep, ParamsDependency)]
        assert (plan[name].cmd, list(plan[name].deps), sorted(plan[name].params)) == (stage.cmd, paths, sorted(params))
        assert sorted(plan[name].outputs) == sorted(out.def_path for out in stage.outs), name


def test_the_edges_and_what_is_downstream_are_dvcs(dvc_reading):
    stages, graph = dvc_reading
    plan = read_plan(REPO_ROOT)
    assert upstream(plan) == {name: set(graph.successors(name)) for name in stages}
    for name in ("generate", "train_detector@course", "train_heatmap@heatmap", "report"):
        assert downstream(plan, {name}) == networkx.ancestors(graph, name)
    order = [stage.name for stage in plan]
    assert all(order.index(need) < order.index(name) for name, needs in upstream(plan).items() for need in needs)


def test_a_cycle_is_refused():
    first = PlannedStage("a", "x", ("b.txt",), ("a.txt",))
    second = PlannedStage("b", "y", ("a.txt",), ("b.txt",))
    with pytest.raises(ValueError, match="cycle"):
        ordered([first, second])


def test_a_params_file_named_without_keys_declares_all_of_it(tmp_path):
    stage = {"cmd": "python x.py", "params": ["data.seed", {"params.yaml": None}, {"other.yaml": ["a", "b"]}]}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"x": stage}}))
    (tmp_path / "params.yaml").write_text("data: {seed: 1}\n")
    assert read_plan(tmp_path)[0].params == ("data.seed", "", "a", "b")
