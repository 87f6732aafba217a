"""The report's facts: every placeholder of ``template.md``, computed from the report's inputs.

One function per section returns that section's facts as text (numbers formatted, tables
rendered); :func:`build_report` fills the template with all of them. The judgements come from
:mod:`locate.report.verdicts`, the keypoint architecture from the models' constants, the
method names from the keypoint method table, the detector's levels from the level geometry
that ``evaluate_detector`` recorded.
"""

from collections.abc import Callable
from dataclasses import fields

import pandas as pd
import yaml

from locate.data.entries import FIGURE_SIZE, KEYPOINT_NAMES
from locate.detection.checkpoint_rules import CHECKPOINT_RULES, kept_epochs
from locate.detection.recipes import RECIPES
from locate.keypoints.evaluation import FAILURE_THRESHOLD
from locate.keypoints.method import (
    HEATMAP,
    INTEGRAL,
    REGRESSION,
    SYMMETRIC_LOSSES,
    MethodParams,
    ablation_baseline,
    course_method,
    plain_method,
    symmetric_method,
)
from locate.keypoints.models import COURSE_DROPOUT, ENCODER_CHANNELS, ENCODER_STRIDE, INPUT_CHANNELS, REGRESSION_HIDDEN
from locate.keypoints.pck import PER_KEYPOINT_THRESHOLD, THRESHOLDS, threshold_key
from locate.keypoints_eval.shift_response import SHIFT_PIXELS
from locate.records.detector import CheckpointChoice, LevelRecord
from locate.records.keypoints import KeypointMetrics, MethodScores
from locate.records.speed import SpeedRecord, TrainingSpeed
from locate.report import verdicts
from locate.report.conclusion import detector_conclusion, keypoint_conclusion
from locate.report.convergence import (
    convergence_sentence,
    convergence_table,
    epoch_pck_table,
    keypoint_convergence,
)
from locate.report.held_out import held_out_facts
from locate.report.inputs import RecipeResults, ReportInputs
from locate.report.markdown import (
    LOOSEST,
    TIGHTEST,
    counted,
    minutes,
    num,
    number_word,
    pct,
    plural,
    sentence_start,
    spoken,
    table,
    threshold_label,
    word_list,
)
from locate.report.noise import noise_facts
from locate.report.recipe_words import (
    anchor_centre_words,
    box_loss_name,
    change_words,
    ignored_band_words,
    method_labels,
    rule_words,
)
from locate.report.template import fill

Facts = dict[str, object]
TIGHT, LOOSE = threshold_key(TIGHTEST), threshold_key(LOOSEST)


def pck_row(label: str, scores: dict[str, float]) -> list[str]:
    """``label`` and the scores at every PCK threshold."""
    return [label, *(num(scores[threshold_key(t)]) for t in THRESHOLDS)]


def by_category(levels: dict[str, LevelRecord], counts: Callable[[LevelRecord], dict[str, int]]
                ) -> dict[str, dict[str, int]]:
    """Category -> level -> count, from the per-level ``counts`` (e.g. its true positives)."""
    first = next(iter(levels.values()))
    return {category: {name: counts(level)[category] for name, level in levels.items()} for category in counts(first)}


def visible_share(threshold: float) -> str:
    """How visible an object must be to count in ``map50_visible``, in words: ``half`` or a percentage."""
    return "half" if threshold == 0.5 else pct(threshold)


def failure_caption(group: str) -> str:
    """``heatmap_right_regression_wrong`` -> ``Heatmap right, regression wrong``."""
    return sentence_start(group.replace("_right_", " right, ").replace("_", " "))


def relative_to(value: float, reference: float) -> str:
    """How ``value`` stands to ``reference`` at three decimals: ``0.012 below``, ``0.030 above`` or ``level with``."""
    where = verdicts.position(round(value, 3), round(reference, 3))
    return where if where == "level with" else f"{num(abs(value - reference))} {where}"


def failure_figure(group: str, count: int, figures: dict[str, str]) -> str:
    """The picture of failure ``group`` (``count`` images), or a line saying why there is none."""
    caption = failure_caption(group)
    if f"failures_{group}" in figures:
        return fill("figure", {"caption": caption, "path": figures[f"failures_{group}"]})
    return fill("failure_not_drawn" if count else "failure_empty", {"caption": caption, "count": count})


