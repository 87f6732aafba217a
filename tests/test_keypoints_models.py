"""The course models (shapes, skip switch, sizes, the declared widths) and the keypoint losses."""

import pytest
import torch
from torch import nn

from locate.data.entries import FIGURE_SIZE, KEYPOINT_NAMES
from locate.keypoints.losses import l1, mse, swap_hands, symmetric_l1, symmetric_mse
from locate.keypoints.models import (
    COURSE_DROPOUT,
    DECODER_CHANNELS,
    ENCODER_CHANNELS,
    ENCODER_STRIDE,
    INPUT_CHANNELS,
    REGRESSION_HIDDEN,
    HeatmapNet,
    RegressionNet,
    parameter_count,
)

K = len(KEYPOINT_NAMES)


def _heatmap_net(heatmap_size: int = 64, skips: bool = True) -> HeatmapNet:
    return HeatmapNet(K, heatmap_size, skips, FIGURE_SIZE)


@pytest.mark.parametrize("size", [32, 64, 128])
@pytest.mark.parametrize("skips", [True, False])
def test_heatmap_net_outputs_one_map_per_keypoint(size, skips):
    model = _heatmap_net(size, skips).eval()
    with torch.no_grad():
        heatmaps = model(torch.rand(2, 1, FIGURE_SIZE, FIGURE_SIZE))
    assert heatmaps.shape == (2, K, size, size)


def test_skip_switch_changes_the_parameter_count():
    with_skips = parameter_count(_heatmap_net(skips=True))
    without = parameter_count(_heatmap_net(skips=False))
    # the course's decoder: ConvTranspose 256->128, (128+128)->64, (64+64)->32, 1x1 32->5
    assert with_skips - without == (128 * 64 + 64 * 32) * 2 * 2
    assert with_skips > without


def test_unsupported_heatmap_size_is_rejected():
    with pytest.raises(ValueError, match="heatmap_size 48"):
        _heatmap_net(heatmap_size=48)


def test_regression_net_outputs_normalised_coordinates():
    model = RegressionNet(K, COURSE_DROPOUT).eval()
    with torch.no_grad():
        points = model(torch.rand(3, 1, FIGURE_SIZE, FIGURE_SIZE))
    assert points.shape == (3, K, 2)
    assert points.min() >= 0 and points.max() <= 1


def _layers(model: nn.Module, kind: type) -> list:
    return [module for module in model.modules() if isinstance(module, kind)]


def test_the_declared_widths_are_the_models_widths():
    heatmap, regression = _heatmap_net(64, skips=True), RegressionNet(K, COURSE_DROPOUT)
    convs = _layers(heatmap.encoder, nn.Conv2d)
    assert [(c.in_channels, c.out_channels) for c in convs] == list(
        zip((INPUT_CHANNELS, *ENCODER_CHANNELS[:-1]), ENCODER_CHANNELS, strict=True))
    with torch.no_grad():
        bottleneck = heatmap.encoder(torch.rand(1, INPUT_CHANNELS, FIGURE_SIZE, FIGURE_SIZE))[-1]
    assert bottleneck.shape[-1] == FIGURE_SIZE // ENCODER_STRIDE
    ups = _layers(heatmap, nn.ConvTranspose2d)
    assert [up.out_channels for up in ups] == list(DECODER_CHANNELS[: len(ups)])
    linears = _layers(regression.head, nn.Linear)
    assert [(fc.in_features, fc.out_features) for fc in linears] == list(
        zip((ENCODER_CHANNELS[-1], *REGRESSION_HIDDEN), (*REGRESSION_HIDDEN, 2 * K), strict=True))
    assert {dropout.p for dropout in _layers(regression, nn.Dropout)} == {COURSE_DROPOUT}


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


def test_symmetric_l1_takes_the_better_hand_assignment_per_sample():
    target = torch.rand(4, 5, 2)
    prediction = swap_hands(target)
    prediction[3] += 0.1
    assert l1(prediction, target) > 0
    assert symmetric_l1(prediction, target) == pytest.approx(0.1 / 4)
