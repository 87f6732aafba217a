"""Soft-argmax (integral regression): keypoint coordinates as the expectation of a softmax over a map.

For each keypoint the network's map of logits ``[S, S]`` becomes a probability map by a softmax
over all cells, and the keypoint is the probability-weighted mean of the cell centres: a
differentiable argmax that keeps where things are, trained on coordinates directly (Sun et
al. 2018, "Integral Human Pose Regression"). Cell centres follow the heatmap codec's
pixel-centre alignment: heatmap coordinate ``u`` is image pixel ``(u + 0.5) / scale - 0.5``.
"""

import torch


def expected_cells(logits: torch.Tensor) -> torch.Tensor:
    """Logits ``Tensor[B, K, H, W]`` -> float32 ``Tensor[B, K, 2]`` (x, y) expected cell coordinates.

    The softmax runs over the H * W cells of each map, in float32 whatever the input's dtype.
    """
    height, width = logits.shape[-2:]
    probabilities = torch.softmax(logits.float().flatten(-2), dim=-1).unflatten(-1, (height, width))
    columns = torch.arange(width, dtype=torch.float32, device=logits.device)
    rows = torch.arange(height, dtype=torch.float32, device=logits.device)
    x = (probabilities.sum(dim=-2) * columns).sum(dim=-1)
    y = (probabilities.sum(dim=-1) * rows).sum(dim=-1)
    return torch.stack([x, y], dim=-1)


def soft_argmax(logits: torch.Tensor, image_size: int) -> torch.Tensor:
    """Logits ``Tensor[B, K, S, S]`` -> keypoints float32 ``Tensor[B, K, 2]`` (x, y) as pixels / ``image_size``.

    The output is in the regression codec's units (pixel coordinates divided by the image side),
    so the same codec encodes the targets and decodes the predictions.
    """
    scale = logits.shape[-1] / image_size
    pixels = (expected_cells(logits) + 0.5) / scale - 0.5
    return pixels / image_size