def training_time(speed: TrainingSpeed) -> str:
    """How long a training stage's epochs took, saying which epochs were timed."""
    facts = {"epochs": speed.epochs, "duration": minutes(speed.train_seconds), "rate": speed.train_images_per_second}
    if speed.timed == speed.epochs:
        return fill("training_time", facts)
    resumed = speed.epochs - speed.timed
    return fill("training_time_resumed", facts | {"first_timed": resumed + 1, "resumed": resumed})


def stage_time(speed: SpeedRecord) -> str:
    """A stage's time as text, marking a training that resumed without its earlier time."""
    duration = minutes(speed.seconds)
    if isinstance(speed, TrainingSpeed) and speed.timed != speed.epochs:
        return fill("stage_time_resumed", {"duration": duration, "timed": speed.timed, "epochs": speed.epochs})
    return duration


def stage_times(stages: dict[str, SpeedRecord]) -> list[list[str]]:
    """Rows ``[stage, its time as text]`` in stage order."""
    return [[stage, stage_time(speed)] for stage, speed in sorted(stages.items())]


def checkpoint_kept(checkpoint: CheckpointChoice) -> str:
    """Which epoch was kept, of how many, by which rule."""
    return fill("checkpoint_kept", {"epoch": checkpoint.epoch, "epochs": checkpoint.epochs,
                                    "rule": rule_words(checkpoint.rule)})


def change_phrase(metric: str, before: float | None, after: float | None) -> str:
    """What going from ``before`` to ``after`` does to ``metric``: ``raises mAP@0.5 by 0.120 (from 0.802 to 0.922)``."""
    found = verdicts.change(before, after)
    gap = num(abs(after - before)) if found in ("raises", "lowers") else ""
    return fill(f"metric_{found}", {"metric": metric, "gap": gap, "before": num(before), "after": num(after)})


def level_sentence(category: str, before: dict[str, int], after: dict[str, int]) -> str:
    """Which level finds most true positives of ``category`` (level -> count) with the course recipe and the
    improved one."""
    first, second = verdicts.dominant_level(before), verdicts.dominant_level(after)
    return fill(f"level_{verdicts.level_change(before, after)}", {
        "objects": plural(category), "before_level": spoken(first.level), "before_share": pct(first.share),
        "before_total": first.total, "after_level": spoken(second.level), "after_share": pct(second.share),
        "after_total": second.total,
    })


def _count_table(levels: dict[str, LevelRecord], counts: Callable[[LevelRecord], dict[str, int]]) -> str:
    categories = list(by_category(levels, counts))
    rows = [[spoken(name), *(counts(level)[category] for category in categories)] for name, level in levels.items()]
    return table(["level", *map(plural, categories)], rows)


def headline_facts(inputs: ReportInputs) -> Facts:
    """The numbers several sections state: detector mAP, the data's recall ceiling, the PCK thresholds
    the prose names, the course methods' PCK at the loosest one."""
    det, kp = inputs.detector.metrics, inputs.keypoints
    methods = inputs.params.keypoints.method_table
    return {
        "map50_visible": num(det.map50_visible),
        "recall_ceiling": pct(inputs.detector.details.recall_ceiling),
        "visible_share": visible_share(inputs.params.detector_eval.visible_threshold),
        "tightest": f"{TIGHTEST:g}",
        "loosest": f"{LOOSEST:g}",
        "heatmap_loosest": num(kp.methods[course_method(methods, HEATMAP)].pck[LOOSE]),
        "regression_loosest": num(kp.methods[course_method(methods, REGRESSION)].pck[LOOSE]),
        "regression_label": method_labels(inputs)[course_method(methods, REGRESSION)],
    }


def introduction_facts(inputs: ReportInputs) -> Facts:
    """The detector's scale count and classes, the data's seed and sizes."""
    data = inputs.params.data
    return {
        "level_count": number_word(len(inputs.detector.details.levels)),
        "class_list": word_list([plural(name) for name in inputs.detector.metrics.ap50]),
        "data_seed": data.seed,
        "num_train": data.num_train,
        "num_val": data.num_val,
    }


