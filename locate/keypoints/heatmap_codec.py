"""Heatmap codec: keypoints in image pixels <-> one Gaussian heatmap per keypoint.

Coordinates are pixel-centre aligned: image pixel ``x`` covers ``[x - 0.5, x + 0.5)`` and
maps to heatmap coordinate ``u = (x + 0.5) * scale - 0.5`` with
``scale = heatmap_size / image_size``, so both grids cover the same area exactly.
Keypoints past the edge are clamped to the image area before encoding, and decoded
keypoints are clamped to it, so every target has its peak inside the map.
"""

from dataclasses import dataclass

import torch

LOG_FLOOR = 1e-6


@dataclass(frozen=True)
class HeatmapCodec:
    """Gaussian targets of standard deviation ``sigma`` (heatmap cells) and peak 1.

    image_size: side of the square input image (pixels); heatmap_size: side of the
    square heatmap; subpixel: refine the argmax by a parabola fitted to the log heatmap
    around the peak (exact for a Gaussian), otherwise decode the argmax cell centre.
    """

    image_size: int
    heatmap_size: int
    sigma: float
    subpixel: bool = True

    @property
    def scale(self) -> float:
        """Heatmap cells per image pixel."""
        return self.heatmap_size / self.image_size

    def to_heatmap(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Image pixels ``Tensor[..., 2]`` (x, y) -> heatmap coordinates ``Tensor[..., 2]``."""
        return (keypoints + 0.5) * self.scale - 0.5

    def to_image(self, coordinates: torch.Tensor) -> torch.Tensor:
        """Heatmap coordinates ``Tensor[..., 2]`` (x, y) -> image pixels ``Tensor[..., 2]``."""
        return (coordinates + 0.5) / self.scale - 0.5

    def clamp_to_image(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Pixels ``Tensor[..., 2]`` clamped to the image area ``[-0.5, image_size - 0.5]``."""
        return keypoints.clamp(-0.5, self.image_size - 0.5)

    def encode(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Keypoints ``Tensor[N, K, 2]`` (x, y) pixels -> heatmaps float32 ``Tensor[N, K, S, S]``."""
        centres = self.to_heatmap(self.clamp_to_image(keypoints.float()))
        grid = torch.arange(self.heatmap_size, dtype=torch.float32)
        denominator = 2 * self.sigma**2
        along_x = torch.exp(-((grid - centres[..., 0, None]) ** 2) / denominator)
        along_y = torch.exp(-((grid - centres[..., 1, None]) ** 2) / denominator)
        return along_y[..., :, None] * along_x[..., None, :]

    def decode(self, heatmaps: torch.Tensor) -> torch.Tensor:
        """Heatmaps ``Tensor[N, K, H, W]`` -> keypoints float32 ``Tensor[N, K, 2]`` (x, y) pixels."""
        heatmaps = heatmaps.float()
        height, width = heatmaps.shape[-2:]
        peak = heatmaps.flatten(-2).argmax(-1)
        row, column = peak // width, peak % width
        if self.subpixel and min(height, width) >= 3:
            x = _refine(heatmaps, column, row, along_x=True)
            y = _refine(heatmaps, column, row, along_x=False)
        else:
            x, y = column.float(), row.float()
        return self.clamp_to_image(self.to_image(torch.stack([x, y], dim=-1)))


def _refine(heatmaps: torch.Tensor, column: torch.Tensor, row: torch.Tensor, along_x: bool) -> torch.Tensor:
    """Sub-cell peak along one axis: vertex of the parabola through the log heatmap.

    Uses the three cells centred on the argmax (shifted inwards at the border); falls back
    to the argmax where the three values do not curve downwards. heatmaps:
    ``Tensor[N, K, H, W]``; column, row: argmax indices ``Tensor[N, K]``; returns
    ``Tensor[N, K]`` heatmap coordinates along the chosen axis.
    """
    length = heatmaps.shape[-1] if along_x else heatmaps.shape[-2]
    position = column if along_x else row
    centre = position.clamp(1, length - 2)
    offsets = torch.tensor([-1, 0, 1])
    cells = centre[..., None] + offsets
    if along_x:
        lines = heatmaps.gather(-2, row[..., None, None].expand(*row.shape, 1, heatmaps.shape[-1])).squeeze(-2)
    else:
        lines = heatmaps.gather(-1, column[..., None, None].expand(*column.shape, heatmaps.shape[-2], 1)).squeeze(-1)
    before, middle, after = lines.gather(-1, cells).clamp_min(LOG_FLOOR).log().unbind(-1)
    curvature = before - 2 * middle + after
    safe = torch.where(curvature < 0, curvature, torch.full_like(curvature, -1.0))
    vertex = centre + 0.5 * (before - after) / safe
    refined = torch.where(curvature < 0, vertex, position.float())
    return torch.minimum(torch.maximum(refined, position - 1.0), position + 1.0)
