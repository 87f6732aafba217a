"""Figures of keypoint predictions on val images: one row per image, one column per method.

Each panel is cropped to the figure (the same square for every method of a row), the ground truth drawn
in green and the prediction in red, each as the stick figure's bones (:mod:`locate.keypoints_eval.skeleton`)
with its keypoints marked, and an orange segment from each true keypoint to its prediction. A legend
under the grid names every colour.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from locate.atomic import atomic_path  # noqa: E402
from locate.keypoints_eval.skeleton import BONES, joints  # noqa: E402

TRUTH_COLOUR, PREDICTION_COLOUR, ERROR_COLOUR = "limegreen", "red", "darkorange"
PANEL_MARGIN = 8  # pixels of image kept around the row's keypoints
MIN_PANEL_SIDE = 48  # pixels: a crop never zooms in further than this


def failure_title(group: str) -> str:
    """A failure group's picture title in words: ``heatmap_right_regression_wrong`` -> ``heatmap right,
    regression wrong``."""
    return group.replace("_right_", " right, ").replace("_", " ")


def panel_square(points: torch.Tensor, image_side: int) -> tuple[float, float, float]:
    """The crop of one row: (left, top, side) of the square, inside the image, that holds ``points``
    ``Tensor[P, 2]`` (x, y pixels) with :data:`PANEL_MARGIN` around them, at least :data:`MIN_PANEL_SIDE` wide."""
    low, high = points.min(0).values, points.max(0).values
    side = min(max(float((high - low).max()) + 2 * PANEL_MARGIN, MIN_PANEL_SIDE), image_side)
    centre = (low + high) / 2
    left, top = (min(max(float(c) - side / 2, -0.5), image_side - 0.5 - side) for c in centre)
    return left, top, side


def draw_predictions(
    images: torch.Tensor,
    truth: torch.Tensor,
    predictions: dict[str, torch.Tensor],
    path: str | Path,
    title: str = "",
    image_ids: torch.Tensor | None = None,
) -> None:
    """One row per image, one column per method; written atomically as a PNG.

    images: uint8 ``Tensor[N, 1, H, W]``; truth and each prediction: ``Tensor[N, 5, 2]`` (x, y) pixels.
    """
    rows, columns = len(images), len(predictions)
    figure, axes = plt.subplots(rows, columns, figsize=(2.3 * columns, 2.3 * rows + 0.9), squeeze=False)
    for row in range(rows):
        everything = torch.cat([truth[row], *(points[row] for points in predictions.values())])
        left, top, side = panel_square(everything, images.shape[-1])
        for column, (name, points) in enumerate(predictions.items()):
            axis = axes[row][column]
            axis.imshow(images[row, 0].numpy(), cmap="gray", vmin=0, vmax=255, alpha=0.45)
            _draw_pair(axis, truth[row], points[row])
            axis.set_xlim(left, left + side)
            axis.set_ylim(top + side, top)
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(name, fontsize=9)
            if column == 0 and image_ids is not None:
                axis.set_ylabel(f"image {int(image_ids[row])}", fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.legend(handles=_legend_handles(), loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.5 / (2.3 * rows + 0.9), 1, 1))
    with atomic_path(path, ".png") as temporary:
        figure.savefig(temporary, dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)


def _draw_skeleton(axis, keypoints: torch.Tensor, colour: str, marker: str) -> None:
    """The bones of ``keypoints`` ``Tensor[5, 2]`` and its keypoints as ``marker``s, in ``colour``."""
    points = joints(keypoints)
    for start, end in BONES:
        axis.plot(points[[start, end], 0], points[[start, end], 1], color=colour, linewidth=1.6, alpha=0.8)
    axis.scatter(keypoints[:, 0], keypoints[:, 1], s=42, color=colour, marker=marker, linewidths=2, zorder=3)


def _draw_pair(axis, truth: torch.Tensor, prediction: torch.Tensor) -> None:
    """Truth and prediction ``Tensor[5, 2]`` as skeletons, with an error segment per keypoint."""
    _draw_skeleton(axis, truth, TRUTH_COLOUR, "o")
    for (tx, ty), (px, py) in zip(truth.tolist(), prediction.tolist(), strict=True):
        axis.plot([tx, px], [ty, py], color=ERROR_COLOUR, linewidth=1.4, zorder=2)
    _draw_skeleton(axis, prediction, PREDICTION_COLOUR, "x")


def _legend_handles() -> list[Line2D]:
    """One entry per colour of :func:`_draw_pair`."""
    return [Line2D([], [], color=TRUTH_COLOUR, marker="o", label="ground truth: keypoints and bones"),
            Line2D([], [], color=PREDICTION_COLOUR, marker="x", markeredgewidth=2,
                   label="prediction: keypoints and bones"),
            Line2D([], [], color=ERROR_COLOUR, label="error: true keypoint to its prediction")]