def detector_method_facts(inputs: ReportInputs) -> Facts:
    """The levels, the matching and loss settings, the training recipe and where and how long it trained."""
    det, speed = inputs.params.detector, inputs.detector.training
    levels = inputs.detector.details.levels
    checkpoint = inputs.detector.details.checkpoint
    level_rows = [
        [spoken(name), level.stride, f"{level.feature_size}x{level.feature_size}",
         ", ".join(f"{size:g}" for size in level.anchor_sizes)]
        for name, level in levels.items()
    ]
    return {
        "backbone_blocks": number_word(1 + len(levels)),  # the stem, then one block per level
        "level_table": table(["level", "stride (px)", "feature map", "anchor sizes (px)"], level_rows),
        "positive_iou": det.positive_iou,
        "negative_iou": det.negative_iou,
        "ignored_band": ignored_band_words(det.positive_iou, det.negative_iou),
        "anchor_centres": anchor_centre_words(det.anchor_centre),
        "box_loss": box_loss_name(det.box_loss),
        "negatives_per_positive": det.negatives_per_positive,
        "objectness_weight": det.objectness_weight,
        "class_weight": det.class_weight,
        "box_weight": det.box_weight,
        "min_visibility": pct(det.min_visibility),
        "detector_batch_size": det.batch_size,
        "detector_epochs": det.epochs,
        "detector_lr": det.lr,
        "lr_schedule": det.lr_schedule,
        "detector_seed": det.seed,
        "checkpoint_kept": checkpoint_kept(checkpoint),
        "selected_on_val": " " + fill("selected_on_val") if verdicts.selects_on_val(checkpoint.rule) else "",
        "precision": speed.runtime.precision,
        "device_name": speed.runtime.device_name,
        "threads": speed.runtime.threads,
        "processes": counted(speed.runtime.processes, "process", "processes"),
        "detector_training_time": training_time(speed),
    }


def detector_results_facts(inputs: ReportInputs) -> Facts:
    """The AP tables, the per-level counts and the detector's figures."""
    det, levels = inputs.detector.metrics, inputs.detector.details.levels
    ap_row = ["all objects (course)", num(det.map50), *(num(value) for value in det.ap50.values())]
    return {
        "detector_loss_figure": inputs.figures["detector_loss"],
        "ap_table": table(["objects", "mAP@0.5", *(f"AP@0.5 {name}" for name in det.ap50)], [ap_row]),
        "map50_95": num(det.map50_95),
        "area_aps": word_list([f"{num(ap)} on {area}" for area, ap in det.ap50_area.items()]) + " objects",
        "pr_curves_figure": inputs.figures["pr_curves"],
        "detections_figure": inputs.figures["detections"],
        "draw_score_threshold": inputs.params.detector_eval.drawing.score_threshold,
        "nms_iou": inputs.params.detector_eval.postprocess.nms_iou,
        "scales_figure": inputs.figures["scales"],
        "coverage_table": _count_table(levels, lambda level: level.anchor_coverage),
    }


def detector_analysis_facts(inputs: ReportInputs) -> Facts:
    """Convergence, the best and worst class, which level finds and covers each class, the hidden objects."""
    det, levels = inputs.detector.metrics, inputs.detector.details.levels
    best, worst = verdicts.best_and_worst(det.ap50)
    true_positives = by_category(levels, lambda level: level.true_positives)
    shares = []
    for category, by_level in true_positives.items():
        share = verdicts.dominant_level(by_level)
        facts = {"objects": plural(category), "level": spoken(share.level), "count": by_level[share.level],
                 "total": share.total}
        shares.append(fill("level_share" if share.total else "no_true_positive", facts))
    covering = []
    for category, by_level in by_category(levels, lambda level: level.anchor_coverage).items():
        level = verdicts.dominant_level(by_level).level
        covering.append(fill("level_coverage", {"objects": plural(category), "level": spoken(level)}))
    return {
        "detector_convergence": convergence_sentence(inputs.detector.history, "detector"),
        "best_class": plural(best),
        "best_class_ap": num(det.ap50[best]),
        "worst_class": plural(worst),
        "worst_class_ap": num(det.ap50[worst]),
        "level_shares": sentence_start("; ".join(shares)),
        "specialisation_verdict": fill("sizes_split" if verdicts.specialises(true_positives) else "sizes_not_split"),
        "coverage_list": word_list(covering),
        "visible_change": change_phrase("mAP@0.5", det.map50, det.map50_visible),
    }


