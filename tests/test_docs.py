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


def option_rows() -> list[str]:
    """docs/results.md's table of the improved recipe's options: the latest proxy run of each variant built on
    ``context_flip_shift`` (the improved recipe before them), from ``benchmarks/results/detector_options.jsonl``."""
    latest = {row["variant"]: row for row in map(json.loads, (RESULTS / "detector_options.jsonl").open())}
    base = latest["context_flip_shift"]["changes"]
    rows = []
    for name, row in latest.items():
        if not name.startswith("context_flip_shift") or "giou" in name:
            continue
        changes = ", ".join(f"`{key}: {value}`" for key, value in row["changes"].items()
                            if key not in base)
        classes = " / ".join(f"{row['last']['ap50'][name]:.3f}" for name in ("circle", "square", "triangle"))
        rows.append(f"| {changes or 'none (the base)'} | {row['last']['map50']:.3f} | "
                    f"{row['last']['map50_visible']:.3f} | {classes} |")
    return rows


def error_counts(name: str, least: str) -> str:
    """docs/results.md's account of the val detections of ``name`` scoring at least ``least`` (``"0.9"``) in
    ``benchmarks/results/detector_errors.json``."""
    counts = _json("benchmarks/results/detector_errors.json")[name]["counts"][least]
    return (f"of the {sum(counts.values())} val detections scoring at least {least}, {counts['true_positive']} "
            f"found an object, {counts['duplicate']} were duplicates and {counts['localisation']} localisation "
            f"error{'' if counts['localisation'] == 1 else 's'}")


def localisation_quartiles(name: str) -> str:
    """The IoU with their object and the area over its of ``name``'s confident localisation errors."""
    near = _json("benchmarks/results/detector_errors.json")[name]["localisation_above_0.9"]
    return (f"boxes of the object's class at IoU {near['iou'][0]:.2f}-{near['iou'][2]:.2f} with it and "
            f"{near['area_ratio'][0]:.2f}-{near['area_ratio'][2]:.2f} of its area (quartiles)")


def recipe_claims() -> list[str]:
    """docs/results.md's figures of the improved recipe against the course one, from their metrics, details and
    training speed records."""
    improved = _json("metrics/detector/improved.json")
    details = {recipe: _json(f"plots/{name}/details.json")
               for recipe, name in (("course", "detector"), ("improved", "detector_improved"))}
    fields = {recipe: [level["receptive_field"] for level in details[recipe]["levels"].values()]
              for recipe in details}
    squares = {recipe: [level["true_positives"]["square"] for level in details[recipe]["levels"].values()][1:]
               for recipe in details}
    minutes = {recipe: _json(f"metrics/speed/train_{name}.json")["train_seconds"] / 60
               for recipe, name in (("course", "detector"), ("improved", "detector_improved"))}
    classes = ", ".join(f"{name}s {value:.3f}" for name, value in improved["ap50"].items())
    return [
        f"{improved['map50']:.3f}, mAP@0.5:0.95 {improved['map50_95']:.3f}, {improved['map50_visible']:.3f} over the "
        f"objects at least half visible; AP@0.5 {classes}",
        f"receptive fields are {' / '.join(map(str, fields['improved']))} pixels (course "
        f"{' / '.join(map(str, fields['course']))})",
        f"({squares['improved'][0]} and {squares['improved'][1]} true positives; the course {squares['course'][0]} "
        f"and {squares['course'][1]})",
        f"trained in {minutes['improved']:.1f} minutes (course {minutes['course']:.1f}, "
        f"{100 * (minutes['improved'] / minutes['course'] - 1):+.1f}%",
    ]


def _results_claims() -> list[str]:
    course = _json("metrics/detector/course.json")
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
        *recipe_claims(),
        f"raises its mAP@0.5 from {voting[0]['map50']:.3f} to {voting[1]['map50']:.3f}",
        f"mAP@0.5:0.95 from {voting[0]['map50_95']:.3f} to {voting[1]['map50_95']:.3f}",
        f"course {options['course']['last']['map50']:.3f}, top-down",
        f"dilated heads {options['top_down_dilated']['last']['map50']:.3f}",
        f"GIoU instead of Smooth L1 on top of them {options['context_giou']['last']['map50']:.3f}, but with flips "
        f"and shifts as well {options['context_flip_shift_giou']['last']['map50']:.3f}",
        *option_rows(),
        error_counts("improved_before_options", "0.9"), localisation_quartiles("improved_before_options"),
        error_counts("improved", "0.9"), error_counts("improved", "0.5"),
        *_duplicate_claims(),
        f"localises {100 * integral:.1f}% of all keypoints",
        f"`heatmap_symmetric`'s {100 * heatmap:.1f}%",
        "At 0.1 it scores " + " / ".join(f"{v:.3f}" for v in regression["pck"].values()),
        f"by {regression['shift_gain']:.2f} pixel per pixel",
        f"{throughput['integral']['train_images_per_second']} training images/s against the heatmap model's "
        f"{throughput['heatmap']['train_images_per_second']}",
    ]


