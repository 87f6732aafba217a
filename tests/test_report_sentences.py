"""The report's verdict sentences on hand-made metrics: both orderings, ties, and what is missing said in words;
the method section's sentences following the detector options."""

import dataclasses

import pandas as pd
import pytest

from locate.records.keypoints import MethodScores
from locate.report.convergence import convergence_sentence, keypoint_convergence
from locate.report.facts import build_report, course_gap_sentence, relative_to
from tests.stage_runner import repo_params
from tests.test_report_text import FOUR_LEVELS, report_inputs

TINY_HEATMAP = {"pck_05": 0.01, "pck_10": 0.05, "pck_15": 0.055, "pck_20": 0.06}
TINY_REGRESSION = {"pck_05": 0.0, "pck_10": 0.04, "pck_15": 0.07, "pck_20": 0.10}


def _with_tightest(scores: MethodScores, value: float) -> MethodScores:
    return dataclasses.replace(scores, pck=scores.pck | {"pck_05": value})


def _ablations_report(baseline: float, variants: list[float]) -> str:
    inputs = report_inputs()
    kp = inputs.keypoints
    methods = {name: _with_tightest(scores, baseline) if name == "heatmap" else scores
               for name, scores in kp.methods.items()}
    ablations = {variant: _with_tightest(scores, value)
                 for (variant, scores), value in zip(kp.ablations.items(), variants, strict=False)}
    return build_report(dataclasses.replace(inputs, keypoints=dataclasses.replace(kp, methods=methods,
                                                                                  ablations=ablations)))


def test_the_best_variant_is_named_when_it_beats_the_baseline():
    report = _ablations_report(0.79, [0.80, 0.83, 0.81])
    best = list(report_inputs().keypoints.ablations)[1]
    assert f"the baseline scores 0.790; the best variant is {best}\n(0.830)" in report


@pytest.mark.parametrize("baseline", [0.823, 0.812])  # above every variant, and tied with the best
def test_no_variant_is_called_best_when_none_beats_the_baseline(baseline):
    report = _ablations_report(baseline, [0.80, 0.812, 0.81])
    assert f"the baseline scores {baseline:.3f} and no variant beats it" in report
    assert "the best variant is" not in report


def test_the_course_gap_says_who_leads_where_on_tiny_data():
    sentence = course_gap_sentence(TINY_HEATMAP, TINY_REGRESSION)
    assert sentence.startswith("Neither leads at every threshold: the heatmap model leads at 0.05 and 0.10, "
                               "regression at 0.15 and 0.20")
    assert sentence.endswith("they\ndiffer most at 0.20: heatmap 0.060, regression 0.100.")


def test_the_course_gap_names_the_leader_in_both_orderings_and_a_tie():
    high, low = {"pck_05": 0.8, "pck_20": 0.9}, {"pck_05": 0.1, "pck_20": 0.6}
    assert course_gap_sentence(high, low) == ("The heatmap model leads at every threshold, most at 0.05: "
                                              "0.800 against 0.100.")
    assert course_gap_sentence(low, high) == ("Regression leads at every threshold, most at 0.05: 0.800 against "
                                              "the heatmap model's 0.100.")
    assert course_gap_sentence(high, dict(high)) == "The two score the same at every threshold."
    level_then_behind = course_gap_sentence({"pck_05": 0.5, "pck_20": 0.6}, {"pck_05": 0.5, "pck_20": 0.7})
    assert "the heatmap model leads at none, regression at 0.20" in level_then_behind


def test_the_distance_to_the_ceiling_is_said_in_words_not_as_a_negative_number():
    assert relative_to(0.12, 0.9) == "0.780 below"
    assert relative_to(0.95, 0.9) == "0.050 above"
    assert relative_to(0.9001, 0.9) == "level with"
    report = build_report(report_inputs())
    assert "(0.030 below the 0.980 a perfect localiser reaches" in report


def test_a_failure_group_without_its_picture_is_said_in_words():
    report = build_report(report_inputs())
    assert "*Heatmap right, regression wrong: 143 val images; their picture is missing" in report
    assert "*Regression right, heatmap wrong: no val image, so no picture.*" in report
    assert "![Both wrong](figures/failures_both_wrong.png)" in report


def _method_section(**changes) -> str:
    """The report's detector method section with section ``detector`` changed by ``changes``."""
    params = repo_params()
    report = build_report(report_inputs(params | {"detector": params["detector"] | FOUR_LEVELS | changes}))
    return report.split("### 2.1 Method", 1)[1].split("### 2.2", 1)[0]


