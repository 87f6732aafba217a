"""Which stages a change of one params key reruns, and the training time those stages recorded.

For each key, the stages whose ``params:`` list names the key (or a section or mapping above
it) are stale; DVC reruns them and every stage downstream, except downstream of the params check
(``check_params``), whose output is the same for all valid params. Their cost is the time each one
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

from locate.atomic import write_json
from locate.data.files import read_json
from tools.pipeline_graph import PlannedStage, downstream, read_plan

SPEED = Path("metrics/speed")
SAME_OUTPUT = {"check_params"}  # stages whose output never changes (stages.check_params): nothing below reruns
TIME_FIELDS = ("train_seconds", "eval_seconds", "seconds")


def _reads(declared: str, key: str) -> bool:
    """Whether a stage that declares ``declared`` ("" = the whole file) goes stale when ``key`` changes."""
    return declared in ("", key) or key.startswith(declared + ".") or declared.startswith(key + ".")


def _seconds(stage: PlannedStage) -> float:
    """The time ``stage`` recorded in its speed file (0 when it has none)."""
    for output in stage.outputs:
        path = Path(output)
        if path.parent == SPEED and path.is_file():
            figures = read_json(path)
            return next((float(figures[field]) for field in TIME_FIELDS if field in figures), 0.0)
    return 0.0


def rerun_cost(root: Path, key: str) -> dict:
    """The stages a change of ``key`` makes stale, all that rerun, and their recorded seconds."""
    plan = read_plan(root)
    stages = {stage.name: stage for stage in plan}
    stale = sorted(stage.name for stage in plan if any(_reads(declared, key) for declared in stage.params))
    rerun = set(stale) | downstream(plan, set(stale) - SAME_OUTPUT)
    seconds = {name: _seconds(stages[name]) for name in sorted(rerun)}
    return {"stale": stale, "rerun": sorted(rerun), "seconds": round(sum(seconds.values()), 1)}


def _checkout(rev: str, folder: Path) -> Path:
    """``dvc.yaml`` and ``params.yaml`` of commit ``rev`` in ``folder`` (enough to read the stage graph)."""
    for name in ("dvc.yaml", "params.yaml"):
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
