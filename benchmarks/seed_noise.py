"""Run-to-run noise of the results: each detector recipe and keypoint method retrained with other seeds.

``python -m benchmarks.seed_noise --part keypoints|course_detector|improved_detector [--seeds 642 643] [--jobs 1]
[--set section.key=value ...] [--out FILE]`` trains, in a temporary copy of the project run by the
pipeline's stage runner (as :mod:`benchmarks.gpu_check` does, without DVC), one part of the pipeline
with its seed (``keypoints.schedule.seed`` or ``detector.seed``) set to each of ``--seeds``:

- ``keypoints``: every method of ``keypoints.methods`` (ablations left out), then ``evaluate_keypoints``;
  numbers: course and symmetric PCK at every threshold, on val and on test;
- ``course_detector``, ``improved_detector``: that detector recipe, then its evaluation; numbers: mAP@0.5,
  visible mAP@0.5, mAP@0.5:0.95 and AP@0.5 per class and per area, on val and on test.

The committed run (``metrics/`` of the repository, seed 641) is one more draw. The results file
(:mod:`locate.records.seed_noise`, ``benchmarks/results/seed_noise.json``) keeps every seed's values,
with where and how long each run trained; a run of one part or of new seeds adds to what is there,
and every number's mean and sample standard deviation are taken over all of its seeds. The report
stage reads the file. A part costs hours on a 2-core CPU: run it in the background (``nohup``), or
on a GPU with ``--set runtime.device=cuda``.
"""

import argparse
import dataclasses
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.gpu_check import REPO_ROOT, copy_project, run_stages
from benchmarks.metrics_agreement import flat_numbers
from locate.detection.recipes import RECIPES, RecipeFiles
from locate.records.reading import read_record
from locate.records.seed_noise import SEED_NOISE_FILE
from locate.records.speed import TrainingSpeed

COMMITTED_SEED = 641
DETECTOR_KEYS = ("map50", "map50_95", "map50_visible", "ap50", "ap50_area")


@dataclass(frozen=True)
class Part:
    """What one part retrains: the params key of its seed, the stages it runs to, the metrics files (prefixes under
    ``metrics/``) and top-level keys its numbers come from, and the speed record that says where it trained."""

    seed_key: str
    targets: frozenset[str]
    files: tuple[str, ...]
    keys: tuple[str, ...]
    speed_file: str


PARTS = {
    "keypoints": Part("keypoints.schedule.seed", frozenset({"evaluate_keypoints"}), ("keypoints/", "test/keypoints/"),
                      ("pck", "pck_symmetric"), "train_keypoints_heatmap.json"),
    **{f"{recipe}_detector": Part("detector.seed", frozenset({f"evaluate_detector@{recipe}"}),
                                  (f"detector/{recipe}.json", f"test/detector/{recipe}.json"), DETECTOR_KEYS,
                                  RecipeFiles.of(recipe).train_speed.name)
       for recipe in RECIPES},
}


def part_numbers(metrics: Path, part: Part) -> dict[str, float]:
    """The numbers of ``part`` in a ``metrics/`` folder, by name (``<file>:<dotted key>``)."""
    return {name: value for name, value in flat_numbers(metrics).items()
            if name.startswith(part.files) and name.split(":", 1)[1].split(".")[0] in part.keys}


def _without_ablations(work: Path) -> None:
    params = yaml.safe_load((work / "params.yaml").read_text())
    params["ablations"] = {factor: {} for factor in params["ablations"]}
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def _runtime(metrics: Path, part: Part) -> dict:
    return dataclasses.asdict(read_record(metrics / "speed" / part.speed_file, TrainingSpeed).runtime)


def seed_run(part: Part, seed: int, jobs: int, overrides: list[str]) -> tuple[dict[str, float], dict]:
    """The numbers of ``part`` retrained with its seed = ``seed``, and where and how long it trained."""
    work = Path(tempfile.mkdtemp(prefix=f"seed_noise_{seed}_"))
    try:
        copy_project(work, "auto", jobs, [*overrides, f"{part.seed_key}={seed}"])
        _without_ablations(work)
        started = time.perf_counter()
        _, failed = run_stages(work, jobs, only=set(part.targets))
        if failed is not None:
            raise SystemExit(f"seed {seed}: stage {failed} failed")
        seconds = round(time.perf_counter() - started, 1)
        return part_numbers(work / "metrics", part), {"runtime": _runtime(work / "metrics", part), "seconds": seconds}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def spread(values: dict[str, float]) -> dict:
    """``{"values": seed -> value, "mean", "std"}`` (sample standard deviation; needs two seeds or more)."""
    return {"values": values, "mean": round(statistics.mean(values.values()), 6),
            "std": round(statistics.stdev(values.values()), 6)}


def merged(previous: dict, part_name: str, draws: dict[int, tuple[dict[str, float], dict]]) -> dict:
    """``previous`` results with the ``draws`` (seed -> (numbers, run)) of part ``part_name`` added or replaced."""
    runs = previous.get("runs", {})
    values = {name: dict(entry["values"]) for name, entry in previous.get("numbers", {}).items()}
    runs[part_name] = runs.get(part_name, {}) | {str(seed): run for seed, (_, run) in draws.items()}
    for seed, (numbers, _) in draws.items():
        for name, value in numbers.items():
            values.setdefault(name, {})[str(seed)] = value
    numbers = {name: spread(dict(sorted(by_seed.items()))) for name, by_seed in sorted(values.items())
               if len(by_seed) >= 2}
    return {"runs": dict(sorted(runs.items())), "numbers": numbers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[642, 643])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / SEED_NOISE_FILE)
    arguments = parser.parse_args()
    part = PARTS[arguments.part]
    draws = {}
    if not arguments.overrides:  # the committed run is a draw of the committed params only
        committed = REPO_ROOT / "metrics"
        draws[COMMITTED_SEED] = (part_numbers(committed, part), {"runtime": _runtime(committed, part), "seconds": None})
    for seed in arguments.seeds:
        draws[seed] = seed_run(part, seed, arguments.jobs, arguments.overrides)
        print(f"{arguments.part} seed {seed}: {draws[seed][1]['seconds'] / 60:.1f} min", file=sys.stderr, flush=True)
    previous = json.loads(arguments.out.read_text()) if arguments.out.is_file() else {}
    result = merged(previous, arguments.part, draws)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