def recipe_column(recipe: RecipeResults, visible: str) -> dict[str, str]:
    """One recipe's column of the comparison table: row label -> value as text."""
    metrics, details = recipe.metrics, recipe.details
    latency = recipe.evaluation.latency_ms_per_image.get("detector")
    runtime = recipe.training.runtime
    return {
        "mAP@0.5": num(metrics.map50),
        f"mAP@0.5, objects at least {visible} visible": num(metrics.map50_visible),
        "mAP@0.5:0.95": num(metrics.map50_95),
        **{f"AP@0.5 {plural(name)}": num(ap) for name, ap in metrics.ap50.items()},
        **{f"AP@0.5 {area} objects": num(ap) for area, ap in metrics.ap50_area.items()},
        "duplicate pairs (two detections above 0.5 of one class on one object)": duplicates_cell(details.duplicates),
        "checkpoint kept": checkpoint_kept(details.checkpoint),
        "parameters": f"{metrics.parameters:,}",
        "training time": stage_time(recipe.training),
        "trained on": f"{runtime.device_name}, {runtime.precision}",
        "latency (ms per image, batch 1)": "n/a" if latency is None else f"{latency:.1f}",
    }


def duplicates_cell(duplicates: dict[str, int]) -> str:
    """``398 (most on scale2+scale3: 150)``: the duplicate pairs in all and the level pair with the most."""
    if not duplicates:
        return "0"
    most = max(duplicates, key=duplicates.get)
    return f"{sum(duplicates.values())} (most on {most}: {duplicates[most]})"


def checkpoint_rule_table(course: pd.DataFrame, improved: pd.DataFrame) -> str:
    """Per checkpoint rule, the epoch it keeps in each recipe's training history and that epoch's val mAP@0.5."""
    kept = [kept_epochs(history.to_dict("records")) for history in (course, improved)]
    rows = [[rule_words(rule), *(f"{choice[rule].epoch}: {num(choice[rule].map50)}" for choice in kept)]
            for rule in CHECKPOINT_RULES]
    return table(["rule", *(f"{recipe}: epoch, val mAP@0.5" for recipe in RECIPES)], rows)


def improved_facts(inputs: ReportInputs) -> Facts:
    """What the improved recipe changes, the two recipes side by side, their receptive fields and true positives
    per level, and what the change does to each score and to the level that finds each class."""
    course, improved = inputs.detector, inputs.improved
    visible = visible_share(inputs.params.detector_eval.visible_threshold)
    columns = recipe_column(course, visible), recipe_column(improved, visible)  # in the order of RECIPES
    rows = [[label, columns[0][label], columns[1].get(label, "n/a")] for label in columns[0]]
    before, after = course.details.levels, improved.details.levels
    names = list(dict.fromkeys([*before, *after]))
    receptive = [[spoken(name), (before.get(name) or after[name]).stride,
                  *(levels[name].receptive_field if name in levels else "n/a" for levels in (before, after))]
                 for name in names]
    found_before = by_category(before, lambda level: level.true_positives)
    found_after = by_category(after, lambda level: level.true_positives)
    categories = list(found_before)
    found_rows = [[spoken(name), *(found[category].get(name, "n/a") for category in categories
                                   for found in (found_before, found_after))] for name in names]
    old, new = course.metrics, improved.metrics
    overall = [change_phrase("mAP@0.5", old.map50, new.map50),
               change_phrase(f"mAP@0.5 over the objects at least {visible} visible", old.map50_visible,
                             new.map50_visible),
               change_phrase("mAP@0.5:0.95", old.map50_95, new.map50_95)]
    per_class = [change_phrase(f"AP@0.5 on {plural(name)}", ap, new.ap50.get(name)) for name, ap in old.ap50.items()]
    levels = [level_sentence(category, found_before[category], found_after[category]) for category in categories]
    return {
        "improved_changes": "\n".join(f"- {change_words(key, value)}"
                                       for key, value in inputs.params.detector_improved.items()),
        "recipe_table": table(["", *RECIPES], rows),
        "receptive_field_table": table(["level", "stride (px)", "course RF (px)", "improved RF (px)"], receptive),
        "recipe_true_positive_table": table(
            ["level", *(f"{plural(category)}, {recipe}" for category in categories for recipe in RECIPES)], found_rows),
        "checkpoint_rule_table": checkpoint_rule_table(course.history, improved.history),
        "overall_change": word_list(overall),
        "improved_detections_figure": inputs.figures["detections_improved"],
        "duplicate_change": fill("duplicates", {"course": sum(course.details.duplicates.values()),
                                                "improved": sum(improved.details.duplicates.values())}),
        "class_change": word_list(per_class),
        "level_change": sentence_start("; ".join(levels)),
    }


