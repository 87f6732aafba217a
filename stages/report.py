"""Stage ``report``: ``reports/report.md`` with its figures, and ``reports/summary.md``.

Reads the metrics records (each detector recipe's ``metrics/detector/<recipe>.json`` and
``plots/<detector>/details.json``, the keypoint records under ``metrics/``, the same on the test split
under ``metrics/test/``; the seed noise of ``benchmarks/results/seed_noise.json`` where measured) and every stage's
speed record (``metrics/speed/``), the plot CSVs and images, and ``params.yaml``
(each section through the schema of the stage that uses it, so a bad value stops the report
as it would stop that stage); draws the curves; writes the whole ``reports/`` folder
atomically, then ``metrics/headline.json``. ``reports/summary.md`` is the results table the README
carries; ``metrics/headline.json`` the few numbers ``dvc exp show`` compares experiments by.
"""

import json
import os
import platform
import shutil
from importlib import metadata
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from locate import figures
from locate.atomic import atomic_path, write_json
from locate.cores import cpu_line
from locate.data.config import read_data, read_test_data
from locate.detection.config import read_detector, read_detector_eval
from locate.detection.recipes import COURSE, IMPROVED, RECIPE_SECTIONS, RecipeFiles, read_recipe
from locate.errors import UserError, run_stage
from locate.keypoints.config import read_ablations, read_keypoints, read_keypoints_eval
from locate.keypoints.epoch_scores import EPOCH_SCORES
from locate.keypoints.method import MethodParams
from locate.params import load_params, read_section, result_params
from locate.records.detector import DetectorDetails, DetectorMetrics
from locate.records.keypoints import KeypointFiles
from locate.records.reading import read_record
from locate.records.seed_noise import read_seed_noise
from locate.records.speed import EvaluationSpeed, GenerationSpeed, RuntimeRecord, SpeedRecord, TrainingSpeed
from locate.report.facts import build_report
from locate.report.inputs import RecipeResults, ReportInputs, ReportParams, StageSpeeds, TestResults
from locate.report.summary import headline_metrics, summary_table
from locate.runtime import RuntimeParams

REPORTS = Path("reports")
HEADLINE = Path("metrics/headline.json")
KEYPOINT_METRICS = KeypointFiles(Path("metrics"))
TEST_KEYPOINT_METRICS = KeypointFiles(Path("metrics/test"))
SPEED = Path("metrics/speed")
PACKAGES = ("torch", "numpy", "pillow", "pandas", "matplotlib", "dvc", "pyyaml", "tqdm")
DETECTION_IMAGES = 4
GRID_COLUMNS = 2
PANEL_GAP, PANEL_TITLE = 16, 24  # pixels between detection panels, and of the title above each


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
    read_recipe(IMPROVED)
    params = load_params()
    return ReportParams(read_data(), read_detector(), params[RECIPE_SECTIONS[IMPROVED]], read_detector_eval(),
                        read_keypoints(), read_ablations(), result_params(params))


def speed_files(methods: list[str], variants: list[str]) -> dict[str, type[SpeedRecord]]:
    """The speed file stem of every stage of the pipeline, and its record type."""
    files: dict[str, type[SpeedRecord]] = {"generate": GenerationSpeed, "generate_test": GenerationSpeed}
    for recipe in (COURSE, IMPROVED):
        recipe_files = RecipeFiles.of(recipe)
        files |= {recipe_files.train_speed.stem: TrainingSpeed, recipe_files.eval_speed.stem: EvaluationSpeed}
    files |= {f"train_keypoints_{name}": TrainingSpeed for name in methods}
    files |= {f"ablate_keypoints_{variant}": TrainingSpeed for variant in variants}
    return files | {"evaluate_keypoints": EvaluationSpeed}


def read_speeds(methods: list[str], variants: list[str]) -> StageSpeeds:
    """Every stage's speed record."""
    stages = {stem: read_record(SPEED / f"{stem}.json", kind) for stem, kind in speed_files(methods, variants).items()}
    training = {name: stages[f"train_keypoints_{name}"] for name in methods}
    return StageSpeeds(training, stages["evaluate_keypoints"], stages)


def read_recipe_results(recipe: str, speed: StageSpeeds) -> RecipeResults:
    """The metrics, details, speed records and training history of detector ``recipe``."""
    files = RecipeFiles.of(recipe)
    return RecipeResults(read_record(files.metrics, DetectorMetrics), read_record(files.details, DetectorDetails),
                         speed.stages[files.train_speed.stem], speed.stages[files.eval_speed.stem],
                         _csv(files.history))


