"""Stage ``report``: ``reports/report.md`` with its figures, and ``reports/summary.md``.

Reads the metrics records (``metrics/detector.json``, ``metrics/keypoints.json``) and every
stage's speed record (``metrics/speed/``), the plot CSVs and images, and ``params.yaml``
(each section through the schema of the stage that uses it, so a bad value stops the report
as it would stop that stage); draws the curves; writes the whole ``reports/`` folder
atomically. ``reports/summary.md`` is the results table the README carries.
"""

import json
import os
import platform
import shutil
from importlib import metadata
from pathlib import Path

import pandas as pd
from PIL import Image

from locate import figures
from locate.atomic import atomic_path
from locate.data.config import read_data
from locate.detection.config import read_detector, read_detector_eval
from locate.errors import UserError, run_stage
from locate.keypoints.config import read_ablations, read_keypoints, read_keypoints_eval
from locate.params import load_params, read_section, result_params
from locate.records.detector import DetectorMetrics
from locate.records.keypoints import KeypointMetrics
from locate.records.reading import read_record
from locate.records.speed import EvaluationSpeed, GenerationSpeed, RuntimeRecord, SpeedRecord, TrainingSpeed
from locate.report.facts import build_report
from locate.report.inputs import ReportInputs, ReportParams, StageSpeeds
from locate.runtime import RuntimeParams
from locate.summary import summary_table

REPORTS = Path("reports")
DETECTOR_METRICS = Path("metrics/detector.json")
KEYPOINT_METRICS = Path("metrics/keypoints.json")
SPEED = Path("metrics/speed")
PACKAGES = ("torch", "numpy", "pillow", "pandas", "matplotlib", "dvc", "pyyaml", "tqdm")
DETECTION_IMAGES = 4


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: file not found; run the stage that writes it first")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a readable CSV ({error})") from None


def read_params() -> ReportParams:
    """Every section of params.yaml (the appendix prints them all), each parsed by its stage's schema."""
    read_keypoints_eval()
    read_section("runtime", RuntimeParams)
    return ReportParams(read_data(), read_detector(), read_detector_eval(), read_keypoints(), read_ablations(),
                        result_params(load_params()))


def speed_files(methods: list[str], variants: list[str]) -> dict[str, type[SpeedRecord]]:
    """The speed file stem of every stage of the pipeline, and its record type."""
    files: dict[str, type[SpeedRecord]] = {"generate": GenerationSpeed, "train_detector": TrainingSpeed,
                                           "evaluate_detector": EvaluationSpeed}
    files |= {f"train_keypoints_{name}": TrainingSpeed for name in methods}
    files |= {f"ablate_keypoints_{variant}": TrainingSpeed for variant in variants}
    return files | {"evaluate_keypoints": EvaluationSpeed}


def read_speeds(methods: list[str], variants: list[str]) -> StageSpeeds:
    """Every stage's speed record."""
    stages = {stem: read_record(SPEED / f"{stem}.json", kind) for stem, kind in speed_files(methods, variants).items()}
    training = {name: stages[f"train_keypoints_{name}"] for name in methods}
    return StageSpeeds(stages["train_detector"], training, stages["evaluate_keypoints"], stages)


def _environment(trained_on: RuntimeRecord) -> dict:
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu cores": str(os.cpu_count()),
        "training device": trained_on.device_name,
        "training precision": trained_on.precision,
        "training threads": str(trained_on.threads),
    }
    return {"machine": machine, "packages": {name: metadata.version(name) for name in PACKAGES}}


def _detection_grid(folder: Path, target: Path) -> None:
    paths = sorted(folder.glob("*.png"))[:DETECTION_IMAGES]
    if not paths:
        raise UserError(f"{folder}: no detection images; run evaluate_detector first")
    tiles = [Image.open(path).convert("RGB") for path in paths]
    width, height = tiles[0].size
    grid = Image.new("RGB", (width * len(tiles), height), "white")
    for index, tile in enumerate(tiles):
        grid.paste(tile, (index * width, 0))
    grid.save(target)


def _draw_figures(folder: Path, detector_history: pd.DataFrame, keypoint_histories: dict[str, pd.DataFrame]
                  ) -> dict[str, str]:
    """Every figure of the report into ``folder``; returns key -> path relative to the report."""
    drawn = {
        "detector_loss": figures.loss_curves({"detector": detector_history}, ["total", "obj", "cls", "box"],
                                             "Detector loss"),
        "keypoint_loss": figures.loss_curves(keypoint_histories, ["total"], "Keypoint loss"),
        "pck": figures.pck_curves(_csv(Path("plots/keypoints/pck.csv")), "PCK on the val set"),
        "pr_curves": figures.pr_curves(_csv(Path("plots/detector/pr_curves.csv")), "Precision-recall, IoU 0.5"),
        "scales": figures.grouped_bars(
            _csv(Path("plots/detector/scales.csv")), "scale", "true positives", "Scale specialisation"
        ),
    }
    paths = {}
    for key, drawing in drawn.items():
        figures.save_figure(drawing, folder / f"{key}.png")
        paths[key] = f"figures/{key}.png"
    _detection_grid(Path("plots/detector/images"), folder / "detections.png")
    paths["detections"] = "figures/detections.png"
    for image in sorted(Path("plots/keypoints/images").glob("*.png")):
        key = "keypoint_predictions" if image.stem == "predictions" else image.stem
        shutil.copyfile(image, folder / image.name)
        paths[key] = f"figures/{image.name}"
    if "keypoint_predictions" not in paths:
        raise UserError("plots/keypoints/images/predictions.png: file not found; run evaluate_keypoints first")
    return paths


def main() -> None:
    params = read_params()
    methods = list(params.keypoints.method_table)
    variants = list(params.ablations.variants(params.keypoints.heatmap))
    detector, keypoints = read_record(DETECTOR_METRICS, DetectorMetrics), read_record(KEYPOINT_METRICS, KeypointMetrics)
    speed = read_speeds(methods, variants)
    detector_history = _csv(Path("plots/detector/history.csv"))
    keypoint_histories = {name: _csv(Path(f"plots/keypoints/{name}_history.csv")) for name in methods}
    with atomic_path(REPORTS) as folder:
        (folder / "figures").mkdir(parents=True)
        figure_paths = _draw_figures(folder / "figures", detector_history, keypoint_histories)
        inputs = ReportInputs(detector, keypoints, speed, detector_history, keypoint_histories, params,
                              _environment(speed.detector_training.runtime), figure_paths)
        (folder / "report.md").write_text(build_report(inputs))
        (folder / "summary.md").write_text(summary_table(inputs))
        (folder / "environment.json").write_text(json.dumps(inputs.environment, indent=2) + "\n")


if __name__ == "__main__":
    run_stage(main)
