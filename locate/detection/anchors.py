"""Square anchors centred on the cells of each feature level.

Anchor order within a level is (row, column, anchor), the order in which the model's
head outputs are flattened; levels are concatenated from the finest to the coarsest.
"""

import torch

ANCHOR_CENTRES = ("cell", "receptive_field")


def first_centre(stride: float, anchor_centre: str) -> float:
    """Centre in pixels of a level's first cell along each axis, by ``anchor_centre`` (one of ``ANCHOR_CENTRES``).

    "cell": the middle of the ``stride``-pixel square the cell covers, ``stride / 2``; "receptive_field": the
    middle of the pixel its receptive field is centred on, ``0.5`` (every 3x3 convolution is padded by 1, so
    cell ``j`` of a stride-``s`` map is centred on input pixel ``s * j``).
    """
    return stride / 2 if anchor_centre == "cell" else 0.5


def level_anchors(feature_size: int, stride: float, sizes: list[float], anchor_centre: str = "cell") -> torch.Tensor:
    """Anchors ``Tensor[feature_size * feature_size * len(sizes), 4]`` xyxy pixels of one level.

    The cell ``(row, col)`` has its centre at ``(col * stride + c, row * stride + c)``, ``c`` the
    :func:`first_centre`; each of ``sizes`` is the side of one square anchor there.
    """
    centres = torch.arange(feature_size, dtype=torch.float32) * stride + first_centre(stride, anchor_centre)
    cy, cx = torch.meshgrid(centres, centres, indexing="ij")
    half = torch.tensor(sizes, dtype=torch.float32) / 2
    cx = cx[..., None].expand(-1, -1, len(sizes))
    cy = cy[..., None].expand(-1, -1, len(sizes))
    return torch.stack([cx - half, cy - half, cx + half, cy + half], dim=-1).reshape(-1, 4)


def all_anchors(
    image_size: int, feature_sizes: list[int], sizes: list[list[float]], anchor_centre: str = "cell"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Anchors of every level: ``(anchors Tensor[A, 4] xyxy, level Tensor[A] int64 0..L-1)``."""
    per_level = [level_anchors(f, image_size / f, s, anchor_centre) for f, s in zip(feature_sizes, sizes, strict=True)]
    levels = torch.cat([torch.full((len(a),), index, dtype=torch.int64) for index, a in enumerate(per_level)])
    return torch.cat(per_level), levels
