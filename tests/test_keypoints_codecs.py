"""Heatmap and regression codecs: exact round trips, border handling, hand-made argmax decoding."""

import pytest
import torch

from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.regression_codec import RegressionCodec


def _random_keypoints(count: int = 300) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    keypoints = torch.rand(count, 5, 2, generator=generator) * 128 - 0.5
    keypoints[:20, :, 0] = torch.tensor([0.0, 127.0, -0.5, 127.5, 0.3])
    keypoints[20:40, :, 1] = torch.tensor([127.0, 0.0, 126.8, -0.4, 1.0])
    keypoints[40:60] = torch.randint(0, 128, (20, 5, 2), generator=generator).float()
    return keypoints


@pytest.mark.parametrize("size", [32, 64, 128])
@pytest.mark.parametrize("sigma", [1.0, 2.0, 4.0])
def test_heatmap_round_trip_within_half_a_pixel(size, sigma):
    codec = HeatmapCodec(128, size, sigma)
    keypoints = _random_keypoints()
    decoded = codec.decode(codec.encode(keypoints))
    assert decoded.shape == keypoints.shape
    assert (decoded - keypoints).abs().max() < 0.5


def test_targets_peak_one_at_the_keypoint_cell():
    codec = HeatmapCodec(128, 64, 2.0)
    heatmaps = codec.encode(torch.tensor([[[20.5, 100.5]]]))  # pixel centre of heatmap cell (x 10, y 50)
    assert heatmaps.shape == (1, 1, 64, 64)
    assert heatmaps[0, 0, 50, 10] == pytest.approx(1.0)
    assert heatmaps.max() == pytest.approx(1.0)
    assert heatmaps[0, 0, 50, 12] == pytest.approx(torch.exp(torch.tensor(-4 / 8)).item())


def test_keypoints_past_the_edge_are_clamped_to_the_image():
    codec = HeatmapCodec(128, 64, 2.0)
    outside = torch.tensor([[[-30.0, 64.0], [200.0, 500.0]]])
    decoded = codec.decode(codec.encode(outside))
    assert torch.allclose(decoded, torch.tensor([[[-0.5, 64.0], [127.5, 127.5]]]), atol=1e-3)


def test_argmax_decoding_of_a_hand_made_heatmap():
    heatmaps = torch.zeros(1, 2, 64, 64)
    heatmaps[0, 0, 10, 20] = 1.0  # lone peak: row 10, column 20
    heatmaps[0, 1, 5, 40] = 0.9
    heatmaps[0, 1, 5, 41] = 0.9 * torch.exp(torch.tensor(-0.5)).item()  # neighbour to the right
    heatmaps[0, 1, 5, 39] = 0.9 * torch.exp(torch.tensor(-0.5)).item()
    plain = HeatmapCodec(128, 64, 2.0, subpixel=False).decode(heatmaps)
    # heatmap cell c -> image pixel (c + 0.5) * 2 - 0.5
    assert plain.tolist() == [[[40.5, 20.5], [80.5, 10.5]]]
    refined = HeatmapCodec(128, 64, 2.0, subpixel=True).decode(heatmaps)
    assert torch.allclose(refined, plain)


def test_subpixel_refinement_moves_towards_the_larger_neighbour():
    heatmaps = torch.full((1, 1, 8, 8), 0.01)
    heatmaps[0, 0, 4, 3:6] = torch.tensor([0.5, 1.0, 0.8])
    heatmaps[0, 0, 3, 4] = heatmaps[0, 0, 5, 4] = 0.5
    codec = HeatmapCodec(16, 8, 1.0)
    x, y = codec.decode(heatmaps)[0, 0].tolist()
    assert 2 * 4 + 0.5 < x < 2 * 5 + 0.5  # between cell 4 and 5 in image pixels
    assert y == pytest.approx(2 * 4 + 0.5)


def test_regression_codec_normalises_and_back():
    codec = RegressionCodec(128)
    keypoints = _random_keypoints().clamp(0, 127)
    targets = codec.encode(keypoints)
    assert targets.min() >= 0 and targets.max() <= 1
    assert torch.allclose(codec.decode(targets), keypoints, atol=1e-4)
