"""``make repro`` with several jobs against ``dvc repro`` one stage at a time, side by side on medium params.

Two copies of the project (:mod:`tools.tiny`'s copy, then medium params: the default data, ``--detector-epochs``
and ``--keypoint-epochs`` epochs, everything else as ``params.yaml``, ``runtime.threads: 0``) run the whole
DAG, one after the other: ``dvc repro`` (each stage with every core) and ``python -m tools.parallel_repro
--jobs N`` (N stages at once, each on its share of the cores). Records each mode's wall time and stage times,
the speedup, whether ``dvc status`` is clean after each, and how the numbers of ``metrics/`` (timings aside)
differ between the modes (fewer threads per process round differently).

From the measured per-stage ratio (time in the parallel run over time alone with every core), it also
estimates the committed full run's training wall time in both modes: serially, the sum of the recorded
stage times (``metrics/speed/``); in parallel, those times scaled by their stage's ratio and scheduled on N
slots in the order of the graph.

Run from the repository root: ``python -m benchmarks.parallel_repro [--jobs 2] [--detector-epochs 6]
[--keypoint-epochs 8]``; writes ``benchmarks/results/parallel_repro.json``.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.metrics_agreement import flat_numbers
from locate.atomic import write_json
from locate.cores import usable_cores
from tools.parallel_stages import slot_cores
from tools.pipeline_graph import read_plan, upstream
from tools.tiny import command_env, dvc, tiny_project

RESULT = Path("benchmarks/results/parallel_repro.json")
SPEED = Path("metrics/speed")


def medium_project(folder: Path, detector_epochs: int, keypoint_epochs: int) -> Path:
    """A copy of the project with the default data and few epochs."""
    tiny_project(folder)
    params = yaml.safe_load(Path("params.yaml").read_text())
    params["detector"]["epochs"] = detector_epochs
    params["keypoints"]["epochs"] = keypoint_epochs
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return folder


def stage_seconds(folder: Path) -> dict[str, float]:
    """Each speed record's stem -> its training, evaluation or generation seconds."""
    seconds = {}
    for path in sorted((folder / SPEED).glob("*.json")):
        record = json.loads(path.read_text())
        seconds[path.stem] = record.get("train_seconds", record.get("eval_seconds", record.get("seconds")))
    return seconds


def timed(folder: Path, command: list[str]) -> float:
    """Wall seconds of ``command`` in ``folder``; exits naming it when it fails."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=command_env(), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {folder}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def metric_differences(first: Path, second: Path) -> dict:
    """How the numbers of two ``metrics/`` folders differ, timings aside: how many there are and differ, the
    largest difference among fractions (AP, PCK: values from 0 to 1), and every other number that differs
    (epochs kept, counts) with both values."""
    one, other = flat_numbers(first / "metrics"), flat_numbers(second / "metrics")
    shared = [key for key in one if key in other and not key.startswith("speed/")]
    differing = [key for key in shared if one[key] != other[key]]
    fractions = [abs(one[key] - other[key]) for key in differing if 0 <= one[key] <= 1 and 0 <= other[key] <= 1]
    return {"numbers": len(shared), "differing": len(differing),
            "largest_fraction_difference": round(max(fractions, default=0.0), 6),
            "other_differences": {key: [one[key], other[key]] for key in differing
                                  if not (0 <= one[key] <= 1 and 0 <= other[key] <= 1)}}


def scheduled_seconds(durations: dict[str, float], jobs: int) -> float:
    """Wall seconds of the committed pipeline's stages (name -> seconds) run on ``jobs`` slots in graph order."""
    plan = read_plan(Path("."))
    needs, finish, slots = upstream(plan), {}, [0.0] * jobs
    for stage in plan:
        slot = min(range(jobs), key=lambda index: slots[index])
        start = max([slots[slot]] + [finish[name] for name in needs[stage.name]])
        finish[stage.name] = slots[slot] = start + durations.get(stage.name, 0.0)
    return max(finish.values())


def speed_stem(stage_name: str) -> str | None:
    """The speed record stem of a stage of the plan (its ``metrics/speed/*.json`` output), if it has one."""
    stage = next(stage for stage in read_plan(Path(".")) if stage.name == stage_name)
    return next((Path(out).stem for out in stage.outputs if Path(out).parent == SPEED), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=usable_cores())
    parser.add_argument("--detector-epochs", type=int, default=6)
    parser.add_argument("--keypoint-epochs", type=int, default=8)
    parser.add_argument("--out", type=Path, default=RESULT)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        serial = medium_project(Path(root) / "serial", arguments.detector_epochs, arguments.keypoint_epochs)
        parallel = medium_project(Path(root) / "parallel", arguments.detector_epochs, arguments.keypoint_epochs)
        serial_seconds = timed(serial, [sys.executable, "-m", "dvc", "repro", "-q"])
        parallel_seconds = timed(parallel, [sys.executable, "-m", "tools.parallel_repro", f"--jobs={arguments.jobs}"])
        clean = {mode: dvc(folder, "status", "-q") == "" for mode, folder in (("serial", serial),
                                                                               ("parallel", parallel))}
        stages = {"serial": stage_seconds(serial), "parallel": stage_seconds(parallel)}
        differences = metric_differences(serial, parallel)
    ratios = {stem: round(stages["parallel"][stem] / seconds, 3) for stem, seconds in stages["serial"].items()
              if seconds and stem in stages["parallel"]}
    committed = stage_seconds(Path("."))
    plan_names = [stage.name for stage in read_plan(Path("."))]
    stems = {name: speed_stem(name) for name in plan_names}
    full_serial = {name: committed.get(stem, 0.0) for name, stem in stems.items()}
    full_parallel = {name: seconds * ratios.get(stems[name], 1.0) for name, seconds in full_serial.items()}
    result = {
        "jobs": arguments.jobs, "cores_per_job": [len(cores) for cores in slot_cores(arguments.jobs)],
        "detector_epochs": arguments.detector_epochs, "keypoint_epochs": arguments.keypoint_epochs,
        "serial_seconds": round(serial_seconds, 1), "parallel_seconds": round(parallel_seconds, 1),
        "speedup": round(serial_seconds / parallel_seconds, 2), "status_clean": clean,
        "metric_differences": differences, "stage_seconds": stages, "stage_ratio": ratios,
        "committed_run_estimate_minutes": {
            "serial": round(sum(full_serial.values()) / 60, 1),
            "parallel": round(scheduled_seconds(full_parallel, arguments.jobs) / 60, 1),
        },
    }
    print(json.dumps({key: result[key] for key in ("serial_seconds", "parallel_seconds", "speedup", "status_clean",
                                                  "committed_run_estimate_minutes")}))
    write_json(arguments.out, result)


if __name__ == "__main__":
    main()
