"""Stage ``report``: ``reports/report.md`` with its figures, and ``reports/summary.md``.

Reads every metrics file, the plot CSVs and images, and ``params.yaml``; draws the curves;
writes the whole ``reports/`` folder atomically. ``reports/summary.md`` is the results table
the README carries.
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
from locate.data.files import read_json
from locate.errors import UserError, run_stage
from locate.keypoints.config import read_keypoints
from locate.params import load_params, result_params
from locate.report import ReportInputs, build_report
from locate.summary import summary_table

REPORTS = Path("reports")
PACKAGES = ("torch", "numpy", "pillow", "pandas", "matplotlib", "dvc", "pyyaml", "tqdm")
DETECTION_IMAGES = 4


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: file not found; run the stage that writes it first")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a readable CSV ({error})") from None


def _environment(speed: dict[str, dict]) -> dict:
    trained_on = speed.get("train_detector", {}).get("runtime", {})
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu cores": str(os.cpu_count()),
        "training device": str(trained_on.get("device_name", "n/a")),
        "training precision": str(trained_on.get("precision", "n/a")),
        "training threads": str(trained_on.get("threads", "n/a")),
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


def _draw_figures(folder: Path, inputs: dict, kp_methods: list[str]) -> dict[str, str]:
    """Every figure of the report into ``folder``; returns key -> path relative to the report."""
    drawn = {
        "detector_loss": figures.loss_curves(
            {"detector": inputs["detector_history"]}, ["total", "obj", "cls", "box"], "Detector loss"
        ),
        "keypoint_loss": figures.loss_curves(inputs["keypoint_histories"], ["total"], "Keypoint loss"),
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
    return paths


def main() -> None:
    params = result_params(load_params())
    method_table = read_keypoints().method_table
    methods = list(method_table)
    speed = {path.stem: read_json(path) for path in sorted(Path("metrics/speed").glob("*.json"))}
    raw = {
        "detector_history": _csv(Path("plots/detector/history.csv")),
        "keypoint_histories": {name: _csv(Path(f"plots/keypoints/{name}_history.csv")) for name in methods},
    }
    with atomic_path(REPORTS) as folder:
        (folder / "figures").mkdir(parents=True)
        figure_paths = _draw_figures(folder / "figures", raw, methods)
        inputs = ReportInputs(
            detector=read_json("metrics/detector.json"),
            keypoints=read_json("metrics/keypoints.json"),
            speed=speed,
            detector_history=raw["detector_history"],
            keypoint_histories=raw["keypoint_histories"],
            params=params,
            methods=method_table,
            environment=_environment(speed),
            figures=figure_paths,
        )
        (folder / "report.md").write_text(build_report(inputs))
        (folder / "summary.md").write_text(summary_table(inputs))
        (folder / "environment.json").write_text(json.dumps(inputs.environment, indent=2) + "\n")


if __name__ == "__main__":
    run_stage(main)
