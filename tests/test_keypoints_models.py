"""The course models (shapes, skip switch, sizes) and the keypoint losses."""

import pytest
import torch

from locate.keypoints.losses import mse, swap_hands, symmetric_mse
from locate.keypoints.models import HeatmapNet, RegressionNet, parameter_count


@pytest.mark.parametrize("size", [32, 64, 128])
@pytest.mark.parametrize("skips", [True, False])
def test_heatmap_net_outputs_one_map_per_keypoint(size, skips):
    model = HeatmapNet(num_keypoints=5, heatmap_size=size, skips=skips).eval()
    with torch.no_grad():
        heatmaps = model(torch.rand(2, 1, 128, 128))
    assert heatmaps.shape == (2, 5, size, size)


def test_skip_switch_changes_the_parameter_count():
    with_skips = parameter_count(HeatmapNet(skips=True))
    without = parameter_count(HeatmapNet(skips=False))
    # the course's decoder: ConvTranspose 256->128, (128+128)->64, (64+64)->32, 1x1 32->5
    assert with_skips - without == (128 * 64 + 64 * 32) * 2 * 2
    assert with_skips > without


def test_unsupported_heatmap_size_is_rejected():
    with pytest.raises(ValueError, match="heatmap_size 48"):
        HeatmapNet(heatmap_size=48)


def test_regression_net_outputs_normalised_coordinates():
    model = RegressionNet(num_keypoints=5).eval()
    with torch.no_grad():
        points = model(torch.rand(3, 1, 128, 128))
    assert points.shape == (3, 5, 2)
    assert points.min() >= 0 and points.max() <= 1


def test_symmetric_loss_takes_the_better_hand_assignment_per_sample():
    target = torch.rand(4, 5, 2)
    prediction = target.clone()
    prediction[:2] = swap_hands(target[:2])  # first two samples have their hands swapped
    prediction[3] += 0.1
    assert mse(prediction, target) > 0
    assert symmetric_mse(prediction, target) == pytest.approx(0.01 / 4)
    heatmaps = torch.rand(2, 5, 8, 8)
    assert symmetric_mse(swap_hands(heatmaps), heatmaps) == 0
    both = torch.stack([mse(prediction[i : i + 1], target[i : i + 1]) for i in range(4)])
    flipped = torch.stack([mse(prediction[i : i + 1], swap_hands(target)[i : i + 1]) for i in range(4)])
    assert symmetric_mse(prediction, target) == pytest.approx(torch.minimum(both, flipped).mean().item())
