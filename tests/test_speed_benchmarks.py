"""The CPU speed benchmarks' own logic: which layers the floor times, what kind of work an operator is."""

import argparse

import pytest
import torch
from torch import nn

from benchmarks.layer_floor import RecipeShape, _seconds, training_layers
from benchmarks.names import chosen
from benchmarks.step_profile import kind_of
from locate.runtime import make_runtime


def test_the_floor_times_every_convolution_and_linear_layer_at_its_training_input():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 8 * 8, 2))
    layers = training_layers(model, (1, 8, 8), 5, make_runtime("cpu", "bf16", 1))
    assert [(layer.name, layer.input_shape) for layer in layers] == [("0", (5, 1, 8, 8)), ("4", (5, 256))]
    assert layers[0].input_dtype == torch.float32 and not layers[0].input_grad
    assert layers[1].input_dtype == torch.bfloat16 and layers[1].input_grad  # autocast's conv output, via BN


def test_a_recipe_floor_counts_training_and_validation_images_of_every_epoch():
    shape = RecipeShape(nn.Identity(), (1, 8, 8), 4, epochs=3, train_images=10, val_images=2, speed=None)
    layers = [{"train_ms_per_image": 2.0, "forward_ms_per_image": 1.0}] * 2
    assert _seconds(shape, layers) == pytest.approx(3 * (10 * 4.0 + 2 * 2.0) / 1000)


@pytest.mark.parametrize(("operator", "kind"), [
    ("aten::convolution_backward", "convolution"), ("aten::native_batch_norm_backward", "normalisation"),
    ("aten::clamp_min_", "activation"), ("aten::threshold_backward", "activation"),
    ("aten::max_pool2d_with_indices", "pooling_and_resizing"), ("aten::cat", "pooling_and_resizing"),
    ("aten::scatter_", "other"), ("aten::copy_", "copy_and_conversion"), ("aten::fill_", "other"),
])
def test_operators_are_sorted_into_kinds_of_work(operator, kind):
    assert kind_of(operator) == kind


def test_benchmark_names_default_to_all_and_refuse_unknown_ones():
    parser = argparse.ArgumentParser()
    assert chosen(parser, [], ("a", "b"), "trainers") == ["a", "b"]
    assert chosen(parser, ["b"], ("a", "b"), "trainers") == ["b"]
    with pytest.raises(SystemExit):
        chosen(parser, ["c"], ("a", "b"), "trainers")
