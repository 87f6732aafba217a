"""What the live log costs a training: DVCLive's writes per epoch against the epoch they follow.

Replays the committed course detector's history (``plots/detector/history.csv``: every loss part on
train and val, the val mAP@0.5 and the learning rate) through :class:`locate.live_log.LiveLog` into a
temporary folder, as the trainer logs it: the start (a fresh log replaying no epoch) once, then one
``log`` per epoch. Reports DVCLive's import in a fresh interpreter that has imported torch (as a stage
has), the start, the median and largest time per epoch, and the median as a share of
the detector's recorded epoch time (``metrics/speed/train_detector.json``: training and validation passes
per epoch). Runs ``--runs`` replays and keeps the one with the lowest median.

Run from the repository root: ``python -m benchmarks.live_overhead [--runs 5]``; writes
``benchmarks/results/live_overhead.json``.
"""

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from locate.atomic import write_json
from locate.live_log import LiveLog
from locate.records.reading import read_record
from locate.records.speed import TrainingSpeed

HISTORY = Path("plots/detector/history.csv")
SPEED = Path("metrics/speed/train_detector.json")
RESULT = Path("benchmarks/results/live_overhead.json")


def history_rows(path: Path) -> list[dict]:
    """The history CSV's rows, numbers as the trainer logs them (``epoch`` an int, the rest floats)."""
    with path.open() as table:
        return [{key: int(value) if key == "epoch" else float(value) for key, value in row.items()}
                for row in csv.DictReader(table)]


IMPORT_TIMER = ("import time, torch; started = time.perf_counter(); import dvclive; "
                "print(time.perf_counter() - started)")


def import_seconds(runs: int) -> float:
    """Median seconds of ``import dvclive`` in a fresh interpreter after ``import torch``."""
    return statistics.median(float(subprocess.run([sys.executable, "-c", IMPORT_TIMER], capture_output=True,
                                                  text=True, check=True).stdout) for _ in range(runs))


def replay(rows: list[dict]) -> tuple[float, list[float]]:
    """Seconds to start a live log, and of each epoch's ``log``, writing ``rows`` into a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        live = LiveLog(Path(folder) / "live", [])
        start = time.perf_counter() - started
        epochs = []
        for row in rows:
            started = time.perf_counter()
            live.log(row)
            epochs.append(time.perf_counter() - started)
    return start, epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    rows = history_rows(HISTORY)
    speed = read_record(SPEED, TrainingSpeed)
    epoch_seconds = speed.train_seconds / speed.epochs
    start, epochs = min((replay(rows) for _ in range(args.runs)), key=lambda run: statistics.median(run[1]))
    median = statistics.median(epochs)
    result = {
        "history": str(HISTORY), "epochs": len(rows), "series": len(rows[0]) - 1,
        "import_ms": round(1000 * import_seconds(args.runs), 1),
        "start_ms": round(1000 * start, 2), "median_ms_per_epoch": round(1000 * median, 3),
        "max_ms_per_epoch": round(1000 * max(epochs), 3),
        "detector_epoch_seconds": round(epoch_seconds, 2), "detector_runtime": speed.runtime.device_name,
        "share_of_epoch": round(median / epoch_seconds, 7),
    }
    print(f"live log: import {result['import_ms']} ms, start {result['start_ms']} ms, "
          f"{result['median_ms_per_epoch']} ms per epoch (median of {len(rows)}, max {result['max_ms_per_epoch']}), "
          f"{100 * result['share_of_epoch']:.4f}% of a {epoch_seconds:.1f} s detector epoch")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
