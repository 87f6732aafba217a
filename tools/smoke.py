"""Smoke run: every stage of the DAG on tiny params, in a temporary copy, in a minute or two.

``python -m tools.smoke`` (or ``make smoke``) copies the code into a temporary git + DVC
repository, shrinks the params (see :mod:`tools.tiny`), runs ``dvc repro`` there and prints
each stage it ran, the wall time and the report's summary table. The workspace's data,
models, metrics and ``dvc.lock`` are not touched. ``--keep DIR`` runs in ``DIR`` and keeps it.
"""

import argparse
import tempfile
import time
from pathlib import Path

from tools.tiny import dvc, ran_stages, tiny_project


def smoke(folder: Path) -> list[str]:
    """Run the whole DAG on tiny params in ``folder`` (a fresh copy); the stages run, in order."""
    tiny_project(folder)
    return ran_stages(dvc(folder, "repro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="run in this new folder and keep it")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="locate-smoke-") as temporary:
        folder = args.keep or Path(temporary) / "project"
        stages = smoke(folder)
        summary = (folder / "reports" / "summary.md").read_text()
    for stage in stages:
        print(f"ran {stage}")
    print(f"{len(stages)} stages in {time.perf_counter() - started:.0f} s (tiny params)\n\n{summary}")


if __name__ == "__main__":
    main()
