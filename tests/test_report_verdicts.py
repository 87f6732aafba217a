"""Each judgement the report states, on hand-made metrics where the answer is known."""

import math

import pandas as pd
import pytest

from locate.report.verdicts import (
    PLATEAU,
    LevelShare,
    against_noise,
    ahead_at,
    best_and_worst,
    best_variant,
    change,
    convergence,
    dominant_level,
    follows_figure,
    gap_closed,
    gap_verdict,
    largest_distance,
    lead,
    level_change,
    plateau,
    position,
    selects_on_val,
    specialises,
    widest_gap,
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


def test_the_best_variant_is_named_only_when_it_beats_the_baseline():
    variants = {"size_32": 0.80, "sigma_3": 0.82, "skips_off": 0.81}
    assert best_variant(0.79, variants) == "sigma_3"
    assert best_variant(0.823, variants) is None  # every variant below the baseline
    assert best_variant(0.82, variants) is None  # a tie with the baseline does not beat it
    assert best_variant(0.5, {"a": 0.6, "b": 0.6}) == "a"  # a tie between variants: the first
    assert best_variant(0.5, {"b": 0.6, "a": 0.6}) == "b"


def test_which_scores_lead_at_every_threshold():
    high, low = {"pck_05": 0.8, "pck_10": 0.9}, {"pck_05": 0.1, "pck_10": 0.4}
    assert lead(high, low) == "first" and lead(low, high) == "second"
    crossing = {"pck_05": 0.05, "pck_10": 0.95}
    assert lead(low, crossing) == "mixed" and lead(crossing, low) == "mixed"
    assert lead(high, dict(high)) == "same"
    assert lead(high, {"pck_05": 0.8, "pck_10": 0.5}) == "mixed"  # ahead at one threshold, level at the other


def test_ahead_at_lists_the_thresholds_where_the_first_is_strictly_higher():
    heatmap, regression = {"pck_10": 0.05, "pck_20": 0.06}, {"pck_10": 0.04, "pck_20": 0.10}
    assert ahead_at(heatmap, regression) == ["pck_10"]
    assert ahead_at(regression, heatmap) == ["pck_20"]
    assert ahead_at(heatmap, dict(heatmap)) == []


def test_the_widest_gap_is_the_largest_difference_whoever_leads():
    heatmap = {"pck_05": 0.80, "pck_10": 0.85, "pck_20": 0.89}
    regression = {"pck_05": 0.07, "pck_10": 0.23, "pck_20": 0.52}
    assert widest_gap(heatmap, regression) == widest_gap(regression, heatmap) == "pck_05"
    tiny_heatmap, tiny_regression = {"pck_10": 0.05, "pck_20": 0.06}, {"pck_10": 0.04, "pck_20": 0.10}
    assert widest_gap(tiny_heatmap, tiny_regression) == "pck_20"  # where regression leads
    assert widest_gap({"a": 0.5, "b": 0.7}, {"a": 0.6, "b": 0.6}) == "a"  # a tie: the first


def test_position_says_above_below_or_level():
    assert position(0.12, 0.9) == "below" and position(0.9, 0.12) == "above" and position(0.5, 0.5) == "level with"


def test_the_largest_distance_is_absolute_over_the_reference_keys():
    assert largest_distance({"a": 0.5, "b": 0.9, "extra": 5.0}, {"a": 0.7, "b": 0.95}) == pytest.approx(0.2)


def test_change_says_raises_or_lowers_in_both_orderings_keeps_at_three_decimals_and_unknown_without_a_value():
    assert change(0.79, 0.85) == "raises" and change(0.85, 0.79) == "lowers"
    assert change(0.5, 0.5) == "keeps" and change(0.8001, 0.8004) == "keeps"
    assert change(None, 0.5) == "unknown" and change(0.5, None) == "unknown"


def test_level_change_compares_the_level_with_most_counts_before_and_after():
    assert level_change({"scale2": 3, "scale3": 7}, {"scale2": 6, "scale3": 4}) == "moved"
    assert level_change({"scale2": 6, "scale3": 4}, {"scale2": 3, "scale3": 7}) == "moved"
    assert level_change({"scale2": 5, "scale3": 5}, {"scale2": 1, "scale3": 1}) == "kept"  # ties: the first level
    assert level_change({"scale2": 0, "scale3": 0}, {"scale2": 1, "scale3": 0}) == "none"
    assert level_change({"scale2": 1, "scale3": 0}, {"scale2": 0, "scale3": 0}) == "none"


def test_the_rules_that_select_on_the_val_set():
    assert selects_on_val("val_loss") and selects_on_val("val_map50") and not selects_on_val("last")


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


@pytest.mark.parametrize(("share", "verdict"), [(None, "none"), (1.2, "passed"), (1.0, "closed"), (0.9, "closed"),
                                                (0.5, "narrowed"), (0.1, "kept"), (-0.3, "kept")])
def test_the_gap_verdict(share, verdict):
    assert gap_verdict(share) == verdict


def test_predictions_follow_a_moved_figure_from_half_a_pixel_per_pixel():
    assert follows_figure(0.98) and follows_figure(0.5) and not follows_figure(0.2)


def test_a_score_settles_at_the_first_epoch_within_the_plateau_of_its_best():
    epochs = pd.Series([1, 2, 3, 4, 5])
    found = plateau(epochs, pd.Series([0.2, 0.7, 0.9 - PLATEAU / 2, 0.9, 0.85]))
    assert (found.best, found.best_epoch, found.settled) == (0.9, 4, 3)
    assert plateau(epochs, pd.Series([0.5, 0.5, 0.5, 0.5, 0.5])).settled == 1


@pytest.mark.parametrize(("difference", "stds", "verdict"), [
    (0.05, (0.02, 0.01), "beyond noise"),     # 0.05 > 2 x 0.02
    (-0.05, (0.01, 0.02), "beyond noise"),    # the sign does not matter
    (0.04, (0.02, 0.01), "within noise"),     # equal to twice the larger sd is not beyond it
    (0.03, (0.02, None), "within noise"),     # a number without noise takes the other's
    (0.5, (None, None), "noise not measured"),
])
def test_a_difference_counts_only_beyond_twice_the_larger_sd(difference, stds, verdict):
    assert against_noise(difference, stds) == verdict
