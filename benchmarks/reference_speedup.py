"""Training-step speed of our trainers against the plain references, in one run.

For the detector (batch 16) and the heatmap and regression keypoint models (batch 32),
times our step inside :func:`locate.training.fit` (uint8 images in memory, targets
computed once, channels-last, the precision ``runtime`` picks) and the plain reference
step of :mod:`benchmarks.reference` (DataLoader decoding PNGs, per-image targets and, for
the detector, a per-image matching and loss loop, fp32), on the same first training
images of ``data/``, same models, settings and threads. Each side drops its warm-up
steps and takes the median seconds per step; the speed-up is the reference's median over
ours. The reference's time spent fetching batches (PNG decoding, per-image targets) is
recorded too. Prints a table and writes ``benchmarks/results/reference_speedup.json`` with the
1-minute load average before and after (other processes slow both sides down).

Run from the repository root: ``python -m benchmarks.reference_speedup``
(``--trainers heatmap --steps 2 --out /tmp/speedup.json`` for a quick check).
"""

import argparse
import os
import statistics
from pathlib import Path

from benchmarks.our_trainers import TRAINERS, our_trainer
from benchmarks.reference.loop import reference_step_seconds
from benchmarks.reference.trainers import reference_trainer
from benchmarks.settings import batch_size as trainer_batch_size
from benchmarks.step_timer import fit_step_seconds
from locate.atomic import write_json
from locate.runtime import Runtime, runtime_from_params

DATA_ROOT = Path("data")
RESULT = Path("benchmarks/results/reference_speedup.json")
WARMUP = {"detector": 2, "heatmap": 3, "regression": 3}
STEPS = {"detector": 6, "heatmap": 8, "regression": 8}
TARGET_SPEEDUP = {"detector": 4.0, "heatmap": 3.0, "regression": 3.0}


def timing(seconds: list[float], batch_size: int) -> dict:
    """Median seconds per step and images per second of the timed ``seconds``."""
    median = statistics.median(seconds)
    return {
        "step_seconds": [round(s, 4) for s in seconds],
        "median_step_seconds": round(median, 4),
        "images_per_second": round(batch_size / median, 2),
    }


def compare(name: str, runtime: Runtime, warmup: int, steps: int) -> dict:
    """Our step and the reference step of trainer ``name``, and the speed-up."""
    batch_size = trainer_batch_size(name)
    ours = our_trainer(name, DATA_ROOT, count=batch_size * (warmup + steps + 1))
    our_seconds = fit_step_seconds(ours.model, ours.compute_loss, ours.batches["train"], runtime, warmup)
    reference = reference_trainer(name, DATA_ROOT, count=batch_size * (warmup + steps))
    reference_times = reference_step_seconds(reference, warmup, steps)
    speedup = statistics.median(reference_times.step) / statistics.median(our_seconds)
    return {
        "batch_size": batch_size,
        "warmup_steps": warmup,
        "timed_steps": steps,
        "ours": timing(our_seconds, batch_size),
        "reference": timing(reference_times.step, batch_size)
        | {"median_data_seconds": round(statistics.median(reference_times.data), 4)},
        "speedup": round(speedup, 2),
        "target_speedup": TARGET_SPEEDUP[name],
        "meets_target": speedup >= TARGET_SPEEDUP[name],
    }


def table(results: dict[str, dict]) -> str:
    """The comparison as aligned text, one row per trainer."""
    header = f"{'trainer':<11}{'ours s/step':>12}{'ours img/s':>12}{'ref s/step':>12}{'ref img/s':>11}" \
             f"{'speed-up':>10}{'target':>8}"
    rows = [header]
    for name, result in results.items():
        ours, reference = result["ours"], result["reference"]
        rows.append(f"{name:<11}{ours['median_step_seconds']:>12.3f}{ours['images_per_second']:>12.1f}"
                    f"{reference['median_step_seconds']:>12.3f}{reference['images_per_second']:>11.1f}"
                    f"{result['speedup']:>9.2f}x{result['target_speedup']:>7.0f}x")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", nargs="+", choices=TRAINERS, default=list(TRAINERS))
    parser.add_argument("--steps", type=int, help="timed steps per side (default: 6 detector, 8 keypoints)")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    runtime = runtime_from_params()
    results = {}
    for name in args.trainers:
        results[name] = compare(name, runtime, WARMUP[name], args.steps or STEPS[name])
        print(f"{name}: {results[name]['speedup']:.2f}x", flush=True)
    print(table(results))
    write_json(args.out, {
        "trainers": results,
        "runtime": runtime.describe(),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    })


if __name__ == "__main__":
    main()
