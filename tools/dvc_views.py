"""The views ``dvc.yaml`` declares over the pipeline's outputs (top-level ``metrics:`` and ``plots:``), from the
stages and the keypoint method table, so that a new method or training stage needs no hand edit.

- ``metrics:``: every training stage's live log, ``live/<speed record stem>/metrics.json`` (a stage trains
  when one of its outputs is under ``models/``), so that ``dvc exp show`` shows a running experiment's epoch;
- ``plots:``: one chart per question, beside the stages' own ``plots:`` (each training's loss, train vs val;
  each detector's precision-recall curves and true positives per level):

  - how do the two detector recipes compare on the val set as they train (val mAP@0.5 per epoch)?
  - which keypoint method learns the task best, and when does each stop improving (val PCK per epoch)?
  - does each ablation help or hurt against its baseline, the heatmap course method (val PCK per epoch)?
  - how close to the hand-ambiguity ceilings does each method come (course PCK against threshold)?
  - what do the keypoint predictions and failures look like (the drawn grids)?

  The per-epoch charts draw each training twice over: its history CSV (a stage output, in git: every
  revision has it) and its live log (git-ignored: only a workspace that trained has it, from its first epoch
  on). So a chart shows a training while it runs, before its history exists, and is never empty where a
  revision holds results; once a training ends, its two lines coincide.

:mod:`tools.stage_code` writes them with the code deps (``make deps``); its test holds ``dvc.yaml`` equal
to what it writes.
"""

from pathlib import Path

from locate.keypoints.config import KeypointsParams
from locate.keypoints.epoch_scores import EPOCH_SCORE, EPOCH_SCORES
from locate.keypoints.evaluation import pck_columns
from locate.keypoints.method import ablation_baseline
from locate.live_log import LIVE_ROOT, metric_name
from locate.params import read_section
from locate.records.keypoints import CEILINGS
from tools.pipeline_graph import PlannedStage, read_plan

PCK_CSV = "plots/keypoints/pck.csv"
DRAWN_IMAGES = ("plots/keypoints/images",)  # the detector's drawn images are one chart per image: see the report
DETECTOR_SCORE = "val_map50"  # the detector history's val mAP@0.5 column
ABLATION_PREFIX = "ablate_"  # the stage groups of the keypoint ablations
THRESHOLD_LABEL = "threshold (share of the keypoints' bbox diagonal)"
PLOTS_COMMENT = """The charts of `dvc plots show` / `dvc plots diff`: one per question, drawn by the templates in
.dvc/plots/ into the page .dvc/config names (vega inlined: no network needed). Each training's loss and each
detector's precision-recall and levels are its stages' `plots:` entries above. The per-epoch charts read each
training's history CSV (every revision) and its live log (git-ignored, while it trains). Written by
`make deps` (tools/dvc_views.py) from the stages and the keypoint methods, as the metrics above."""


def _is_training(stage: PlannedStage) -> bool:
    return any(output.startswith("models/") for output in stage.outputs)


def live_folder(stage: PlannedStage) -> str:
    """``live/<stem>`` of a training stage (``<stem>``: its speed record's)."""
    speed = next(output for output in stage.outputs if output.startswith("metrics/speed/"))
    return f"{LIVE_ROOT.as_posix()}/{Path(speed).stem}"


def live_folders(stages: list[PlannedStage]) -> list[str]:
    """``live/<stem>`` of every training stage (an output under ``models/``)."""
    return [live_folder(stage) for stage in stages if _is_training(stage)]


def history_file(stage: PlannedStage) -> str:
    """The history CSV a training stage writes (``plots/.../history.csv`` or ``..._history.csv``)."""
    return next(output for output in stage.outputs if output.endswith("history.csv"))


def epoch_series(trainings: list[PlannedStage], column: str) -> tuple[dict, dict]:
    """``(x, y)`` of a chart of history ``column`` per epoch of each of ``trainings``: per training its history
    CSV (x ``epoch``) and its DVCLive series ``live/<stem>/plots/metrics/<metric>.tsv`` (x ``step``, the epoch;
    the column is the metric name's last part), in the same order in both (DVC pairs them by position)."""
    name = metric_name(column)
    x, y = {}, {}
    for stage in trainings:
        x[history_file(stage)], y[history_file(stage)] = "epoch", column
    for stage in trainings:
        live = f"{live_folder(stage)}/plots/metrics/{name}.tsv"
        x[live], y[live] = "step", name.rpartition("/")[2]
    return x, y


def _chart(title: str, x, y: dict, y_label: str, x_label: str) -> dict:
    return {"title": title, "template": "lines", "x": x, "y": y, "x_label": x_label, "y_label": y_label}


def _epoch_chart(title: str, trainings: list[PlannedStage], column: str, label: str) -> dict:
    x, y = epoch_series(trainings, column)
    return _chart(title, x, y, label, "epoch")


def method_trainings(stages: list[PlannedStage], methods: list[str]) -> list[PlannedStage]:
    """The training stage of each keypoint method (``<group>@<method>``, not an ablation), in ``methods``' order."""
    return [next(stage for stage in stages if stage.name.endswith(f"@{method}")
                 and not stage.name.startswith(ABLATION_PREFIX)) for method in methods]


def charts(root: Path, stages: list[PlannedStage]) -> list[dict]:
    """The top-level charts: val score per epoch of the detectors, the keypoint methods and the ablations; the
    course PCK curves with the ceilings."""
    table = read_section("keypoints", KeypointsParams, root / "params.yaml").method_table
    trainings = [stage for stage in stages if _is_training(stage)]
    detectors = [stage for stage in trainings if history_file(stage).startswith("plots/detector")]
    methods = method_trainings(trainings, list(table))
    ablations = [stage for stage in trainings if stage.name.startswith(ABLATION_PREFIX)]
    score = EPOCH_SCORES[EPOCH_SCORE]
    baseline = ablation_baseline(table)
    return [
        {"detector_val_map": _epoch_chart("Detector recipes: val mAP@0.5 after each epoch", detectors,
                                          DETECTOR_SCORE, "val mAP@0.5")},
        {"keypoint_val_pck": _epoch_chart(f"Keypoint methods: val {score} after each epoch", methods,
                                          EPOCH_SCORE, f"val {score}")},
        {"ablation_val_pck": _epoch_chart(
            f"Ablations against their baseline, method {baseline}: val {score} after each epoch",
            method_trainings(trainings, [baseline]) + ablations, EPOCH_SCORE, f"val {score}")},
        {"course_pck": _chart("Course PCK against threshold, with the hand-ambiguity ceilings", "threshold",
                              {PCK_CSV: [*pck_columns(list(table))["course"], *CEILINGS]}, "course PCK",
                              THRESHOLD_LABEL)},
    ]


def views(root: Path) -> tuple[list[str], list]:
    """The top-level ``metrics:`` and ``plots:`` lists."""
    stages = read_plan(root)
    return ([f"{folder}/metrics.json" for folder in live_folders(stages)],
            [*charts(root, stages), *DRAWN_IMAGES])
