"""Figures of keypoint predictions: ground truth (green) against each method (red) on val images."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from locate.atomic import atomic_path  # noqa: E402

SKELETON = ((0, 1), (0, 2), (0, 3), (0, 4))
COLOUR_LEGEND = "ground truth (green) vs prediction (red)"


def failure_title(group: str) -> str:
    """A failure group's picture title in words: ``heatmap_right_regression_wrong`` ->
    ``heatmap right, regression wrong`` over ``ground truth (green) vs prediction (red)``."""
    return f"{group.replace('_right_', ' right, ').replace('_', ' ')}\n{COLOUR_LEGEND}"


def draw_predictions(
    images: torch.Tensor,
    truth: torch.Tensor,
    predictions: dict[str, torch.Tensor],
    path: str | Path,
    title: str = "",
    image_ids: torch.Tensor | None = None,
) -> None:
    """One row per image, one column per method; written atomically as a PNG.

    images: uint8 ``Tensor[N, 1, H, W]``; truth and each prediction: ``Tensor[N, K, 2]``
    (x, y) pixels. Truth as green dots, predictions as red crosses joined to their truth.
    """
    rows, columns = len(images), len(predictions)
    figure, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.2 * rows + 0.4), squeeze=False)
    for row in range(rows):
        for column, (name, points) in enumerate(predictions.items()):
            axis = axes[row][column]
            axis.imshow(images[row, 0].numpy(), cmap="gray", vmin=0, vmax=255)
            _draw_pair(axis, truth[row], points[row])
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(name, fontsize=8)
            if column == 0 and image_ids is not None:
                axis.set_ylabel(f"image {int(image_ids[row])}", fontsize=7)
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    with atomic_path(path, ".png") as temporary:
        figure.savefig(temporary, dpi=100, bbox_inches="tight")
    plt.close(figure)


def _draw_pair(axis, truth: torch.Tensor, prediction: torch.Tensor) -> None:
    """Truth ``Tensor[K, 2]`` with its skeleton, prediction ``Tensor[K, 2]`` and the error segments."""
    for start, end in SKELETON:
        axis.plot(truth[[start, end], 0], truth[[start, end], 1], color="limegreen", linewidth=0.8)
    for (tx, ty), (px, py) in zip(truth.tolist(), prediction.tolist(), strict=True):
        axis.plot([tx, px], [ty, py], color="orange", linewidth=0.6)
    axis.scatter(truth[:, 0], truth[:, 1], s=10, color="limegreen")
    axis.scatter(prediction[:, 0], prediction[:, 1], s=14, color="red", marker="x", linewidths=0.9)
