"""Keypoint targets of one image, built on every access as a homework's dataset builds them.

Same definitions as our codecs (:mod:`locate.keypoints.heatmap_codec`,
:mod:`locate.keypoints.regression_codec`): keypoints are clamped to the image area, a
pixel ``x`` maps to heatmap coordinate ``(x + 0.5) * heatmap_size / image_size - 0.5``,
each heatmap is a Gaussian of peak 1; regression targets are pixels / image size in [0, 1].
"""

import numpy as np
import torch


def gaussian_heatmaps(keypoints: torch.Tensor, image_size: int, heatmap_size: int, sigma: float) -> torch.Tensor:
    """Keypoints ``Tensor[K, 2]`` (x, y) pixels -> heatmaps float32 ``Tensor[K, S, S]``, one Gaussian per keypoint."""
    scale = heatmap_size / image_size
    rows, columns = np.mgrid[0:heatmap_size, 0:heatmap_size].astype(np.float32)
    heatmaps = np.zeros((len(keypoints), heatmap_size, heatmap_size), dtype=np.float32)
    for index, (x, y) in enumerate(keypoints.tolist()):
        x = min(max(x, -0.5), image_size - 0.5)
        y = min(max(y, -0.5), image_size - 0.5)
        centre_x = (x + 0.5) * scale - 0.5
        centre_y = (y + 0.5) * scale - 0.5
        heatmaps[index] = np.exp(-((columns - centre_x) ** 2 + (rows - centre_y) ** 2) / (2 * sigma**2))
    return torch.from_numpy(heatmaps)


def normalised_coordinates(keypoints: torch.Tensor, image_size: int) -> torch.Tensor:
    """Keypoints ``Tensor[K, 2]`` (x, y) pixels -> ``Tensor[K, 2]`` in [0, 1]."""
    return (keypoints / image_size).clamp(0.0, 1.0)
