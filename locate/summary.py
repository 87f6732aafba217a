"""The headline results, from the same inputs as the report: the table the README carries, and the few numbers
``metrics/headline.json`` holds so that ``dvc exp show`` compares experiments in a terminal's width."""

from locate.keypoints.pck import THRESHOLDS, threshold_key
from locate.report.facts import method_labels, pck_row
from locate.report.inputs import RecipeResults, ReportInputs
from locate.report.markdown import num, table, threshold_label


def detector_row(recipe: str, results: RecipeResults) -> list[str]:
    """``recipe``'s mAP, visible mAP, AP per class and the data's recall ceiling."""
    metrics = results.metrics
    return [recipe, num(metrics.map50), num(metrics.map50_visible), *(num(ap) for ap in metrics.ap50.values()),
            num(results.details.recall_ceiling)]


def summary_table(inputs: ReportInputs) -> str:
    """Markdown: each detector recipe's mAP and per-class AP, each keypoint method's course and symmetric PCK with
    the ceilings, and the machine of the run (stage times are the report's)."""
    kp = inputs.keypoints
    visible = f"{inputs.params.detector_eval.visible_threshold:g}"
    classes = inputs.detector.metrics.ap50
    detection = table(
        ["detector", "mAP@0.5", f"mAP@0.5 (visible >= {visible})", *(f"AP@0.5 {name}" for name in classes),
         "recall ceiling"],
        [detector_row("course", inputs.detector), detector_row("improved", inputs.improved)],
    )
    labels = method_labels(inputs)
    rows = [pck_row(labels[name], scores.pck) + pck_row(name, scores.pck_symmetric)[1:]
            for name, scores in kp.methods.items()]
    rows += [pck_row(f"ceiling: {name.replace('_', ' ')}", kp.ceilings[name].pck) + [""] * len(THRESHOLDS)
             for name in ("random_assignment", "best_possible")]
    labels = list(map(threshold_label, THRESHOLDS))
    keypoints = table(["keypoints", *labels, *(f"symmetric {label}" for label in labels)], rows)
    runtime = inputs.detector.training.runtime
    run = f"{runtime.device_name}, {runtime.threads} threads, {runtime.precision}"
    return f"{detection}\n\n{keypoints}\n\nRun: `dvc repro` of params.yaml on {run}.\n"


# metrics/headline.json's groups, named short because `dvc exp show` heads each column with group.method:
# name -> (what it holds, the threshold of a keypoint group)
HEADLINE_GROUPS = {
    "map50": ("each detector recipe's mAP@0.5 on the val set", None),
    "p20": ("each keypoint method's course PCK@0.2 (hands as labelled)", 0.2),
    "s05": ("each keypoint method's symmetric PCK@0.05 (hands as a pair)", 0.05),
}


def headline_metrics(inputs: ReportInputs) -> dict[str, dict[str, float]]:
    """``{"map50": {"course", "improved"}, "p20": {method: ...}, "s05": {method: ...}}`` (:data:`HEADLINE_GROUPS`):
    the numbers an experiment is judged by, three decimals as the summary prints them."""
    methods = inputs.keypoints.methods
    course, symmetric = (threshold_key(HEADLINE_GROUPS[group][1]) for group in ("p20", "s05"))
    return {
        "map50": {recipe: round(results.metrics.map50, 3)
                  for recipe, results in (("course", inputs.detector), ("improved", inputs.improved))},
        "p20": {name: round(scores.pck[course], 3) for name, scores in methods.items()},
        "s05": {name: round(scores.pck_symmetric[symmetric], 3) for name, scores in methods.items()},
    }
