"""Run-to-run noise of the keypoint metrics: the same recipes trained with other seeds.

``python -m benchmarks.seed_noise [--seeds 642 643] [--jobs 1] [--set section.key=value ...]``
trains one method per keypoint model (the course loss of each: ``heatmap``, ``regression``,
``integral``) with ``keypoints.seed`` set to each seed, in a temporary copy run like
:mod:`benchmarks.gpu_check` (generate, the three trainings, evaluate_keypoints; no
ablations), and takes the committed ``metrics/keypoints/<method>.json`` (seed 641, the
default recipe) as one more draw. Writes ``benchmarks/results/seed_noise.json``: per
headline number (:func:`benchmarks.metrics_agreement.is_headline`) the values of each seed,
their mean and sample standard deviation. The detector's noise is not measured here: one
run of its recipe takes longer than all of these together on a 2-core CPU.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

from benchmarks.gpu_check import REPO_ROOT, copy_project, run_stages
from benchmarks.metrics_agreement import NOISE_FILE, flat_numbers, is_headline

METHODS = {"heatmap": {"heatmap": {"loss": "mse"}}, "regression": {"regression": {"loss": "mse"}},
           "integral": {"integral": {"loss": "l1"}}}
COMMITTED_SEED = 641


def _only_course_methods(work: Path, seed: int) -> None:
    params = yaml.safe_load((work / "params.yaml").read_text())
    params["keypoints"] |= {"seed": seed, "methods": METHODS}
    params["ablations"] = {factor: {} for factor in params["ablations"]}
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def method_numbers(metrics: Path) -> dict[str, float]:
    """The headline numbers of the ``METHODS`` in a ``metrics/`` folder."""
    files = {f"keypoints/{method}.json" for group in METHODS.values() for method in group}
    return {name: value for name, value in flat_numbers(metrics).items()
            if name.split(":")[0] in files and is_headline(name)}


def seed_metrics(seed: int, jobs: int, overrides: list[str]) -> dict[str, float]:
    """The keypoint headline numbers of one run with ``keypoints.seed`` = ``seed``."""
    work = Path(tempfile.mkdtemp(prefix=f"seed_noise_{seed}_"))
    try:
        copy_project(work, "auto", jobs, overrides)
        _only_course_methods(work, seed)
        _, failed = run_stages(work, jobs, only={"evaluate_keypoints"})
        if failed is not None:
            raise SystemExit(f"seed {seed}: stage {failed} failed")
        return method_numbers(work / "metrics")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def spread(draws: dict[int, dict[str, float]]) -> dict[str, dict]:
    """Per number present in every draw: the value of each seed, the mean and the sample standard deviation."""
    names = set.intersection(*(set(values) for values in draws.values()))
    return {
        name: {"values": {str(seed): values[name] for seed, values in draws.items()},
               "mean": round(statistics.mean(values[name] for values in draws.values()), 6),
               "std": round(statistics.stdev(values[name] for values in draws.values()), 6)}
        for name in sorted(names)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[642, 643])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--out", type=Path, default=NOISE_FILE)
    arguments = parser.parse_args()
    draws = {COMMITTED_SEED: method_numbers(REPO_ROOT / "metrics")} if not arguments.overrides else {}
    draws |= {seed: seed_metrics(seed, arguments.jobs, arguments.overrides) for seed in arguments.seeds}
    result = {"seeds": sorted(draws), "overrides": arguments.overrides, "numbers": spread(draws)}
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({name: entry["std"] for name, entry in result["numbers"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
