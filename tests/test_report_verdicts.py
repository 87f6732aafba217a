"""Each judgement the report states, on hand-made metrics where the answer is known."""

import math

import pandas as pd
import pytest

from locate.report.verdicts import (
    LevelShare,
    best_and_worst,
    convergence,
    dominant_level,
    follows_figure,
    gap_closed,
    gap_verdict,
    largest_distance,
    raises,
    specialises,
    widest_lead,
)


def test_dominant_level_is_the_level_with_most_counts_with_its_share_and_the_total():
    assert dominant_level({"scale1": 1, "scale2": 6, "scale3": 1}) == LevelShare("scale2", 0.75, 8)
    assert dominant_level({"scale1": 2, "scale2": 2}) == LevelShare("scale1", 0.5, 4)  # a tie: the first
    assert dominant_level({"scale1": 0, "scale2": 0}) == LevelShare("scale1", 0.0, 0)


def test_sizes_are_specialised_when_each_class_has_most_counts_on_a_level_of_its_own():
    counts = {"circle": {"scale1": 9, "scale2": 1, "scale3": 0},
              "square": {"scale1": 0, "scale2": 5, "scale3": 4},
              "triangle": {"scale1": 0, "scale2": 1, "scale3": 3}}
    assert specialises(counts)
    four_levels = {name: by_level | {"scale4": 0} for name, by_level in counts.items()}
    four_levels["star"] = {"scale1": 0, "scale2": 0, "scale3": 1, "scale4": 5}
    assert specialises(four_levels)
    four_levels["star"] = {"scale1": 0, "scale2": 0, "scale3": 5, "scale4": 1}  # stars and triangles on scale 3
    assert not specialises(four_levels)


def test_sizes_are_not_specialised_when_two_classes_share_a_level_or_none_has_a_majority():
    assert not specialises({"circle": {"scale1": 9, "scale2": 1}, "square": {"scale1": 6, "scale2": 4}})
    assert not specialises({"circle": {"scale1": 5, "scale2": 5}, "square": {"scale1": 0, "scale2": 9}})
    assert not specialises({"circle": {"scale1": 0, "scale2": 0}, "square": {"scale1": 0, "scale2": 3}})


def test_best_and_worst_names_leave_unknown_scores_aside():
    assert best_and_worst({"circle": 0.8, "square": 0.6, "triangle": 0.9}) == ("triangle", "square")
    assert best_and_worst({"circle": None, "square": 0.2, "triangle": 0.1}) == ("square", "triangle")


def test_the_widest_lead_is_where_the_first_scores_lead_the_second_most():
    heatmap = {"pck_05": 0.80, "pck_10": 0.85, "pck_20": 0.89}
    regression = {"pck_05": 0.07, "pck_10": 0.23, "pck_20": 0.52}
    assert widest_lead(heatmap, regression) == "pck_05"
    assert widest_lead(regression, heatmap) == "pck_20"  # the smallest deficit


def test_the_largest_distance_is_absolute_over_the_reference_keys():
    assert largest_distance({"a": 0.5, "b": 0.9, "extra": 5.0}, {"a": 0.7, "b": 0.95}) == pytest.approx(0.2)


def test_raises_says_whether_the_value_went_up():
    assert raises(0.79, 0.85) and raises(0.5, 0.5) and not raises(0.85, 0.79)


def test_convergence_keeps_the_epoch_of_the_lowest_val_loss():
    history = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_total": [2.0, 1.0, 0.5, 0.25],
                            "val_total": [3.0, 1.5, 1.0, 1.25]})
    found = convergence(history)
    assert (found.first_val, found.best_val, found.best_epoch, found.last_epoch) == (3.0, 1.0, 3, 4)
    assert (found.last_train, found.last_val, found.ratio) == (0.25, 1.25, 5.0)
    assert math.isnan(convergence(history.assign(train_total=0.0)).ratio)


def test_the_share_of_a_gap_a_method_closes():
    assert gap_closed(0.2, 0.2, 0.8) == 0.0
    assert gap_closed(0.2, 0.5, 0.8) == pytest.approx(0.5)
    assert gap_closed(0.2, 0.9, 0.8) == pytest.approx(7 / 6)
    assert gap_closed(0.8, 0.5, 0.8) is None
    assert gap_closed(0.9, 0.5, 0.8) is None


@pytest.mark.parametrize(("share", "verdict"), [(None, "none"), (1.2, "closed"), (0.9, "closed"), (0.5, "narrowed"),
                                                (0.1, "kept"), (-0.3, "kept")])
def test_the_gap_verdict(share, verdict):
    assert gap_verdict(share) == verdict


def test_predictions_follow_a_moved_figure_from_half_a_pixel_per_pixel():
    assert follows_figure(0.98) and follows_figure(0.5) and not follows_figure(0.2)
