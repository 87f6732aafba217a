"""Training speed with glibc's default malloc against freed memory kept for reuse (:mod:`locate.host_memory`).

Each trainer of :mod:`benchmarks.our_trainers` trains ``STEPS`` steps (after ``WARMUP``) in
a fresh process per run, the two settings alternating ``ROUNDS`` times (the setting is
process-wide and cannot be undone); the median step of each run gives images/s and the
process's peak resident set is read at its end. Writes ``benchmarks/results/allocator.json``;
run from the repository root: ``python -m benchmarks.allocator [detector heatmap regression]``.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

import torch

from benchmarks.names import chosen
from benchmarks.our_trainers import TRAINERS, our_trainer
from benchmarks.settings import batch_size
from benchmarks.step_timer import plain_step_seconds
from locate.atomic import write_json
from locate.host_memory import keep_freed_memory
from locate.runtime import Runtime, cpu_has_fast_bf16

RESULT = Path("benchmarks/results/allocator.json")
SETTINGS = ("default", "kept")
WARMUP, ROUNDS = 2, 3
STEPS = {"detector": 6, "heatmap": 12, "regression": 12}


def child(name: str, setting: str) -> dict:
    """Images/s (median step) and peak resident MiB of trainer ``name`` with the allocator ``setting``."""
    if setting == "kept":
        keep_freed_memory()
    runtime = Runtime(torch.device("cpu"), "bf16" if cpu_has_fast_bf16() else "fp32", torch.get_num_threads())
    size = batch_size(name)
    trainer = our_trainer(name, Path("data"), count=size * (WARMUP + STEPS[name]))
    seconds = plain_step_seconds(trainer, runtime, WARMUP + STEPS[name])
    rate = size / statistics.median(seconds[WARMUP:])
    return {"images_per_second": round(rate, 1),
            "peak_resident_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def compare(name: str) -> dict:
    """Both settings' runs of trainer ``name``, alternating, and the median speed-up of ``kept``."""
    runs = {setting: [] for setting in SETTINGS}
    for _ in range(ROUNDS):
        for setting in SETTINGS:
            command = [sys.executable, "-m", "benchmarks.allocator", "--child", name, setting]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            runs[setting].append(json.loads(output.splitlines()[-1]))
    rates = {setting: statistics.median(run["images_per_second"] for run in runs[setting]) for setting in SETTINGS}
    return {"runs": runs, "median_images_per_second": rates, "speedup": round(rates["kept"] / rates["default"], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trainers", nargs="*", help=f"any of {', '.join(TRAINERS)} (default: all)")
    parser.add_argument("--child", nargs=2, metavar=("TRAINER", "SETTING"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULT)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(child(*arguments.child)))
        return 0
    results = {}
    for name in chosen(parser, arguments.trainers, TRAINERS, "trainers"):
        results[name] = compare(name)
        print(name, results[name]["median_images_per_second"], f"x{results[name]['speedup']}", flush=True)
    write_json(arguments.out, {"trainers": results, "threads": torch.get_num_threads(),
                               "warmup_steps": WARMUP, "timed_steps": STEPS})
    return 0


if __name__ == "__main__":
    sys.exit(main())
