"""The results table the README carries, from the same inputs as the report."""

from locate.keypoints.pck import THRESHOLDS
from locate.report.facts import pck_row, stage_times
from locate.report.inputs import ReportInputs
from locate.report.markdown import num, table, threshold_label


def summary_table(inputs: ReportInputs) -> str:
    """Markdown: detector mAP and per-class AP, keypoint PCK with the ceilings, stage times."""
    det, kp = inputs.detector, inputs.keypoints
    visible = f"{inputs.params.detector_eval.visible_threshold:g}"
    detection = table(
        ["mAP@0.5", f"mAP@0.5 (visible >= {visible})", *(f"AP@0.5 {name}" for name in det.ap50), "recall ceiling"],
        [[num(det.map50), num(det.map50_visible), *(num(ap) for ap in det.ap50.values()), num(det.recall_ceiling)]],
    )
    rows = []
    for name, scores in kp.methods.items():
        rows += [pck_row(name, scores.pck), pck_row(f"{name} (symmetric)", scores.pck_symmetric)]
    rows += [pck_row("ceiling: random assignment", kp.ceiling.random_assignment),
             pck_row("ceiling: best possible", kp.ceiling.best_possible)]
    keypoints = table(["keypoints", *map(threshold_label, THRESHOLDS)], rows)
    stages = table(["stage", "training or evaluation time"], stage_times(inputs.speed.stages))
    runtime = inputs.speed.detector_training.runtime
    run = f"{runtime.device_name}, {runtime.threads} threads, {runtime.precision}"
    return f"{detection}\n\n{keypoints}\n\n{stages}\n\nRun: `dvc repro` of params.yaml on {run}.\n"
