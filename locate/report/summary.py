"""The headline results, from the same inputs as the report: the table the README carries, and the few numbers
``metrics/headline.json`` holds so that ``dvc exp show`` compares experiments in a terminal's width."""

from locate.detection.recipes import COURSE, IMPROVED
from locate.keypoints.pck import threshold_key
from locate.records.detector import DetectorMetrics
from locate.records.keypoints import CEILINGS, Ceiling, MethodScores
from locate.report.inputs import RecipeResults, ReportInputs
from locate.report.markdown import LOOSEST, TIGHTEST, num, table, threshold_label
from locate.report.recipe_words import method_labels

SUMMARY_THRESHOLDS = (TIGHTEST, LOOSEST)  # the PCK thresholds the summary shows (the report has every one)


def detector_row(recipe: str, results: RecipeResults, test: DetectorMetrics) -> list[str]:
    """``recipe``'s mAP and visible mAP on val and on ``test``, its val AP per class and val's recall ceiling."""
    metrics = results.metrics
    return [recipe, num(metrics.map50), num(test.map50), num(metrics.map50_visible), num(test.map50_visible),
            *(num(ap) for ap in metrics.ap50.values()), num(results.details.recall_ceiling)]


def pck_cells(scores: MethodScores) -> list[str]:
    """Course, then symmetric PCK at each of :data:`SUMMARY_THRESHOLDS`."""
    return [num(pck[threshold_key(t)]) for pck in (scores.pck, scores.pck_symmetric) for t in SUMMARY_THRESHOLDS]


def ceiling_cells(ceiling: Ceiling) -> list[str]:
    """A ceiling's course PCK at each of :data:`SUMMARY_THRESHOLDS`, blank under the symmetric columns."""
    return [num(ceiling.pck[threshold_key(t)]) for t in SUMMARY_THRESHOLDS] + [""] * len(SUMMARY_THRESHOLDS)


def summary_table(inputs: ReportInputs) -> str:
    """Markdown: each detector recipe's mAP on val and test and its val AP per class; each keypoint method's course
    and symmetric PCK on val and test, with the ceilings; which split selects checkpoints, and the machine of the
    run (stage times are the report's)."""
    kp, test = inputs.keypoints, inputs.test
    visible = f"{inputs.params.detector_eval.visible_threshold:g}"
    classes = inputs.detector.metrics.ap50
    detection = table(
        ["detector", "val mAP@0.5", "test mAP@0.5", f"val mAP@0.5 (visible >= {visible})", "test (visible)",
         *(f"val AP@0.5 {name}" for name in classes), "val recall ceiling"],
        [detector_row(recipe, results, test.detectors[recipe])
         for recipe, results in ((COURSE, inputs.detector), (IMPROVED, inputs.improved))],
    )
    labels = method_labels(inputs)
    rows = [[labels[name], *pck_cells(scores), *pck_cells(test.keypoints.methods[name])]
            for name, scores in kp.methods.items()]
    rows += [[f"ceiling: {name.replace('_', ' ')}", *ceiling_cells(kp.ceilings[name]),
              *ceiling_cells(test.keypoints.ceilings[name])] for name in CEILINGS]
    columns = [f"{kind}{threshold_label(t)}" for kind in ("", "symmetric ") for t in SUMMARY_THRESHOLDS]
    keypoints = table(["keypoints", *(f"{split} {column}" for split in ("val", "test") for column in columns)], rows)
    runtime = inputs.detector.training.runtime
    run = f"{runtime.device_name}, {runtime.threads} threads, {runtime.precision}"
    splits = (f"Val ({inputs.params.data.num_val} images) selects every checkpoint; test ({test.params.num_images} "
              f"images, seed {test.params.seed}) is held out.")
    return f"{detection}\n\n{keypoints}\n\n{splits} Run: `dvc repro` of params.yaml on {run}.\n"


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