def read_test_results(methods: list[str], variants: list[str]) -> TestResults:
    """The detector recipes' and the keypoint models' records on the held-out test split, with its params."""
    detectors = {recipe: read_record(RecipeFiles.of(recipe).test_metrics, DetectorMetrics)
                 for recipe in (COURSE, IMPROVED)}
    return TestResults(detectors, TEST_KEYPOINT_METRICS.read(methods, variants), read_test_data())


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
    """The first :data:`DETECTION_IMAGES` detection pictures, one per panel, :data:`GRID_COLUMNS` panels a row,
    each titled with its image id."""
    paths = sorted(folder.glob("*.png"))[:DETECTION_IMAGES]
    if not paths:
        raise UserError(f"{folder}: no detection images; run evaluate_detector first")
    tiles = [Image.open(path).convert("RGB") for path in paths]
    width, height = tiles[0].size
    columns = min(GRID_COLUMNS, len(tiles))
    rows = -(-len(tiles) // columns)
    grid = Image.new("RGB", (columns * (width + PANEL_GAP) - PANEL_GAP, rows * (height + PANEL_TITLE)), "white")
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=PANEL_TITLE - 8)
    for index, (path, tile) in enumerate(zip(paths, tiles, strict=True)):
        x, y = (index % columns) * (width + PANEL_GAP), (index // columns) * (height + PANEL_TITLE)
        draw.text((x + width / 2, y + PANEL_TITLE / 2), f"image {int(path.stem)}", fill="black", font=font,
                  anchor="mm")
        grid.paste(tile, (x, y + PANEL_TITLE))
        draw.rectangle((x, y + PANEL_TITLE, x + width - 1, y + PANEL_TITLE + height - 1), outline="grey")
    grid.save(target)


def loss_families(methods: dict[str, MethodParams], histories: dict[str, pd.DataFrame]
                  ) -> dict[str, dict[str, pd.DataFrame]]:
    """The keypoint histories by the network that trained them, under a panel title naming the network and its
    losses (the losses of one network are comparable, those of two networks are not)."""
    families: dict[str, dict[str, pd.DataFrame]] = {}
    for model in dict.fromkeys(method.model for method in methods.values()):
        names = [name for name, method in methods.items() if method.model == model]
        losses = ", ".join(dict.fromkeys(methods[name].loss for name in names))
        families[f"{model} network ({losses})"] = {name: histories[name] for name in names}
    return families


def _draw_figures(folder: Path, detector_history: pd.DataFrame, keypoint_families: dict[str, dict[str, pd.DataFrame]]
                  ) -> dict[str, str]:
    """Every figure of the report into ``folder``; returns key -> path relative to the report."""
    drawn = {
        "detector_loss": figures.loss_curves({"detector": detector_history}, ["total", "obj", "cls", "box"],
                                             "Detector loss"),
        "keypoint_loss": figures.family_loss_curves(
            keypoint_families, "Keypoint loss and val PCK, one column per network",
            EPOCH_SCORES),
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
    for recipe, key in ((COURSE, "detections"), (IMPROVED, "detections_improved")):
        _detection_grid(RecipeFiles.of(recipe).images, folder / f"{key}.png")
        paths[key] = f"figures/{key}.png"
    for image in sorted(Path("plots/keypoints/images").glob("*.png")):
        key = "keypoint_predictions" if image.stem == "predictions" else image.stem
        shutil.copyfile(image, folder / image.name)
        paths[key] = f"figures/{image.name}"
    if "keypoint_predictions" not in paths:
        raise UserError("plots/keypoints/images/predictions.png: file not found; run evaluate_keypoints first")
    return paths


def main() -> None:
    print(cpu_line(1), flush=True)
    params = read_params()
    methods = list(params.keypoints.method_table)
    variants = list(params.ablations.variants(params.keypoints.heatmap))
    speed = read_speeds(methods, variants)
    course, improved = (read_recipe_results(recipe, speed) for recipe in (COURSE, IMPROVED))
    keypoints = KEYPOINT_METRICS.read(methods, variants)
    test = read_test_results(methods, variants)
    keypoint_histories = {name: _csv(Path(f"plots/keypoints/{name}_history.csv")) for name in methods}
    with atomic_path(REPORTS) as folder:
        (folder / "figures").mkdir(parents=True)
        families = loss_families(params.keypoints.method_table, keypoint_histories)
        figure_paths = _draw_figures(folder / "figures", course.history, families)
        inputs = ReportInputs(course, improved, keypoints, speed, keypoint_histories, params,
                              _environment(course.training.runtime), figure_paths, test, read_seed_noise())
        (folder / "report.md").write_text(build_report(inputs))
        (folder / "summary.md").write_text(summary_table(inputs))
        (folder / "environment.json").write_text(json.dumps(inputs.environment, indent=2) + "\n")
    write_json(HEADLINE, headline_metrics(inputs))


if __name__ == "__main__":
    run_stage(main)
