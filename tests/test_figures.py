"""The report's figures: the ceilings apart from every method's colour, the keypoint scores under the losses."""

import matplotlib.colors
import pandas as pd

from locate import figures

METHODS = [f"method_{index}" for index in range(10)]


def _line_styles(figure) -> list[tuple[str, str, str]]:
    return [(line.get_label(), matplotlib.colors.to_hex(line.get_color()), line.get_linestyle())
            for axis in figure.axes for line in axis.get_lines()]


def test_no_ceiling_shares_a_colour_with_a_method():
    pck = pd.DataFrame({"threshold": [0.05, 0.1]} | {f"{kind}_{name}": [0.5, 0.6] for kind in ("course", "symmetric")
                                                      for name in METHODS}
                       | {"random_assignment": [0.8, 0.9], "best_possible": [0.85, 0.95]})
    drawn = _line_styles(figures.pck_curves(pck, "PCK"))
    ceilings = {label: (colour, style) for label, colour, style in drawn if label.startswith("ceiling")}
    method_colours = {colour for label, colour, _ in drawn if not label.startswith("ceiling")}
    assert len(method_colours) == len(METHODS) and len(set(ceilings.values())) == len(ceilings) == 2
    assert not method_colours & {colour for colour, _ in ceilings.values()}, ceilings


def test_the_keypoint_figure_draws_each_score_under_the_losses():
    history = pd.DataFrame({"epoch": [1, 2], "train_total": [2.0, 1.0], "val_total": [2.5, 1.5],
                            "val_pck_symmetric_05": [0.4, 0.6], "val_pck_20": [0.7, 0.8]})
    families = {"heatmap network": {"a": history, "b": history}, "regression network": {"c": history}}
    scores = {"val_pck_symmetric_05": "symmetric PCK@0.05", "val_pck_20": "course PCK@0.2"}
    figure = figures.family_loss_curves(families, "Keypoints", scores)
    assert len(figure.axes) == 4
    labels = [line.get_label() for line in figure.axes[2].get_lines()]  # the heatmap network's scores
    assert labels == ["a symmetric PCK@0.05", "a course PCK@0.2", "b symmetric PCK@0.05", "b course PCK@0.2"]
    assert list(figure.axes[2].get_lines()[1].get_ydata()) == [0.7, 0.8]
