"""How far a keypoint model's predictions follow a figure that moves: its shift gain.

Every val image is moved ``SHIFT_PIXELS`` to the right (the vacated columns take the white
background) and predicted again. The gain is the mean horizontal move of the predicted
keypoints per pixel of image move: 1 for a model that localises, 0 for one that predicts the
same place whatever the image (a model whose features forget where things are, as global
average pooling does, sits near 0).
"""

import torch

SHIFT_PIXELS = 8
CANVAS_VALUE = 255  # the white canvas of the stick-figure images


def shifted_right(images: torch.Tensor, pixels: int) -> torch.Tensor:
    """uint8 ``Tensor[N, C, H, W]`` moved ``pixels`` columns to the right, the first columns filled with white."""
    moved = torch.roll(images, shifts=pixels, dims=-1)
    moved[..., :pixels] = CANVAS_VALUE
    return moved


def shift_gain(before: torch.Tensor, after: torch.Tensor, pixels: int = SHIFT_PIXELS) -> float:
    """Mean move of the predicted x per pixel of image move, over every keypoint of every image.

    before, after: keypoints ``Tensor[N, K, 2]`` (x, y) pixels predicted on the images and on the
    same images :func:`shifted_right` by ``pixels``.
    """
    return float((after[..., 0] - before[..., 0]).mean() / pixels)