def keypoint_method_facts(inputs: ReportInputs) -> Facts:
    """The architecture (from the models' constants), the targets and decoding, the methods and their training."""
    kp, decoding = inputs.params.keypoints, inputs.keypoints.evaluation.decoding
    methods = kp.method_table
    hand_pair = decoding.hand_pair_radius
    labels = method_labels(inputs)
    seconds = [inputs.speed.keypoint_training[name].train_seconds for name in methods]
    trained_models = {method.model for method in methods.values()}
    return {
        "encoder_blocks": number_word(len(ENCODER_CHANNELS)),
        "encoder_channels": " -> ".join(map(str, (INPUT_CHANNELS, *ENCODER_CHANNELS))),
        "image_size": FIGURE_SIZE,
        "bottleneck_size": FIGURE_SIZE // ENCODER_STRIDE,
        "skip_connections": " " + fill("skip_connections") if kp.skips else "",
        "heatmap_size": kp.heatmap_size,
        "sigma": kp.sigma,
        "subpixel": " " + fill("subpixel") if decoding.subpixel else "",
        "hand_pair": ", " + fill("hand_pair", {"radius": hand_pair}) if hand_pair else "",
        "coordinates": number_word(2 * len(KEYPOINT_NAMES)),
        "hidden_layers": number_word(len(REGRESSION_HIDDEN)),
        "dropout": kp.regression_dropout,
        "course_dropout": COURSE_DROPOUT,
        "symmetric_losses": " and ".join(f"`{loss}`" for loss in SYMMETRIC_LOSSES),
        "integral_network": " " + fill("integral_network") if INTEGRAL in trained_models else "",
        "method_table": table(["method", "model", "loss"], [[labels[n], m.model, m.loss] for n, m in methods.items()]),
        "keypoints_batch_size": kp.schedule.batch_size,
        "keypoints_epochs": kp.schedule.epochs,
        "keypoints_lr": kp.schedule.lr,
        "keypoints_seed": kp.schedule.seed,
        "keypoint_training_time": fill("method_times" if minutes(min(seconds)) != minutes(max(seconds))
                                       else "method_time",
                                       {"fastest": minutes(min(seconds)), "slowest": minutes(max(seconds))}),
    }


def per_method_numbers(scores: MethodScores) -> list[str]:
    """The fields of a method's record that hold one number (``shift_gain``, ``parameters``, ...), in record order:
    each a column of the report's accuracy, size and speed table."""
    return [field.name for field in fields(scores) if isinstance(getattr(scores, field.name), int | float)]


