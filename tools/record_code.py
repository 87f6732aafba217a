"""Record in ``dvc.lock`` the code and params a stage now depends on, keeping its recorded outputs.

``python -m tools.record_code [STAGE ...]`` (default: every stage) hashes each dependency that is in the
workspace (the code files, ``params.yaml``'s values) and writes the stage's lock entry with the outputs
it already records. It is ``dvc commit`` for a workspace that does not hold the outputs (a fresh clone,
where ``dvc commit`` stops at the first missing data folder): run it only after
``python -m tools.same_outputs`` has shown that the change leaves every stage's outputs the same.
A dependency that is not in the workspace (the data a stage reads) keeps its recorded hash.
"""

import argparse
import sys

from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo
from dvc.stage import PipelineStage


def recorded_stages(repo: Repo, names: list[str]) -> list[PipelineStage]:
    """The pipeline stages named (each foreach item by its full name), or all of them."""
    stages = [stage for stage in repo.index.stages if isinstance(stage, PipelineStage)]
    unknown = sorted(set(names) - {stage.addressing for stage in stages})
    if unknown:
        print(f"error: dvc.yaml: no stage named {unknown[0]}", file=sys.stderr)
        raise SystemExit(2)
    return [stage for stage in stages if not names or stage.addressing in names]


def record(stage: PipelineStage) -> None:
    """Hash ``stage``'s params and present deps, and write its lock entry (its outputs as recorded)."""
    for dependency in stage.deps:
        if isinstance(dependency, ParamsDependency) or dependency.exists:
            dependency.save()
    stage.dump(update_pipeline=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", help="stage names (default: every stage)")
    names = parser.parse_args().stages
    with Repo(".") as repo, repo.lock:
        for stage in recorded_stages(repo, names):
            record(stage)


if __name__ == "__main__":
    main()
