"""The report's paragraph on the held-out test split: every headline number on val (which selects the checkpoints)
beside the same number on test (which nothing sees), and the largest difference between the two.

Numbers are named ``(row, column)`` in :func:`split_gaps`, as the tables show them.
"""

from locate.detection.recipes import COURSE, IMPROVED
from locate.keypoints.pck import threshold_key
from locate.records.detector import DetectorMetrics
from locate.records.keypoints import MethodScores
from locate.report import verdicts
from locate.report.inputs import ReportInputs
from locate.report.markdown import LOOSEST, TIGHTEST, num, table, threshold_label
from locate.report.noise import noise_words
from locate.report.recipe_words import method_labels, rule_words
from locate.report.template import fill

DETECTOR_NUMBERS = {"mAP@0.5": "map50", "mAP@0.5 (visible)": "map50_visible", "mAP@0.5:0.95": "map50_95"}
KEYPOINT_NUMBERS = {threshold_label(TIGHTEST): ("pck", TIGHTEST), threshold_label(LOOSEST): ("pck", LOOSEST),
                    f"symmetric {threshold_label(TIGHTEST)}": ("pck_symmetric", TIGHTEST)}


def detector_numbers(metrics: DetectorMetrics) -> dict[str, float | None]:
    """Column name -> value of :data:`DETECTOR_NUMBERS` for one recipe on one split."""
    return {column: getattr(metrics, field) for column, field in DETECTOR_NUMBERS.items()}


def keypoint_numbers(scores: MethodScores) -> dict[str, float]:
    """Column name -> value of :data:`KEYPOINT_NUMBERS` for one method on one split."""
    return {column: getattr(scores, field)[threshold_key(t)] for column, (field, t) in KEYPOINT_NUMBERS.items()}


def split_rows(inputs: ReportInputs) -> tuple[dict[str, tuple[dict, dict]], dict[str, tuple[dict, dict]]]:
    """(detector recipe -> (val numbers, test numbers), method label -> (val numbers, test numbers))."""
    recipes = {COURSE: inputs.detector.metrics, IMPROVED: inputs.improved.metrics}
    detectors = {recipe: (detector_numbers(val), detector_numbers(inputs.test.detectors[recipe]))
                 for recipe, val in recipes.items()}
    labels = method_labels(inputs)
    keypoints = {labels[name]: (keypoint_numbers(scores), keypoint_numbers(inputs.test.keypoints.methods[name]))
                 for name, scores in inputs.keypoints.methods.items()}
    return detectors, keypoints


def split_gaps(rows: dict[str, tuple[dict, dict]]) -> dict[tuple[str, str], float]:
    """``(row, column)`` -> test minus val, for every number known on both splits."""
    return {(row, column): test[column] - val[column] for row, (val, test) in rows.items()
            for column in val if val[column] is not None and test[column] is not None}


def split_table(first_column: str, rows: dict[str, tuple[dict, dict]]) -> str:
    """Markdown: one row per recipe or method, each number on val then on test."""
    columns = list(next(iter(rows.values()))[0])
    header = [first_column, *(f"{split} {column}" for column in columns for split in ("val", "test"))]
    return table(header, [[row, *(num(numbers[column]) for column in columns for numbers in pair)]
                          for row, pair in rows.items()])


def noise_names(inputs: ReportInputs) -> dict[tuple[str, str], str]:
    """``(row, column)`` of :func:`split_gaps` -> the val number's name in the seed noise record (the test
    number's is the same under ``test/``)."""
    names = {(recipe, column): f"detector/{recipe}.json:{field}"
             for recipe in (COURSE, IMPROVED) for column, field in DETECTOR_NUMBERS.items()}
    labels = method_labels(inputs)
    return names | {(labels[method], column): f"keypoints/{method}.json:{field}.{threshold_key(t)}"
                    for method in inputs.keypoints.methods for column, (field, t) in KEYPOINT_NUMBERS.items()}


def split_verdict(inputs: ReportInputs, gap_name: tuple[str, str], gap: float) -> str:
    """Whether the val-test difference ``gap`` of number ``gap_name`` exceeds the seed noise of the two numbers."""
    name = noise_names(inputs)[gap_name]
    return verdicts.against_noise(gap, (inputs.noise.std(name), inputs.noise.std(f"test/{name}")))


def widest_gap_sentence(inputs: ReportInputs, gaps: dict[tuple[str, str], float]) -> str:
    """The number whose test value differs the most from its val value (``gaps``: ``(row, column)`` -> test minus
    val), how much and which way, and whether that exceeds the seed noise."""
    row, column = widest = max(gaps, key=lambda name: abs(gaps[name]))
    direction = verdicts.change(0.0, gaps[widest])
    if direction == "keeps":
        return fill("split_gap_none")
    return fill("split_gap", {
        "column": column, "row": f"the {row} recipe" if row in (COURSE, IMPROVED) else row,
        "gap": num(abs(gaps[widest])),
        "direction": "higher" if direction == "raises" else "lower",
        "noise": noise_words(split_verdict(inputs, widest, gaps[widest])),
    })


def held_out_facts(inputs: ReportInputs) -> dict[str, object]:
    """The test split's size and seed, the checkpoint rules val applies, both tables and the largest gap."""
    detectors, keypoints = split_rows(inputs)
    gaps = split_gaps(detectors) | split_gaps(keypoints)
    return {
        "test_images": inputs.test.params.num_images,
        "test_seed": inputs.test.params.seed,
        "val_images": inputs.params.data.num_val,
        "course_rule": rule_words(inputs.detector.details.checkpoint.rule),
        "improved_rule": rule_words(inputs.improved.details.checkpoint.rule),
        "detector_split_table": split_table("detector", detectors),
        "keypoint_split_table": split_table("method", keypoints),
        "widest_split_gap": widest_gap_sentence(inputs, gaps),
    }
