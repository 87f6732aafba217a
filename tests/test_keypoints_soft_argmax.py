"""Soft-argmax: the expected location of a softmax map, aligned with the heatmap codec's pixel centres."""

import pytest
import torch

from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.models import IntegralNet
from locate.keypoints.soft_argmax import expected_cells, soft_argmax

IMAGE_SIZE = 128


def test_a_gaussian_map_gives_its_centre_to_a_small_fraction_of_a_cell():
    codec = HeatmapCodec(IMAGE_SIZE, 64, sigma=2.0)
    keypoints = torch.tensor([[[37.3, 90.8], [64.0, 20.25], [100.9, 55.5]]])
    logits = codec.encode(keypoints).log()  # log of a Gaussian: its softmax is the Gaussian itself
    found = soft_argmax(logits, IMAGE_SIZE) * IMAGE_SIZE
    assert torch.allclose(found, keypoints, atol=0.01 / codec.scale)


def test_a_single_hot_cell_is_its_centre_in_every_map_size():
    for size in (16, 32, 64):
        logits = torch.full((1, 1, size, size), -1e4)
        logits[0, 0, 3, 5] = 0.0
        assert expected_cells(logits).tolist() == [[[5.0, 3.0]]]
        cell = IMAGE_SIZE / size
        pixel = soft_argmax(logits, IMAGE_SIZE)[0, 0] * IMAGE_SIZE
        assert pixel.tolist() == pytest.approx([5.5 * cell - 0.5, 3.5 * cell - 0.5])


def test_it_computes_in_float32_and_passes_gradients():
    logits = torch.randn(2, 5, 16, 16, dtype=torch.bfloat16, requires_grad=True)
    found = soft_argmax(logits, IMAGE_SIZE)
    assert found.dtype == torch.float32 and found.shape == (2, 5, 2)
    found.sum().backward()
    assert logits.grad is not None and torch.isfinite(logits.grad.float()).all()


def test_the_integral_network_outputs_coordinates_inside_the_image():
    model = IntegralNet(5, 64, True, IMAGE_SIZE).eval()
    with torch.no_grad():
        coordinates = model(torch.rand(3, 1, IMAGE_SIZE, IMAGE_SIZE))
    assert coordinates.shape == (3, 5, 2)
    low, high = -0.5 / IMAGE_SIZE, (IMAGE_SIZE - 0.5) / IMAGE_SIZE
    assert bool(((coordinates >= low) & (coordinates <= high)).all())
