"""Speed of every model through :func:`locate.predict.load_model` on the CPU, and the memory of a folder streamed
through ``python -m locate.predict``.

For each model: the milliseconds of ``model.predict([image])`` (batch 1: input preparation, forward pass,
postprocessing and decoding, records) and the images per second of ``model.predict(32 images, batch_size=32)``,
each the best call (the one other processes disturbed least) and the median, over ``--rounds`` rounds that
time every model in turn (``--runs`` and ``--batches`` calls), after a warm-up. The images are generated scenes
and stick figures, handed over as arrays of the model's size (no file decoding, no resizing).

Models: the checkpoints ``--models``, else every ``models/**/*.pt``; where there is none (a fresh clone),
untrained checkpoints of every detector recipe, keypoint method and ablation variant of params.yaml, written
as the trainers write them. Speed depends on the architecture, not on the weights, except a detector's
postprocessing: an untrained detector scores every anchor near 0.2, above the 0.05 threshold, so it keeps the
most candidates (``top_k_per_level`` per scale) for NMS and box voting, an upper bound on that part.

The stream: ``python -m locate.predict`` (pictures drawn) on folders of ``--stream-images`` and a tenth as many
generated scenes with the first detector, each in a process of its own; its peak resident memory and
seconds. Writes ``benchmarks/results/predict_speed.json`` with the 1-minute load average before and after
(other processes on the machine slow it down).

Run from the repository root: ``python -m benchmarks.predict_speed`` (``--out PATH`` writes the results there).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from locate.atomic import write_json
from locate.checkpoint import save_checkpoint
from locate.data.config import TEST_SPLIT
from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_test_sets
from locate.data.shapes import CLASS_NAMES
from locate.detection.model import Detector
from locate.detection.recipes import COURSE, RECIPES, read_recipe
from locate.keypoints.config import read_ablations, read_keypoints
from locate.keypoints.method import MethodConfig, ablation_config, build_model
from locate.predict import load_model
from locate.runtime import make_runtime

RESULT = Path("benchmarks/results/predict_speed.json")
BATCH_SIZE = 32
WARMUP = 3
SEED = 7  # the generated images' seed
# Run in a process of its own: the command on a folder, then its peak resident memory in KiB: Linux's VmHWM (the
# process's own; ru_maxrss keeps the high-water mark of the process it was forked from), else ru_maxrss (bytes on
# macOS).
STREAM = """import re, resource, sys
from pathlib import Path
from locate.errors import run_stage
from locate.predict import main
run_stage(lambda: main(sys.argv[1:]))
status = Path("/proc/self/status")
peak = re.search(r"VmHWM:\\s*(\\d+) kB", status.read_text()) if status.exists() else None
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(int(peak.group(1)) if peak else maxrss // 1024 if sys.platform == "darwin" else maxrss)
"""


def _detector_name(recipe: str) -> str:
    return "detector" if recipe == COURSE else f"detector_{recipe}"


def untrained_checkpoints(folder: Path) -> dict[str, Path]:
    """Untrained checkpoints, with the trainers' meta, of each detector recipe and keypoint method and ablation
    variant of params.yaml, written into ``folder`` under the names the pipeline gives them."""
    torch.manual_seed(SEED)
    paths = {}
    for recipe in RECIPES:
        config = read_recipe(recipe).model_config(len(CLASS_NAMES))
        paths[_detector_name(recipe)] = folder / f"{_detector_name(recipe)}.pt"
        save_checkpoint(paths[_detector_name(recipe)], Detector(config),
                        {"config": config.to_dict(), "category_names": list(CLASS_NAMES)})
    params = read_keypoints()
    methods = {name: MethodConfig.for_model(m.model, m.loss, params.heatmap, params.regression_dropout)
               for name, m in params.method_table.items()}
    methods |= {f"ablation_{variant}": ablation_config(settings)
                for variant, settings in read_ablations().variants(params.heatmap).items()}
    for name, config in methods.items():
        paths[f"keypoints/{name}"] = folder / "keypoints" / f"{name}.pt"
        save_checkpoint(paths[f"keypoints/{name}"], build_model(config), {"config": config.to_meta(), "name": name})
    return paths


def trained_checkpoints(given: list[Path]) -> dict[str, Path]:
    """``given``, else every checkpoint under ``models/``, by name (its path under ``models/`` without ``.pt``)."""
    paths = given or sorted(Path("models").rglob("*.pt"))
    return {(p.relative_to("models") if p.is_relative_to("models") else p).with_suffix("").as_posix(): p
            for p in paths}


def seconds_of(call, runs: int) -> list[float]:
    """Seconds of each of ``runs`` calls of ``call()``."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def best_and_median(seconds: list[float], images: int, per_image_ms: bool) -> dict:
    """The best (least, the call other processes disturbed least) and the median of ``seconds``, as milliseconds per
    call (``per_image_ms``) or as images per second for calls of ``images`` images."""
    least, median = min(seconds), statistics.median(seconds)
    if per_image_ms:
        return {"best": round(1000 * least, 2), "median": round(1000 * median, 2)}
    return {"best": round(images / least, 1), "median": round(images / median, 1)}


def model_speeds(paths: dict[str, Path], images: dict[str, np.ndarray], timing: dict, precision: str) -> dict:
    """Latency (batch 1, ms) and throughput (batch 32, images/s) of each checkpoint of ``paths`` on the CPU, best
    and median over ``timing["rounds"]`` rounds, each timing every model in turn (``batch1_runs`` and
    ``batch32_runs`` calls), so that a busy spell of the machine does not fall on one model only; ``images``:
    uint8 arrays ``[32, H, W(, 3)]`` of each model kind."""
    models = {name: load_model(path, device="cpu", precision=precision) for name, path in paths.items()}
    calls = {}
    for name, model in models.items():
        arrays = list(images[model.kind])
        calls[name] = (lambda m=model, a=arrays: m.predict(a[:1]),
                       lambda m=model, a=arrays: m.predict(a, batch_size=BATCH_SIZE))
        seconds_of(calls[name][0], WARMUP)
        seconds_of(calls[name][1], 1)
    single = {name: [] for name in models}
    batched = {name: [] for name in models}
    for _ in range(timing["rounds"]):
        for name, (one, batch) in calls.items():
            single[name] += seconds_of(one, timing["batch1_runs"])
            batched[name] += seconds_of(batch, timing["batch32_runs"])
    return {name: {"kind": model.kind, "latency_ms_batch1": best_and_median(single[name], 1, True),
                   "throughput_images_per_second_batch32": best_and_median(batched[name], BATCH_SIZE, False)}
            for name, model in models.items()}


def stream_memory(model: Path, folder: Path, count: int, precision: str) -> dict:
    """Peak resident memory (MiB) and seconds of ``python -m locate.predict`` on the first ``count`` images of
    ``folder`` (copied into a folder of their own), pictures drawn."""
    with tempfile.TemporaryDirectory() as scratch:
        images = Path(scratch) / "images"
        images.mkdir()
        for path in sorted(folder.iterdir())[:count]:
            shutil.copyfile(path, images / path.name)
        command = [sys.executable, "-c", STREAM, "--model", str(model), "--out", str(Path(scratch) / "out"),
                   "--device", "cpu", "--precision", precision, str(images)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        peak = int(done.stdout.split()[-1]) / 2**10
        return {"images": count, "peak_rss_mib": round(peak, 1), "seconds": round(seconds, 1),
                "images_per_second": round(count / seconds, 1)}


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, nargs="*", default=[], help="checkpoints (default: models/**/*.pt)")
    parser.add_argument("--runs", type=int, default=10, help="timed batch-1 calls per model and round")
    parser.add_argument("--batches", type=int, default=2, help="timed batch-32 calls per model and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every model")
    parser.add_argument("--stream-images", type=int, default=1000, help="images streamed through the command")
    parser.add_argument("--precision", default="auto", help="fp32, bf16 or auto (default, as runtime.precision)")
    parser.add_argument("--out", type=Path, default=RESULT, help=f"results file (default {RESULT})")
    options = parser.parse_args(arguments)
    load_before = os.getloadavg()[0]
    runtime = make_runtime("cpu", options.precision)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        checkpoints = trained_checkpoints(options.models)
        weights = "trained" if checkpoints else "untrained"
        checkpoints = checkpoints or untrained_checkpoints(scratch / "models")
        generate_test_sets(scratch / "data", SEED, max(BATCH_SIZE, options.stream_images), workers=1)
        scenes = load_detection(scratch / "data/detection", TEST_SPLIT).images[:BATCH_SIZE]
        figures = load_keypoints(scratch / "data/keypoints", TEST_SPLIT).images[:BATCH_SIZE]
        images = {"detector": scenes.permute(0, 2, 3, 1).numpy(), "keypoints": figures[:, 0].numpy()}
        timing = {"rounds": options.rounds, "batch1_runs": options.runs, "batch32_runs": options.batches,
                  "warmup": WARMUP}
        models = model_speeds(checkpoints, images, timing, runtime.precision)
        for name, speed in models.items():
            print(f"{name}: {speed}", flush=True)
        detector = next(path for name, path in checkpoints.items() if models[name]["kind"] == "detector")
        folder = scratch / "data/detection" / TEST_SPLIT
        stream = [stream_memory(detector, folder, count, runtime.precision)
                  for count in (max(1, options.stream_images // 10), options.stream_images)]
        print(f"stream: {stream}", flush=True)
    write_json(options.out, {
        "weights": weights,
        "batch_size": BATCH_SIZE,
        "timed": timing,
        "models": models,
        "stream": {"model": detector.stem, "runs": stream},
        "runtime": runtime.describe(),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    })


if __name__ == "__main__":
    main()