def _duplicate_claims() -> list[str]:
    before, fixed, now = (_json(f"benchmarks/results/{name}.json")["recipes"] for name in (
        "detector_postprocess_before_voting_fix", "detector_postprocess_voting_fix", "detector_postprocess"))
    pairs = [before[r]["params"]["duplicate_pairs"] for r in ("course", "improved")]
    after = [fixed[r]["params"]["duplicate_pairs"] for r in ("course", "improved")]
    plain = [fixed[r]["no_box_voting"]["duplicate_pairs"] for r in ("course", "improved")]
    course, improved = (f"{before[r]['params']['map50']:.3f} -> {fixed[r]['params']['map50']:.3f}"
                        for r in ("course", "improved"))
    tighter = [now[r]["nms_iou_0.4"] for r in ("course", "improved")]
    return [f"{pairs[0]:,} pairs for the course recipe and {pairs[1]} for the improved one",
            f"{after[0]} and {after[1]} pairs, near the {plain[0]} and {plain[1]} without",
            f"mAP@0.5 {course} and {improved} (mAP@0.5:0.95 " + " and ".join(
                f"{before[r]['params']['map50_95']:.3f} -> {fixed[r]['params']['map50_95']:.3f}"
                for r in ("course", "improved")) + ")",
            f"the improved recipe retrained with them has {now['improved']['params']['duplicate_pairs']} "
            f"({now['improved']['no_box_voting']['duplicate_pairs']} without voting)",
            f"NMS at IoU 0.4 leaves {tighter[0]['duplicate_pairs']} and {tighter[1]['duplicate_pairs']} but moves "
            f"mAP@0.5 to {tighter[0]['map50']:.3f} and {tighter[1]['map50']:.3f}",
            f"without it mAP@0.5 {now['improved']['no_box_voting']['map50']:.3f} and mAP@0.5:0.95 "
            f"{now['improved']['no_box_voting']['map50_95']:.3f}, against {now['improved']['params']['map50']:.3f} and "
            f"{now['improved']['params']['map50_95']:.3f} with it"]


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
    threads = before["runtime.threads"]
    nms = [before["detector_eval.nms_iou"], after["detector_eval.postprocess.nms_iou"]]
    return [f"| `keypoints.sigma` | {len(sigma[0]['rerun'])} | {len(sigma[1]['rerun'])} (",
            f"| {sigma[0]['seconds'] / 60:.1f} min | {sigma[1]['seconds'] / 60:.1f} min |",
            f"| `runtime.threads` | {len(threads['rerun'])} (every training and evaluation) | "
            f"{len(after['runtime.threads']['rerun'])} | {threads['seconds'] / 60:.1f} min |",
            f"| {len(nms[0]['rerun'])} | {len(nms[1]['rerun'])} (`check_params`, both detector evaluations, "
            f"`report`) | {nms[0]['seconds']:.1f} s | {nms[1]['seconds']:.1f} s |"]


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
    columns = [(split, f"{kind}.{threshold}") for split in ("", "test/") for kind in ("pck", "pck_symmetric")
               for threshold in ("pck_05", "pck_20")]
    keypoint_rows = []
    for path in sorted((REPO_ROOT / "metrics/keypoints").glob("*.json")):
        cells = []
        for split, key in columns:
            record = _json(f"metrics/{split}keypoints/{path.name}")
            field, threshold = key.split(".")
            cells.append(_spread_cell(numbers, f"{split}keypoints/{path.name}:{key}", record[field][threshold]))
        keypoint_rows.append(f"| {path.stem} | " + " | ".join(cells) + " |")
    detector_rows = []
    columns = [("", "map50"), ("test/", "map50"), ("", "map50_visible"), ("test/", "map50_visible"),
               *(("", f"ap50.{name}") for name in ("circle", "square", "triangle"))]
    for recipe in ("course", "improved"):
        cells = []
        for split, key in columns:
            record = _json(f"metrics/{split}detector/{recipe}.json")
            value = record[key] if "." not in key else record[key.split(".")[0]][key.split(".")[1]]
            cells.append(_spread_cell(numbers, f"{split}detector/{recipe}.json:{key}", value))
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


def _using_models_claims() -> list[str]:
    """docs/using-models.md's speed table, stream sentence and run, from ``benchmarks/results/predict_speed.json``."""
    bench = _json("benchmarks/results/predict_speed.json")
    rows = []
    for name, speed in bench["models"].items():
        latency, throughput = speed["latency_ms_batch1"], speed["throughput_images_per_second_batch32"]
        rows.append(f"| {name} | {latency['best']:.1f} | {latency['median']:.1f} | {throughput['best']:.1f} | "
                    f"{throughput['median']:.1f} |")
    small, large = bench["stream"]["runs"]
    runtime, load = bench["runtime"], bench["load_average_1min"]
    return [*rows,
            f"{large['images']} images streamed through the command with `{bench['stream']['model']}` (pictures "
            f"drawn) in {large['seconds']:.0f} s, {large['images_per_second']:.1f} images/s, peak resident memory "
            f"{large['peak_rss_mib']:.0f} MiB; {small['images']} images: {small['peak_rss_mib']:.0f} MiB",
            f"{bench['weights']} weights on {runtime['device_name']}, {runtime['threads']} threads, "
            f"{runtime['precision']}; 1-minute load average {load['before']} before and {load['after']} after"]


CLAIMS = {"docs/results.md": _results_claims, "docs/using-models.md": _using_models_claims,
          "docs/performance.md": _performance_claims,
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
