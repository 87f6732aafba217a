"""The conclusion names the best result of each problem, chosen on val, with its test score and whether its lead
exceeds the seed noise: whichever the records say, a tie and a missing score said in words."""

import dataclasses

from locate.records.seed_noise import SeedNoise, Spread
from locate.report.conclusion import detector_conclusion, keypoint_conclusion
from locate.report.facts import build_report
from tests.test_report_text import report_inputs


def _improved_map50(value: float | None) -> str:
    inputs = report_inputs()
    metrics = dataclasses.replace(inputs.improved.metrics, map50=value)
    return detector_conclusion(dataclasses.replace(inputs, improved=dataclasses.replace(inputs.improved,
                                                                                         metrics=metrics)))


def test_the_better_detector_recipe_is_named_with_its_test_score_and_the_noise():
    assert detector_conclusion(report_inputs()) == (
        "The best detector on val is the improved recipe: mAP@0.5 0.890 on val and 0.900 on test, against 0.790 and "
        "0.760 for the course recipe, a difference beyond seed noise.")  # 0.100 > 2 x 0.028
    assert _improved_map50(0.75) == (
        "The best detector on val is the course recipe: mAP@0.5 0.790 on val and 0.760 on test, against 0.750 and "
        "0.900 for the improved recipe, a difference within seed noise.")  # 0.040 < 2 x 0.028


def test_a_tie_and_a_missing_detector_score_are_said_in_words():
    assert _improved_map50(0.7904) == ("The two detector recipes score the same mAP@0.5 on val, 0.790 (on test 0.900 "
                                       "for the improved recipe, 0.760 for the course one).")
    assert _improved_map50(None) == ("The detector recipes cannot be compared on val mAP@0.5: 0.790 for the course "
                                     "recipe, n/a for the improved one.")


def _with_scores(course_20: dict[str, float], symmetric_05: dict[str, float], noise: SeedNoise | None = None):
    inputs = report_inputs()
    methods = {name: dataclasses.replace(scores, pck=scores.pck | {"pck_20": course_20.get(name, scores.pck["pck_20"])},
                                         pck_symmetric=scores.pck_symmetric | {
                                             "pck_05": symmetric_05.get(name, scores.pck_symmetric["pck_05"])})
               for name, scores in inputs.keypoints.methods.items()}
    return dataclasses.replace(inputs, keypoints=dataclasses.replace(inputs.keypoints, methods=methods),
                               noise=noise or inputs.noise)


def test_the_best_keypoint_method_by_each_score_is_named_with_the_runner_up():
    noise = SeedNoise({}, {"keypoints/heatmap.json:pck_symmetric.pck_05": Spread({}, 0.82, 0.1)})
    inputs = _with_scores({"integral": 0.97}, {"integral_symmetric": 0.99}, noise)
    assert keypoint_conclusion(inputs) == (
        "By the course's PCK@0.2, the best keypoint method on val is integral (0.970; 0.270 on test), ahead of heatmap "
        "(0.950) by a difference whose seed noise is not measured. With the hands scored as a pair, by symmetric "
        "PCK@0.05, it is integral_symmetric (0.990; 0.140 on test), ahead of heatmap (0.820) by a difference within "
        "seed noise.")  # 0.170 < 2 x 0.1
    assert "## 5. Conclusion\n\nThe best detector on val is the improved recipe" in build_report(inputs)


def test_one_method_best_by_both_scores_is_named_once_and_a_tie_is_level():
    assert keypoint_conclusion(report_inputs()) == (
        "The best keypoint method on val is heatmap, both by the course's PCK@0.2 (0.950; 0.920 on test), level with "
        "heatmap_symmetric and, with the hands scored as a pair, by symmetric PCK@0.05 (0.820; 0.790 on test), level "
        "with heatmap_symmetric.")
