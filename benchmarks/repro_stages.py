"""Wall time and peak memory of each DVC stage, run one at a time with ``dvc repro -s <stage>``.

Stages are the ones named on the command line, in that order, or by default every
stage of ``dvc.yaml`` in DAG order (:func:`tools.pipeline_graph.read_plan`; ties keep the
file's order). Each ``dvc repro -s``
runs in its own child process with the repository's ``.venv/bin`` first on PATH; its
output is passed through, its wall seconds are timed and its peak RSS is the
``ru_maxrss`` that ``wait4`` reports for it: the largest resident set of any one process
of its tree (DVC, the stage's Python process, the workers that one waits for), not their
sum. A stage DVC finds unchanged is skipped by DVC and recorded as ``unchanged`` (use
``--force`` to rerun it); the first failing stage stops the run. Prints a table with the
total and writes ``benchmarks/results/repro_stages.json``.

Run from the repository root: ``python -m benchmarks.repro_stages [--force] [stage ...]``.
It trains every model of the pipeline: hours on a 2-core CPU.
"""

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from locate.atomic import write_json
from tools.pipeline_graph import read_plan

RESULT = Path("benchmarks/results/repro_stages.json")
VENV_BIN = Path(".venv/bin")
UNCHANGED = "didn't change, skipping"


def measured_run(command: list[str], env: dict[str, str]) -> dict:
    """Run ``command``, passing its output through; exit code, wall seconds, peak RSS (MiB), unchanged flag."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    unchanged = False
    for line in process.stdout:
        sys.stdout.write(line)
        unchanged = unchanged or UNCHANGED in line
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "exit_code": process.returncode,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "unchanged": unchanged,
    }


def run_stages(stages: list[str], command_for: Callable[[str], list[str]], env: dict[str, str]) -> list[dict]:
    """Each stage's measurements in order; stops after the first stage that fails."""
    records = []
    for stage in stages:
        print(f"== {stage}", flush=True)
        measured = measured_run(command_for(stage), env)
        status = "unchanged" if measured.pop("unchanged") else "ran"
        if measured["exit_code"] != 0:
            status = "failed"
        records.append({"stage": stage, "status": status, **measured})
        if status == "failed":
            break
    return records


def table(records: list[dict]) -> str:
    """One row per stage and the total wall time and largest peak."""
    width = max([len("total"), *(len(r["stage"]) for r in records)]) + 2
    lines = [f"{'stage':<{width}}{'status':<11}{'seconds':>10}{'peak MiB':>10}"]
    for record in records:
        lines.append(f"{record['stage']:<{width}}{record['status']:<11}{record['seconds']:>10.1f}"
                     f"{record['peak_rss_mib']:>10.0f}")
    total = sum(r["seconds"] for r in records)
    peak = max((r["peak_rss_mib"] for r in records), default=0.0)
    lines.append(f"{'total':<{width}}{'':<11}{total:>10.1f}{peak:>10.0f}")
    return "\n".join(lines)


def tool_environment() -> tuple[str, dict[str, str]]:
    """The dvc executable and an environment with the repository's ``.venv/bin`` first on PATH."""
    env = dict(os.environ)
    if VENV_BIN.is_dir():
        env["PATH"] = f"{VENV_BIN.resolve()}{os.pathsep}{env.get('PATH', '')}"
    dvc = VENV_BIN / "dvc"
    return (str(dvc.resolve()) if dvc.is_file() else "dvc"), env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", help="stage names (default: every stage in DAG order)")
    parser.add_argument("--force", action="store_true", help="rerun stages DVC finds unchanged")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    dvc, env = tool_environment()
    stages = args.stages or [stage.name for stage in read_plan(Path("."))]
    force = ["--force"] if args.force else []
    records = run_stages(stages, lambda stage: [dvc, "repro", "--single-item", *force, stage], env)
    print(table(records))
    write_json(args.out, {
        "command": f"dvc repro --single-item {' '.join(force)}<stage>".replace("  ", " "),
        "stages": records,
        "not_run": stages[len(records):],
        "total_seconds": round(sum(r["seconds"] for r in records), 2),
        "largest_peak_rss_mib": max((r["peak_rss_mib"] for r in records), default=0.0),
    })
    if any(r["status"] == "failed" for r in records):
        sys.exit(1)


if __name__ == "__main__":
    main()
