"""The results table the README carries, from the same inputs as the report."""

from locate.keypoints.pck import THRESHOLDS
from locate.report.facts import pck_row, stage_times
from locate.report.inputs import RecipeResults, ReportInputs
from locate.report.markdown import num, table, threshold_label


def detector_row(recipe: str, results: RecipeResults) -> list[str]:
    """``recipe``'s mAP, visible mAP, AP per class and the data's recall ceiling."""
    metrics = results.metrics
    return [recipe, num(metrics.map50), num(metrics.map50_visible), *(num(ap) for ap in metrics.ap50.values()),
            num(results.details.recall_ceiling)]


def summary_table(inputs: ReportInputs) -> str:
    """Markdown: each detector recipe's mAP and per-class AP, keypoint PCK with the ceilings, stage times."""
    kp = inputs.keypoints
    visible = f"{inputs.params.detector_eval.visible_threshold:g}"
    classes = inputs.detector.metrics.ap50
    detection = table(
        ["detector", "mAP@0.5", f"mAP@0.5 (visible >= {visible})", *(f"AP@0.5 {name}" for name in classes),
         "recall ceiling"],
        [detector_row("course", inputs.detector), detector_row("improved", inputs.improved)],
    )
    rows = []
    for name, scores in kp.methods.items():
        rows += [pck_row(name, scores.pck), pck_row(f"{name} (symmetric)", scores.pck_symmetric)]
    rows += [pck_row("ceiling: random assignment", kp.ceilings["random_assignment"].pck),
             pck_row("ceiling: best possible", kp.ceilings["best_possible"].pck)]
    keypoints = table(["keypoints", *map(threshold_label, THRESHOLDS)], rows)
    stages = table(["stage", "training or evaluation time"], stage_times(inputs.speed.stages))
    runtime = inputs.detector.training.runtime
    run = f"{runtime.device_name}, {runtime.threads} threads, {runtime.precision}"
    return f"{detection}\n\n{keypoints}\n\n{stages}\n\nRun: `dvc repro` of params.yaml on {run}.\n"
