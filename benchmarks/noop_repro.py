"""Time of ``dvc repro`` when nothing changed: what a user waits for before any stage could run.

Runs ``dvc repro`` (the whole pipeline, with the repository's ``.venv/bin`` first on PATH)
``--runs`` times and reports each wall time and the median. Every run must find every
stage unchanged: a run that starts a stage is not a no-op, so the benchmark stops with
exit 1 naming it (run it on an up-to-date checkout: ``dvc status`` says "up to date").
Prints the times and writes ``benchmarks/results/noop_repro.json``.

Run from the repository root: ``python -m benchmarks.noop_repro [--runs 5]``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.repro_stages import tool_environment
from locate.atomic import write_json

RESULT = Path("benchmarks/results/noop_repro.json")
STAGE_RAN = "Running stage"


def timed_noop(dvc: str, env: dict[str, str]) -> float:
    """Seconds of one ``dvc repro``; exits 1 when it fails or runs a stage."""
    started = time.perf_counter()
    finished = subprocess.run([dvc, "repro"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    output = finished.stdout + finished.stderr
    if finished.returncode != 0 or STAGE_RAN in output:
        sys.exit(f"dvc repro was not a no-op (exit {finished.returncode}):\n{output[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    dvc, env = tool_environment()
    load_before = os.getloadavg()[0]
    seconds = [timed_noop(dvc, env) for _ in range(args.runs)]
    median = statistics.median(seconds)
    print("runs (s): " + " ".join(f"{s:.2f}" for s in seconds) + f"\nmedian: {median:.2f} s")
    write_json(args.out, {"command": "dvc repro", "seconds": [round(s, 2) for s in seconds],
                          "median_seconds": round(median, 2), "load_average_before": round(load_before, 2)})


if __name__ == "__main__":
    main()