def test_the_method_section_says_the_course_options():
    section = " ".join(_method_section().split())
    assert "anchors are centred on every cell:" in section
    assert "negative below 0.3, ignored between;" in section
    assert "class cross-entropy and Smooth L1 box loss over positives" in section


@pytest.mark.parametrize(("changes", "said", "not_said"), [
    ({"box_loss": "giou"}, "class cross-entropy and GIoU box loss over positives", "Smooth L1"),
    ({"negative_iou": 0.5}, "negative below 0.5, none ignored between;", ", ignored between"),
    ({"anchor_centre": "receptive_field"},
     "anchors are centred on the pixel each cell's receptive field is centred on:",
     "centred on every cell"),
])
def test_the_method_section_follows_each_option(changes, said, not_said):
    section = " ".join(_method_section(**changes).split())
    assert said in section and not_said not in section


def _history(val: list[float], train: list[float], score: list[float] | None = None) -> pd.DataFrame:
    epochs = list(range(1, len(val) + 1))
    return pd.DataFrame({"epoch": epochs, "train_total": train, "val_total": val,
                         "val_pck_symmetric_05": score or [0.5] * len(val)})


def test_convergence_says_whether_the_val_loss_was_still_falling_in_one_sentence():
    assert convergence_sentence(_history([3.0, 2.0, 1.0], [2.0, 1.0, 0.5]), "detector") == (
        "The detector's val loss fell from 3 after the first epoch to 1 at the last, epoch 3: it was still falling "
        "when training stopped.")
    assert convergence_sentence(_history([3.0, 1.0, 1.5], [2.0, 1.0, 0.5]), "detector") == (
        "The detector's val loss fell from 3 after the first epoch to its lowest, 1, at epoch 2 of 3, and ended at "
        "1.5, 3.00 times the last epoch's train loss (0.5).")
    assert convergence_sentence(_history([2.5], [2.0]), "detector") == (
        "The detector trained for a single epoch, after which its val loss was 2.5, 1.25 times its train loss (2).")


def test_the_keypoint_trainings_are_grouped_by_how_they_converged_not_listed_number_by_number():
    histories = {"a": _history([3.0, 2.0, 1.0], [2.0, 1.0, 0.5], [0.1, 0.5, 0.9]),
                 "b": _history([3.0, 1.0, 1.5], [2.0, 1.0, 0.75], [0.1, 0.895, 0.9]),
                 "c": _history([3.0, 1.0, 1.1], [2.0, 1.0, 1.0], [0.9, 0.9, 0.9])}
    labels = {"a": "a", "b": "b (dropout 0.1)", "c": "c"}
    assert keypoint_convergence(histories, labels) == (
        "The val loss of a was still falling at the last epoch. That of b (dropout 0.1) and c was lowest before the "
        "last epoch, at epochs 2 and 2 respectively, and higher at the end. At the last epoch the val loss is 1.10 "
        "to 2.00 times the train loss, the most for a. By the task's score, the val symmetric PCK@0.05 after each "
        "epoch, c settles within 0.01 of its best first, at epoch 1, and a last, at epoch 3.")
    single = keypoint_convergence({"a": _history([2.0], [1.0]), "b": _history([2.0], [1.0])}, {"a": "a", "b": "b"})
    assert single.startswith("A and b trained for a single epoch. At the last epoch the val loss is 2.00 times the "
                             "train loss. By the task's score, the val symmetric PCK@0.05 after each epoch, every "
                             "method settles within 0.01 of its best at epoch 1.")


def _integral_report(symmetric_tightest: float) -> str:
    params = repo_params()
    params["detector"] |= FOUR_LEVELS
    inputs = report_inputs(params)
    scores = inputs.keypoints.methods["integral_symmetric"]
    methods = inputs.keypoints.methods | {"integral_symmetric": dataclasses.replace(
        scores, pck_symmetric=scores.pck_symmetric | {"pck_05": symmetric_tightest})}
    return build_report(dataclasses.replace(inputs, keypoints=dataclasses.replace(inputs.keypoints, methods=methods)))


@pytest.mark.parametrize(("symmetric_tightest", "said"), [
    (0.9, "The better, integral_symmetric, scores above even the heatmap model, so the gap between heatmaps and "
          "regression is the pooling head's"),
    (0.81, "The better, integral_symmetric, comes within 0.010 of the heatmap model, so the gap"),
    (0.5, "The better, integral_symmetric, gets 54.3% of the way from regression to the heatmap model; keeping the "
          "spatial map explains part of the gap"),
])
def test_the_integral_model_against_the_gap_is_said_in_words_a_person_would_write(symmetric_tightest, said):
    report = " ".join(_integral_report(symmetric_tightest).split())
    assert said in report and "of the gap between the two" not in report
