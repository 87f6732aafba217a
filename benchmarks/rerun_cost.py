"""Which stages a change of one params key reruns, and the training time those stages recorded.

For each key, the stages whose ``params:`` list names the key (or a section or mapping above
it) are stale; DVC reruns them and every stage downstream. Their cost is the time each one
recorded in ``metrics/speed/`` of the workspace (training, evaluation or generation seconds).
``--rev REV`` reads ``dvc.yaml`` and ``params.yaml`` of another commit instead (its stages are
priced with the workspace's speed files, matched by file name), to compare before and after a
change of the dependency lists. Writes ``benchmarks/results/rerun_cost.json`` (with ``--out``).

Run from the repository root: ``python -m benchmarks.rerun_cost keypoints.sigma runtime.threads``.
"""

import argparse
import subprocess
import tempfile
from pathlib import Path

import networkx
from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo
from dvc.stage import PipelineStage

from locate.atomic import write_json
from locate.data.files import read_json

SPEED = Path("metrics/speed")
TIME_FIELDS = ("train_seconds", "eval_seconds", "seconds")


def pipeline_stages(root: Path) -> tuple[dict[str, PipelineStage], networkx.DiGraph]:
    """The stages of ``root``'s ``dvc.yaml`` by name (foreach items resolved); and the graph, by name,
    with edges from a stage to the stages it reads from."""
    with Repo(str(root)) as repo:
        stages = {stage.name: stage for stage in repo.index.stages}
        graph = networkx.relabel_nodes(repo.index.graph, lambda stage: stage.name)
    return stages, graph


def _params_keys(stage: PipelineStage) -> list[str]:
    """The params keys ``stage`` declares ("" for a whole params file)."""
    return [key for dep in stage.deps if isinstance(dep, ParamsDependency) for key in dep.params or [""]]


def _reads(declared: str, key: str) -> bool:
    """Whether a stage that declares ``declared`` ("" = the whole file) goes stale when ``key`` changes."""
    return declared in ("", key) or key.startswith(declared + ".") or declared.startswith(key + ".")


def _seconds(stage: PipelineStage) -> float:
    """The time ``stage`` recorded in its speed file (0 when it has none)."""
    for output in stage.outs:
        path = Path(output.def_path)
        if path.parent == SPEED and path.is_file():
            figures = read_json(path)
            return next((float(figures[field]) for field in TIME_FIELDS if field in figures), 0.0)
    return 0.0


def rerun_cost(root: Path, key: str) -> dict:
    """The stages a change of ``key`` makes stale, all that rerun, and their recorded seconds."""
    stages, graph = pipeline_stages(root)
    stale = sorted(name for name, stage in stages.items() if any(_reads(d, key) for d in _params_keys(stage)))
    rerun = set(stale).union(*(networkx.ancestors(graph, name) for name in stale))
    seconds = {name: _seconds(stages[name]) for name in sorted(rerun)}
    return {"stale": stale, "rerun": sorted(rerun), "seconds": round(sum(seconds.values()), 1)}


def _checkout(rev: str, folder: Path) -> Path:
    """``dvc.yaml``, ``params.yaml`` and ``.dvc`` of commit ``rev`` in ``folder`` (enough for DVC to read the DAG)."""
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    for name in ("dvc.yaml", "params.yaml", ".dvc/config"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shown = subprocess.run(["git", "show", f"{rev}:{name}"], check=True, capture_output=True)
        (folder / name).write_bytes(shown.stdout)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="+", help="params keys, e.g. keypoints.sigma")
    parser.add_argument("--rev", help="read dvc.yaml and params.yaml of this commit")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = _checkout(args.rev, Path(temporary)) if args.rev else Path(".")
        results = {key: rerun_cost(root, key) for key in args.keys}
    for key, result in results.items():
        print(f"{key}: {len(result['rerun'])} stages rerun ({result['seconds'] / 60:.1f} min recorded): "
              + " ".join(result["rerun"]))
    if args.out:
        write_json(args.out, {"rev": args.rev or "workspace", "keys": results})


if __name__ == "__main__":
    main()