def keypoint_results_facts(inputs: ReportInputs) -> Facts:
    """The PCK tables with the ceilings, per keypoint, against size and latency, the ablations, the failures."""
    kp = inputs.keypoints
    header = ["method", *map(threshold_label, THRESHOLDS)]
    ceilings = [pck_row("perfect localiser, hands by coin flip", kp.ceilings["random_assignment"].pck),
                pck_row("best possible", kp.ceilings["best_possible"].pck)]
    keypoints = list(kp.per_keypoint[next(iter(kp.methods))].course)
    labels = method_labels(inputs)
    per_keypoint = [[labels[name], *(num(kp.per_keypoint[name].course[k]) for k in keypoints)] for name in kp.methods]
    latency = inputs.speed.keypoint_evaluation.latency_ms_per_image
    numbers = per_method_numbers(next(iter(kp.methods.values())))
    tradeoff = [
        [labels[name], num(s.pck[LOOSE]), num(s.pck_symmetric[LOOSE]),
         *(f"{value:,}" if isinstance(value, int) else num(value) for value in (getattr(s, n) for n in numbers)),
         f"{latency[name]:.2f}" if name in latency else "n/a"]
        for name, s in kp.methods.items()
    ]
    baseline = ablation_baseline(inputs.params.keypoints.method_table)
    ablations = [pck_row(f"baseline ({baseline})", kp.methods[baseline].pck)]
    ablations += [pck_row(variant, scores.pck) for variant, scores in kp.ablations.items()]
    failure_cases = kp.evaluation.failure_cases
    figures = [failure_figure(group, count, inputs.figures) for group, count in failure_cases.items()]
    loosest = f"{LOOSEST:g}"
    return {
        "keypoint_loss_figure": inputs.figures["keypoint_loss"],
        "epoch_pck_table": epoch_pck_table(inputs.keypoint_histories, labels),
        "plateau_tolerance": f"{verdicts.PLATEAU:g}",
        "course_pck_table": table(header, [pck_row(labels[n], s.pck) for n, s in kp.methods.items()] + ceilings),
        "symmetric_pck_table": table(header, [pck_row(labels[n], s.pck_symmetric) for n, s in kp.methods.items()]),
        "pck_figure": inputs.figures["pck"],
        "per_keypoint_threshold": PER_KEYPOINT_THRESHOLD,
        "per_keypoint_table": table(["method", *map(spoken, keypoints)], per_keypoint),
        "keypoint_predictions_figure": inputs.figures["keypoint_predictions"],
        "tradeoff_table": table(
            ["method", f"PCK@{loosest}", f"symmetric PCK@{loosest}", *map(spoken, numbers), "latency (ms)"], tradeoff
        ),
        "ablation_table": table(["variant", *map(threshold_label, THRESHOLDS)], ablations),
        "keypoint_count": number_word(len(KEYPOINT_NAMES)),
        "failure_threshold": f"{FAILURE_THRESHOLD:g}",
        "failure_table": table(["group", "images"], [[spoken(g), n] for g, n in failure_cases.items()]),
        "failure_figures": "".join("\n\n" + figure for figure in figures),
    }


def course_scores(inputs: ReportInputs) -> tuple[MethodScores, MethodScores]:
    """The scores of the heatmap and the regression model's course methods."""
    methods = inputs.params.keypoints.method_table
    heatmap, regression = (inputs.keypoints.methods[course_method(methods, model)] for model in (HEATMAP, REGRESSION))
    return heatmap, regression


def _optional_paragraphs(inputs: ReportInputs) -> list[str]:
    """The paragraphs on the symmetric-loss methods and the ablations, for those that were run."""
    kp, methods = inputs.keypoints, inputs.params.keypoints.method_table
    heatmap, regression = course_scores(inputs)
    paragraphs = []
    heatmap_symmetric = symmetric_method(methods, HEATMAP)
    if heatmap_symmetric is not None:
        scores = kp.methods[heatmap_symmetric]
        paragraphs.append(fill("heatmap_same_loss", {
            "tightest": f"{TIGHTEST:g}", "symmetric_tightest": num(scores.pck_symmetric[TIGHT]),
            "course_symmetric_tightest": num(heatmap.pck_symmetric[TIGHT]),
            "symmetric_course_tightest": num(scores.pck[TIGHT]),
        }))
    regression_symmetric = symmetric_method(methods, REGRESSION)
    if regression_symmetric is not None:
        scores = kp.methods[regression_symmetric]
        paragraphs.append(fill("regression_same_loss", {
            "tightest": f"{TIGHTEST:g}", "loosest": f"{LOOSEST:g}",
            "symmetric_loosest": num(scores.pck_symmetric[LOOSE]),
            "course_symmetric_loosest": num(regression.pck_symmetric[LOOSE]),
            "symmetric_tightest": num(scores.pck_symmetric[TIGHT]),
            "course_symmetric_tightest": num(regression.pck_symmetric[TIGHT]),
        }))
    if any(method.model == INTEGRAL for method in methods.values()):
        regression_label = method_labels(inputs)[course_method(methods, REGRESSION)]
        paragraphs.append(coordinate_paragraph(kp, methods, heatmap, (regression, regression_label)))
    if kp.ablations:
        paragraphs.append(ablation_paragraph(kp, heatmap))
    return paragraphs


