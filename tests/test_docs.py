"""The figures the README and the pages of ``docs/`` quote, against the files they are read from.

Each claim is a fragment of a page, built here from a metrics record, a history or a benchmark's results
file as the page formats it: a page that quotes another value, or a results file rewritten with other
numbers, fails here. Every page is linked from the README.
"""

import csv
import json
import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "benchmarks/results"


def _json(path: str) -> dict:
    return json.loads((REPO_ROOT / path).read_text())


def _history(path: str) -> list[dict]:
    with (REPO_ROOT / path).open() as table:
        return [{key: float(value) for key, value in row.items()} for row in csv.DictReader(table)]


def _results_claims() -> list[str]:
    course, improved = _json("metrics/detector/course.json"), _json("metrics/detector/improved.json")
    history = _history("plots/detector/history.csv")
    lowest = min(history, key=lambda row: row["val_total"])
    postprocess = _json("benchmarks/results/detector_postprocess.json")["recipes"]["course"]
    voting = [postprocess[variant] for variant in ("no_box_voting", "box_voting")]
    options = {row["variant"]: row for row in map(json.loads, (RESULTS / "detector_options.jsonl").open())}
    integral = _json("metrics/keypoints/integral_symmetric.json")["pck_symmetric"]["pck_05"]
    heatmap = _json("metrics/keypoints/heatmap_symmetric.json")["pck_symmetric"]["pck_05"]
    regression = _json("metrics/keypoints/regression.json")
    throughput = _json("benchmarks/results/keypoint_throughput_bf16.json")["models"]
    return [
        f"mAP@0.5 {course['map50']:.3f} against the best",
        f"mAP@0.5:0.95 {course['map50_95']:.3f}, {course['map50_visible']:.3f} over the objects",
        f"(epoch {course['epoch']} of 50)",
        f"lowest val loss at epoch {lowest['epoch']:.0f} ({lowest['val_total']:.3f}, "
        f"val mAP@0.5 {lowest['val_map50']:.3f})",
        f"val mAP@0.5 {history[-1]['val_map50']:.3f}, so the course",
        f"mAP@0.5 {improved['map50']:.3f}, mAP@0.5:0.95 {improved['map50_95']:.3f}, {improved['map50_visible']:.3f}",
        f"raises its mAP@0.5 from {voting[0]['map50']:.3f} to {voting[1]['map50']:.3f}",
        f"mAP@0.5:0.95 from {voting[0]['map50_95']:.3f} to {voting[1]['map50_95']:.3f}",
        f"course {options['course']['last']['map50']:.3f}, top-down",
        f"dilated heads {options['top_down_dilated']['last']['map50']:.3f}",
        *_duplicate_claims(),
        f"localises {100 * integral:.1f}% of all keypoints",
        f"`heatmap_symmetric`'s {100 * heatmap:.1f}%",
        "At 0.1 it scores " + " / ".join(f"{v:.3f}" for v in regression["pck"].values()),
        f"by {regression['shift_gain']:.2f} pixel per pixel",
        f"{throughput['integral']['train_images_per_second']} training images/s against the heatmap model's "
        f"{throughput['heatmap']['train_images_per_second']}",
    ]


def _duplicate_claims() -> list[str]:
    before, after = (_json(f"benchmarks/results/{name}.json")["recipes"]
                     for name in ("detector_postprocess_before_voting_fix", "detector_postprocess"))
    pairs = [before[r]["params"]["duplicate_pairs"] for r in ("course", "improved")]
    fixed = [after[r]["params"]["duplicate_pairs"] for r in ("course", "improved")]
    plain = [after[r]["no_box_voting"]["duplicate_pairs"] for r in ("course", "improved")]
    course, improved = (f"{before[r]['params']['map50']:.3f} -> {after[r]['params']['map50']:.3f}"
                        for r in ("course", "improved"))
    return [f"{pairs[0]:,} pairs for the course recipe and {pairs[1]} for the improved one",
            f"{fixed[0]} and {fixed[1]} pairs, near the {plain[0]} and {plain[1]} without",
            f"mAP@0.5 {course} and {improved} (mAP@0.5:0.95"]


def _performance_claims() -> list[str]:
    floor = _json("benchmarks/results/layer_floor.json")["recipes"]
    compute = _json("benchmarks/results/compute_bound.json")
    allocator = _json("benchmarks/results/allocator.json")["trainers"]
    minutes = [f"{floor[name]['one_process_floor_seconds'] / 60:.1f}" for name in
               ("detector", "detector_improved", "heatmap", "regression", "integral")]
    ratios = [f"{floor[name]['measured_over_one_process_floor']:g}x" for name in
              ("detector", "detector_improved", "heatmap", "regression", "integral")]
    return [
        f"data generation takes {_json('metrics/speed/generate.json')['seconds']:.1f} s",
        f"the floors are {minutes[0]} min for the course detector, {minutes[1]} for the improved one",
        f"{minutes[2]} for the heatmap model, {minutes[3]} for regression and {minutes[4]} for the integral",
        f"are {', '.join(ratios[:4])} and {ratios[4]} those",
        f"fp32 peak is {compute['peak_gflops']:.0f} GFLOP/s",
        f"worth {allocator['detector']['speedup']:g}x for the detector, {allocator['heatmap']['speedup']:g}x",
        f"takes {_json('benchmarks/results/noop_repro.json')['median_seconds']:.1f} s (median of 5",
    ]


