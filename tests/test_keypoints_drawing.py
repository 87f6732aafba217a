"""The keypoint figures: the bones follow the generator's figure, each panel holds the whole figure."""

import random

import numpy as np
import pytest
import torch
from PIL import Image

from locate.data.stick_figures import HEAD_RADIUS, TORSO_LENGTH, render_figure, sample_figure
from locate.keypoints_eval.drawing import MIN_PANEL_SIDE, PANEL_MARGIN, draw_predictions, panel_square
from locate.keypoints_eval.skeleton import HIP, SHOULDER, joints


@pytest.mark.parametrize("seed", range(5))
def test_the_joints_are_where_the_generator_puts_shoulder_and_hip(seed):
    keypoints = sample_figure(random.Random(seed))
    head_x, head_y = keypoints[0]
    centre_y = head_y + HEAD_RADIUS + TORSO_LENGTH // 2
    points = joints(torch.tensor(keypoints, dtype=torch.float32))
    assert points[SHOULDER].tolist() == [head_x, centre_y - TORSO_LENGTH // 4]
    assert points[HIP].tolist() == [head_x, centre_y + TORSO_LENGTH // 2]


def test_the_joints_scale_with_the_figure():
    keypoints = torch.tensor(sample_figure(random.Random(7)), dtype=torch.float32)
    assert torch.allclose(joints(keypoints * 3), joints(keypoints) * 3)


def test_a_panel_holds_every_point_with_its_margin_inside_the_image():
    points = torch.tensor([[10.0, 30.0], [70.0, 100.0], [40.0, 60.0]])
    left, top, side = panel_square(points, 128)
    assert side == 70 + 2 * PANEL_MARGIN
    assert left <= 10 - PANEL_MARGIN and left + side >= 70 + PANEL_MARGIN
    assert top <= 30 - PANEL_MARGIN and top + side >= 100 + PANEL_MARGIN
    corner = panel_square(torch.tensor([[1.0, 126.0], [3.0, 127.0]]), 128)
    assert corner == (-0.5, 127.5 - MIN_PANEL_SIDE, MIN_PANEL_SIDE)
    assert panel_square(torch.tensor([[0.0, 0.0], [127.0, 127.0]]), 128)[2] == 128


def test_the_figure_draws_a_panel_per_image_and_method(tmp_path):
    figures = [sample_figure(random.Random(seed)) for seed in range(2)]
    images = torch.from_numpy(np.stack([render_figure(k) for k in figures]))[:, None]
    truth = torch.tensor(figures, dtype=torch.float32)
    path = tmp_path / "grid.png"
    draw_predictions(images, truth, {"a": truth + 2, "b": truth - 3}, path, "title", torch.tensor([5, 6]))
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
    green = (pixels[..., 1] > 180) & (pixels[..., 0] < 90) & (pixels[..., 2] < 90)
    assert red.sum() > 200 and green.sum() > 200  # the prediction's and the truth's bones and keypoints
    assert not list(tmp_path.glob(".*"))
