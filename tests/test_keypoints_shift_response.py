"""The shift gain: 1 for a model that follows the figure, 0 for one that ignores where it is."""

import torch

from locate.keypoints_eval.shift_response import CANVAS_VALUE, shift_gain, shifted_right


def _darkest_column(images: torch.Tensor) -> torch.Tensor:
    """A 'model' that localises: the x of each image's darkest column, as one keypoint ``[N, 1, 2]``."""
    column = images.float().sum(dim=(1, 2)).argmin(dim=-1).float()
    return torch.stack([column, torch.zeros_like(column)], dim=-1)[:, None]


def _images() -> torch.Tensor:
    images = torch.full((3, 1, 16, 32), CANVAS_VALUE, dtype=torch.uint8)
    for index, column in enumerate((4, 10, 17)):
        images[index, 0, :, column] = 0
    return images


def test_shifting_moves_the_content_right_and_fills_with_the_background():
    moved = shifted_right(_images(), 3)
    assert moved[0, 0, 0, 7] == 0 and moved[0, 0, 0, 4] == CANVAS_VALUE
    assert bool((moved[..., :3] == CANVAS_VALUE).all())


def test_a_localising_model_has_gain_one_and_a_constant_one_gain_zero():
    images, moved = _images(), shifted_right(_images(), 5)
    assert shift_gain(_darkest_column(images), _darkest_column(moved), pixels=5) == 1.0
    constant = torch.full((len(images), 1, 2), 7.0)
    assert shift_gain(constant, constant.clone(), pixels=5) == 0.0
