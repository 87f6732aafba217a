"""Hand-pair decoding: a collapse of both hand channels onto one hand is undone, nothing else moves."""

import torch

from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints_eval.hand_pair import HandPairDecoder

CODEC = HeatmapCodec(image_size=128, heatmap_size=64, sigma=2.0)
POINTS = torch.tensor([[[20.0, 10.0], [40.0, 60.0], [90.0, 64.0], [30.0, 110.0], [96.0, 110.0]]])


def _heatmaps(left_second: float, right_second: float) -> torch.Tensor:
    """Both hand channels peak (1.0) on the left hand and have a weaker blob on the right hand."""
    maps = CODEC.encode(POINTS)
    left, right = CODEC.encode(POINTS[:, [1]])[:, 0], CODEC.encode(POINTS[:, [2]])[:, 0]
    maps[:, 1] = left + left_second * right
    maps[:, 2] = 0.9 * left + right_second * right
    return maps


def test_collapsed_hands_are_split_between_the_two_peaks():
    maps = _heatmaps(0.4, 0.5)
    independent = CODEC.decode(maps)
    assert (independent[0, 1] - independent[0, 2]).norm() < 1.0
    decoded = HandPairDecoder(CODEC, radius=3.0).decode(maps)
    assert torch.allclose(decoded[0, 1], POINTS[0, 1], atol=0.5)
    assert torch.allclose(decoded[0, 2], POINTS[0, 2], atol=0.5)
    assert torch.equal(decoded[0, [0, 3, 4]], independent[0, [0, 3, 4]])


def test_weak_second_peak_and_separate_hands_are_left_alone():
    maps = _heatmaps(0.05, 0.05)
    assert torch.equal(HandPairDecoder(CODEC, radius=3.0, min_ratio=0.25).decode(maps), CODEC.decode(maps))
    separate = CODEC.encode(POINTS)
    assert torch.equal(HandPairDecoder(CODEC, radius=3.0).decode(separate), CODEC.decode(separate))