def _watching_claims() -> list[str]:
    live = _json("benchmarks/results/live_overhead.json")
    return [
        f"{live['median_ms_per_epoch']} ms per epoch",
        f"{live['max_ms_per_epoch']} ms at most), {100 * live['share_of_epoch']:.4f}% of the course detector's "
        f"{live['detector_epoch_seconds']:.1f} s epoch",
        f"DVCLive's import takes {live['import_ms']} ms and starting the log {live['start_ms']} ms",
    ]


def _dependencies_claims() -> list[str]:
    before, after = (_json(f"benchmarks/results/{name}.json")["keys"] for name in ("rerun_cost_before", "rerun_cost"))
    sigma = [before["keypoints.sigma"], after["keypoints.sigma"]]
    return [f"| `keypoints.sigma` | {len(sigma[0]['rerun'])} | {len(sigma[1]['rerun'])} (",
            f"| {sigma[0]['seconds'] / 60:.1f} min | {sigma[1]['seconds'] / 60:.1f} min |"]


def _spread_cell(numbers: dict, name: str, committed: float | None) -> str:
    """``0.802 (0.820 ± 0.016)``, or the committed value alone where no seed noise is recorded."""
    entry = numbers.get(name)
    shown = "n/a" if committed is None else f"{committed:.3f}"
    return shown if entry is None else f"{shown} ({entry['mean']:.3f} ± {entry['std']:.3f})"


def _run_words(seed: str, run: dict) -> str:
    """``seed 642 on Intel(R) Xeon(R) Processor, bf16, 21 min`` (the committed run has no time of its own)."""
    took = "" if run["seconds"] is None else f", {run['seconds'] / 60:.0f} min"
    return f"seed {seed} on {run['runtime']['device_name']}, {run['runtime']['precision']}{took}"


def noise_rows() -> tuple[list[str], list[str], str]:
    """docs/noise.md's table rows (keypoint methods, detector recipes) and its sentence on the runs, from
    ``benchmarks/results/seed_noise.json`` and the committed metrics."""
    noise = _json("benchmarks/results/seed_noise.json")
    numbers = noise["numbers"]
    columns = [("", "pck.pck_05"), ("", "pck.pck_20"), ("", "pck_symmetric.pck_05"), ("test/", "pck.pck_05"),
               ("test/", "pck_symmetric.pck_05")]
    keypoint_rows = []
    for path in sorted((REPO_ROOT / "metrics/keypoints").glob("*.json")):
        cells = []
        for split, key in columns:
            record = _json(f"metrics/{split}keypoints/{path.name}")
            field, threshold = key.split(".")
            cells.append(_spread_cell(numbers, f"{split}keypoints/{path.name}:{key}", record[field][threshold]))
        keypoint_rows.append(f"| {path.stem} | " + " | ".join(cells) + " |")
    detector_rows = []
    for recipe in ("course", "improved"):
        cells = [_spread_cell(numbers, f"{split}detector/{recipe}.json:map50",
                              _json(f"metrics/{split}detector/{recipe}.json")["map50"]) for split in ("", "test/")]
        detector_rows.append(f"| {recipe} | " + " | ".join(cells) + " |")
    runs = "; ".join(f"{part}: " + ", ".join(_run_words(seed, run) for seed, run in by_seed.items())
                     for part, by_seed in noise["runs"].items()) or "none yet"
    return keypoint_rows, detector_rows, runs


def _noise_claims() -> list[str]:
    keypoint_rows, detector_rows, runs = noise_rows()
    dropout = yaml.safe_load((REPO_ROOT / "params.yaml").read_text())["keypoints"]["regression_dropout"]
    return [*keypoint_rows, *detector_rows, f"Runs: {runs}", f"(the regression rows at dropout {dropout},"]


def _parallel_claims() -> list[str]:
    bench = _json("benchmarks/results/parallel_repro.json")
    estimate = bench["committed_run_estimate_minutes"]
    ratios = bench["stage_ratio"].values()
    return [f"{bench['serial_seconds'] / 60:.1f} min one stage at a time against {bench['parallel_seconds'] / 60:.1f} "
            f"min with {bench['jobs']} jobs, {bench['speedup']}x",
            f"from {min(ratios):.2f}x to {max(ratios):.2f}x",
            f"{estimate['serial']} min serially and {estimate['parallel']} min with {bench['jobs']} jobs"]


CLAIMS = {"docs/results.md": _results_claims, "docs/performance.md": _performance_claims,
          "docs/watching-training.md": _watching_claims, "docs/dependencies.md": _dependencies_claims,
          "docs/noise.md": _noise_claims, "docs/parallel-stages.md": _parallel_claims}


@pytest.mark.parametrize("page", sorted(CLAIMS))
def test_each_quoted_figure_is_the_one_its_file_holds(page):
    text = " ".join((REPO_ROOT / page).read_text().split())
    missing = [claim for claim in CLAIMS[page]() if " ".join(claim.split()) not in text]
    assert not missing, f"{page} does not quote: {missing}"


def test_every_page_of_docs_is_linked_from_the_readme():
    readme = (REPO_ROOT / "README.md").read_text()
    linked = set(re.findall(r"\(docs/([\w-]+\.md)\)", readme))
    assert linked == {path.name for path in (REPO_ROOT / "docs").glob("*.md")}
