"""The whole default pipeline on one GPU, from nothing, without DVC: times, memory and metrics.

``python -m benchmarks.gpu_check [--jobs N] [--set section.key=value ...] [--device cuda|cpu]``
copies the code, ``dvc.yaml`` and ``params.yaml`` into a temporary folder, sets
``runtime.device`` (and ``runtime.threads`` to the CPU cores over ``--jobs``), and runs every
stage of ``dvc.yaml`` there with the runner ``make repro`` uses (:mod:`tools.parallel_stages`:
each stage after its inputs, up to ``--jobs`` at a time on its share of the cores, each in its own
process through :mod:`benchmarks.stage_peak`), without asking DVC what is stale. It needs PyTorch,
PyYAML and the stages' own packages, not DVC nor the pinned versions. It writes
``benchmarks/results/gpu_check.json`` (``--out``):

- per stage: wall seconds, exit status, peak CUDA memory and peak resident set (MiB), and for
  a training stage its training images per second (from the stage's own speed record);
- the total wall time, the device, PyTorch's version;
- every number of ``metrics/`` (timings aside) next to the committed one, with the
  difference, and the headline metrics judged against the run-to-run noise recorded in
  ``benchmarks/results/seed_noise.json`` (:mod:`benchmarks.seed_noise`) where it is known.

A failing stage stops the stages that read from it (exit 1, its log's last lines printed).
Without a CUDA device and without ``--device cpu`` it ends with exit 2 and one line.
"""

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

from benchmarks.metrics_agreement import agreement
from locate.cores import usable_cores
from tools.parallel_stages import StageRunner, log_name
from tools.pipeline_graph import PlannedStage, read_plan, with_inputs

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULT = Path("benchmarks/results/gpu_check.json")
COPIED = ("locate", "stages", "benchmarks", "dvc.yaml", "params.yaml")
SPEED = Path("metrics/speed")
LOG_TAIL_LINES = 30


def copy_project(work: Path, device: str, jobs: int, overrides: list[str]) -> None:
    """The code and pipeline in ``work`` with ``runtime.device`` = ``device``, threads shared by ``jobs``, and
    each ``section.key=value`` of ``overrides`` (values parsed as YAML) applied to ``params.yaml``."""
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "results"))
        else:
            shutil.copyfile(source, work / name)
    params = yaml.safe_load((work / "params.yaml").read_text())
    threads = max(1, usable_cores() // jobs)
    params["runtime"] |= {"device": device, "threads": threads}
    for override in overrides:
        dotted, _, value = override.partition("=")
        *path, key = dotted.split(".")
        section = params
        for part in path:
            section = section[part]
        section[key] = yaml.safe_load(value)
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def peak_command(stage: PlannedStage, work: Path) -> list[str]:
    """The stage's ``python -m MODULE ARGS`` run through :mod:`benchmarks.stage_peak`, its peaks recorded in
    ``logs/<stage>.peak.json``."""
    program, flag, module, *arguments = shlex.split(stage.cmd)
    if (program, flag) != ("python", "-m"):
        raise ValueError(f"dvc.yaml: stage {stage.name}: expected 'python -m MODULE ...', got {stage.cmd!r}")
    return [sys.executable, "-m", "benchmarks.stage_peak", str(_peak_record(stage, work)), module, *arguments]


def _peak_record(stage: PlannedStage, work: Path) -> Path:
    return work / "logs" / log_name(stage.name).replace(".log", ".peak.json")


def _figures(stage: PlannedStage, ran: dict, work: Path) -> dict:
    """The figures of a stage that ran: wall seconds and exit status, its peaks, its training rate."""
    figures = {"seconds": ran["seconds"], "exit": ran["exit"]}
    if _peak_record(stage, work).is_file():
        figures |= json.loads(_peak_record(stage, work).read_text())
    for output in stage.outputs:
        path = work / output
        if Path(output).parent == SPEED and path.is_file():
            rate = json.loads(path.read_text()).get("train_images_per_second")
            if rate is not None:
                figures["train_images_per_second"] = rate
    return figures


def run_stages(work: Path, jobs: int, only: set[str] | None = None) -> tuple[dict[str, dict], str | None]:
    """Run the plan of ``work`` (or only the stages named in ``only`` and those they read from) with the project's
    stage runner, up to ``jobs`` at a time; figures per stage (in the order they ended) and the name of the first
    stage that failed (None when none did; the stages reading from it are not run)."""
    plan = read_plan(work) if only is None else with_inputs(read_plan(work), only)
    (work / "logs").mkdir(exist_ok=True)
    env = os.environ | {"PYTHONPATH": str(work), "PYTHONUNBUFFERED": "1"}
    outcome = StageRunner(plan, jobs, work / "logs", lambda stage: peak_command(stage, work), work, env).run()
    stages = {stage.name: stage for stage in plan}
    figures = {name: _figures(stages[name], ran, work) for name, ran in outcome.stages.items()}
    if outcome.failed:
        tail = Path(outcome.stages[outcome.failed[0]]["log"]).read_text().splitlines()[-LOG_TAIL_LINES:]
        print("\n".join(tail), file=sys.stderr)
    return figures, outcome.failed[0] if outcome.failed else None


def device_description(device: str) -> dict:
    """The device the check ran on and the software that ran it."""
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    return {"device": device, "device_name": name, "torch": torch.__version__, "python": sys.version.split()[0],
            "cpu_cores": usable_cores()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4, help="stages run at a time (default 4)")
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--keep", type=Path, help="run in this folder (must not exist) and keep it")
    arguments = parser.parse_args()
    if arguments.device == "cuda" and not torch.cuda.is_available():
        print("error: no CUDA device is available (use --device cpu to run the check on the CPU)", file=sys.stderr)
        return 2
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="gpu_check_"))
    work.mkdir(parents=True, exist_ok=arguments.keep is None)
    started = time.perf_counter()
    copy_project(work, arguments.device, arguments.jobs, arguments.overrides)
    stages, failed = run_stages(work, arguments.jobs)
    result = device_description(arguments.device) | {
        "jobs": arguments.jobs,
        "overrides": arguments.overrides,
        "total_seconds": round(time.perf_counter() - started, 2),
        "failed_stage": failed,
        "stages": stages,
        "metrics": agreement(work / "metrics", REPO_ROOT / "metrics") if failed is None else None,
    }
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({key: result[key] for key in ("device_name", "total_seconds", "failed_stage")}))
    if arguments.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