def ablation_paragraph(kp: KeypointMetrics, baseline: MethodScores) -> str:
    """The ablations against their baseline (the course heatmap method) by course PCK at the tightest threshold:
    the best variant when one beats the baseline, else that none does; the worst."""
    scores = {variant: s.pck[TIGHT] for variant, s in kp.ablations.items()}
    best, worst = verdicts.best_and_worst(scores)
    better = verdicts.best_variant(baseline.pck[TIGHT], scores)
    return fill("ablations" if better is not None else "ablations_none_better", {
        "tightest": f"{TIGHTEST:g}", "baseline_tightest": num(baseline.pck[TIGHT]),
        "best": best, "best_tightest": num(scores[best]), "worst": worst, "worst_tightest": num(scores[worst]),
    })


def course_gap_sentence(heatmap: dict[str, float], regression: dict[str, float]) -> str:
    """Which course method leads at which PCK threshold, and where the two differ the most."""
    labels = {threshold_key(t): f"{t:.2f}" for t in THRESHOLDS}
    widest = verdicts.widest_gap(heatmap, regression)
    return fill(f"course_gap_{verdicts.lead(heatmap, regression)}", {
        "widest": labels[widest], "heatmap_widest": num(heatmap[widest]), "regression_widest": num(regression[widest]),
        "heatmap_ahead": word_list([labels[key] for key in verdicts.ahead_at(heatmap, regression)] or ["none"]),
        "regression_ahead": word_list([labels[key] for key in verdicts.ahead_at(regression, heatmap)] or ["none"]),
    })


def coordinate_paragraph(kp: KeypointMetrics, methods: dict[str, MethodParams], heatmap: MethodScores,
                         labelled_regression: tuple[MethodScores, str]) -> str:
    """The integral methods against the course heatmap and regression methods (``heatmap``, and
    ``labelled_regression``: the regression method's scores and its label) by
    symmetric PCK at the tightest threshold: the share of their gap the better one closes, and what a loss that
    takes the hands as labelled costs."""
    integral = [name for name, method in methods.items() if method.model == INTEGRAL]
    scores = {name: kp.methods[name].pck_symmetric[TIGHT] for name in integral}
    best = max(scores, key=scores.get)
    regression, regression_label = labelled_regression
    ahead, behind = heatmap.pck_symmetric[TIGHT], regression.pck_symmetric[TIGHT]
    share = verdicts.gap_closed(behind, scores[best], ahead)
    plain, symmetric = plain_method(methods, INTEGRAL), symmetric_method(methods, INTEGRAL)
    hands = ""
    if plain is not None and symmetric is not None and scores[plain] < scores[symmetric]:
        hands = fill("integral_hands", {"plain": plain, "plain_score": num(scores[plain])})
    listed = [fill("integral_score", {"method": name, "loss": methods[name].loss, "score": num(scores[name])})
              for name in integral]
    return fill("coordinate_method", {
        "tightest": f"{TIGHTEST:g}", "integral_scores": word_list(listed),
        "heatmap_tightest": num(ahead), "regression_tightest": num(behind), "regression_label": regression_label,
        "gap_sentence": fill(f"gap_{verdicts.gap_verdict(share)}", {
            "best": {1: "It", 2: f"The better, {best},"}.get(len(integral), f"The best, {best},"),
            "share": "none" if share is None or share <= 0 else pct(share), "distance": num(abs(ahead - scores[best])),
        }),
        "hands_sentence": hands,
    })


