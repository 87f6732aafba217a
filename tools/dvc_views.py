"""The views ``dvc.yaml`` declares over the pipeline's outputs (top-level ``metrics:`` and ``plots:``), from the
stages and the keypoint method table, so that a new method or training stage needs no hand edit.

- ``metrics:``: every training stage's live log, ``live/<speed record stem>/metrics.json`` (a stage trains
  when one of its outputs is under ``models/``), so that ``dvc exp show`` shows a running experiment's epoch;
- ``plots:``: the detector's loss parts; per keypoint network, its methods' train and val loss; the course
  and symmetric PCK curves of every method (the course ones with the ceilings); each method's val PCK after
  every epoch (the scores of :data:`locate.keypoints.epoch_scores.EPOCH_SCORES`); the drawn images; and
  every training's live plots.

:mod:`tools.stage_code` writes them with the code deps (``make deps``); its test holds ``dvc.yaml`` equal
to what it writes.
"""

from pathlib import Path

from locate.keypoints.config import KeypointsParams
from locate.keypoints.epoch_scores import EPOCH_SCORES
from locate.keypoints.evaluation import pck_columns
from locate.live_log import LIVE_ROOT
from locate.params import read_section
from locate.records.keypoints import CEILINGS
from tools.pipeline_graph import PlannedStage, read_plan

DETECTOR_HISTORY = "plots/detector/history.csv"
PCK_CSV = "plots/keypoints/pck.csv"
DRAWN_IMAGES = ("plots/detector/images", "plots/keypoints/images")
THRESHOLD_LABEL = "threshold (share of the keypoints' bbox diagonal)"
PLOTS_COMMENT = """The charts of `dvc plots show` / `dvc plots diff`: one per comparable quantity, drawn by the
templates in .dvc/plots/ into the page .dvc/config names (vega inlined: no network needed). The
detector's three charts are its stages' `plots:` entries above, each with its template. Written by
`make deps` (tools/dvc_views.py) from the stages and the keypoint methods, as the metrics above."""


def live_folders(stages: list[PlannedStage]) -> list[str]:
    """``live/<stem>`` of every training stage (an output under ``models/``; ``<stem>``: its speed record's)."""
    folders = []
    for stage in stages:
        if any(output.startswith("models/") for output in stage.outputs):
            speed = next(output for output in stage.outputs if output.startswith("metrics/speed/"))
            folders.append(f"{LIVE_ROOT.as_posix()}/{Path(speed).stem}")
    return folders


def history_files(stages: list[PlannedStage], methods: list[str]) -> dict[str, str]:
    """Method -> the history CSV of the stage that trains it (``<group>@<method>``)."""
    files = {}
    for method in methods:
        stage = next(stage for stage in stages if stage.name.endswith(f"@{method}"))
        files[method] = next(output for output in stage.outputs if output.endswith("_history.csv"))
    return files


def _chart(title: str, x: str, y: dict, y_label: str, x_label: str | None = None) -> dict:
    labels = {"x_label": x_label} if x_label else {}
    return {"title": title, "template": "lines", "x": x, "y": y, **labels, "y_label": y_label}


def keypoint_charts(root: Path, stages: list[PlannedStage]) -> list[dict]:
    """The keypoint charts: losses per network, PCK curves, PCK after every epoch."""
    table = read_section("keypoints", KeypointsParams, root / "params.yaml").method_table
    histories = history_files(stages, list(table))
    charts = []
    for model in dict.fromkeys(method.model for method in table.values()):
        names = [name for name, method in table.items() if method.model == model]
        losses = ", ".join(dict.fromkeys(table[name].loss for name in names))
        charts.append({f"{model}_loss": _chart(f"{model.capitalize()} network, loss ({losses}), train vs val", "epoch",
                                               {histories[name]: ["train_total", "val_total"] for name in names},
                                               "loss")})
    columns = pck_columns(list(table))
    charts.append({"course_pck": _chart("Course PCK against threshold, with the hand-ambiguity ceilings", "threshold",
                                        {PCK_CSV: [*columns["course"], *CEILINGS]}, "course PCK", THRESHOLD_LABEL)})
    charts.append({"symmetric_pck": _chart("Symmetric PCK (hands scored as a pair) against threshold", "threshold",
                                           {PCK_CSV: columns["symmetric"]}, "symmetric PCK", THRESHOLD_LABEL)})
    for column, label in EPOCH_SCORES.items():
        charts.append({f"epoch_{column.removeprefix('val_')}": _chart(
            f"{label[0].upper()}{label[1:]} on the val set after each epoch", "epoch",
            {histories[name]: column for name in table}, label)})
    return charts


def views(root: Path) -> tuple[list[str], list]:
    """The top-level ``metrics:`` and ``plots:`` lists."""
    stages = read_plan(root)
    folders = live_folders(stages)
    parts = ["train_obj", "val_obj", "train_cls", "val_cls", "train_box", "val_box"]
    detector = {"detector_loss_parts": _chart("Detector loss by part (objectness, class, box), train vs val", "epoch",
                                              {DETECTOR_HISTORY: parts}, "loss")}
    live = [{f"{folder}/plots/metrics": {"x": "step"}} for folder in folders]
    return ([f"{folder}/metrics.json" for folder in folders],
            [detector, *keypoint_charts(root, stages), *DRAWN_IMAGES, *live])