def keypoint_analysis_facts(inputs: ReportInputs) -> Facts:
    """Convergence, heatmap against regression, the distance to the ceiling, the optional paragraphs."""
    kp = inputs.keypoints
    heatmap, regression = course_scores(inputs)
    labels = method_labels(inputs)
    return {
        "keypoint_convergence": keypoint_convergence(inputs.keypoint_histories, labels),
        "convergence_table": convergence_table(inputs.keypoint_histories, labels),
        "heatmap_symmetric_loosest": num(heatmap.pck_symmetric[LOOSE]),
        "regression_symmetric_loosest": num(regression.pck_symmetric[LOOSE]),
        "course_gap": course_gap_sentence(heatmap.pck, regression.pck),
        "ceiling_distance": num(verdicts.largest_distance(heatmap.pck, kp.ceilings["random_assignment"].pck)),
        "heatmap_symmetric_tightest": num(heatmap.pck_symmetric[TIGHT]),
        "heatmap_course_tightest": num(heatmap.pck[TIGHT]),
        "hand_label_loss": pct(heatmap.pck_symmetric[TIGHT] - heatmap.pck[TIGHT]),
        "shift_pixels": SHIFT_PIXELS,
        "regression_gain": f"{regression.shift_gain:.2f}",
        "heatmap_gain": f"{heatmap.shift_gain:.2f}",
        "regression_follows": fill("regression_follows" if verdicts.follows_figure(regression.shift_gain)
                                   else "regression_stays"),
        "optional_paragraphs": "".join("\n\n" + paragraph for paragraph in _optional_paragraphs(inputs)),
    }


def pck_range(scores: dict[str, float]) -> str:
    """PCK ``scores`` (threshold key -> score) from the tightest threshold to the loosest, in words."""
    return f"{num(scores[TIGHT])} at threshold {TIGHTEST:g} and {num(scores[LOOSE])} at {LOOSEST:g}"


def discussion_facts(inputs: ReportInputs) -> Facts:
    """The two keypoint ceilings from the tightest threshold to the loosest."""
    ceilings = inputs.keypoints.ceilings
    return {
        "random_assignment": pck_range(ceilings["random_assignment"].pck),
        "best_possible": pck_range(ceilings["best_possible"].pck),
    }


def conclusion_facts(inputs: ReportInputs) -> Facts:
    """The best result of each problem, and how far the course heatmap model is from the coin-flip ceiling."""
    kp, methods = inputs.keypoints, inputs.params.keypoints.method_table
    heatmap = kp.methods[course_method(methods, HEATMAP)].pck[LOOSE]
    ceiling = kp.ceilings["random_assignment"].pck[LOOSE]
    return {
        "detector_conclusion": detector_conclusion(inputs),
        "keypoint_conclusion": keypoint_conclusion(inputs),
        "heatmap_to_ceiling": relative_to(heatmap, ceiling),
        "ceiling_loosest": num(ceiling),
    }


def appendix_facts(inputs: ReportInputs) -> Facts:
    """The params, the environment and every stage's time."""
    environment = inputs.environment
    params = yaml.safe_dump(inputs.params.results, sort_keys=False, default_flow_style=None, width=100).strip()
    return {
        "params_yaml": params,
        "machine_table": table(["", ""], [[key, value] for key, value in environment["machine"].items()]),
        "package_table": table(["package", "version"], [[n, v] for n, v in environment["packages"].items()]),
        "stage_time_table": table(["stage", "training or evaluation time"], stage_times(inputs.speed.stages)),
    }


FACT_SECTIONS = (headline_facts, introduction_facts, detector_method_facts, detector_results_facts,
            detector_analysis_facts, improved_facts, keypoint_method_facts, keypoint_results_facts,
            keypoint_analysis_facts, discussion_facts, held_out_facts, noise_facts, conclusion_facts, appendix_facts)


def report_facts(inputs: ReportInputs) -> Facts:
    """Every fact of the report by placeholder name; two sections naming the same fact is a bug."""
    facts: Facts = {}
    for section in FACT_SECTIONS:
        found = section(inputs)
        repeated = sorted(set(found) & set(facts))
        if repeated:
            raise ValueError(f"{section.__name__} repeats facts {repeated}")
        facts |= found
    return facts


def build_report(inputs: ReportInputs) -> str:
    """The whole report as Markdown."""
    return fill("report", report_facts(inputs)) + "\n"
