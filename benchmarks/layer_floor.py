"""The least time each trainer needs on this machine, layer by layer, and how far the trainers are from it.

Every convolution and linear layer of each trained model is timed alone at its training
shape (batch of the recipe, the trainer's precision under autocast): forward and backward
(the input's gradient where the layer's input needs one, and the weights'), and forward
alone at the validation passes. Inputs have the dtype the trainer feeds the layer (bf16
between layers under bf16 autocast); each time is the least of ``REPEATS`` runs. Each layer
is timed in both memory layouts (channels-last, contiguous) and on every thread count from 1
to the cores this process may use; its floor is the best of them per image, where ``t``
threads leave ``cores / t`` copies of the layer to run side by side (processes of a torchrun,
say: the per-image time is divided by that many); its one-process floor is the best layout on
all cores in one process, as a stage trains. The floor of a recipe is the sum over its
layers, times the training and validation images of all its epochs; batch norm, activations,
pooling, losses and the optimiser count nothing (memory-bound work the floor leaves to the
trainers). The measured time is what the training stage recorded in ``metrics/speed/``
(training and validation passes, with the detector's per-epoch val mAP).

Writes ``benchmarks/results/layer_floor.json``; run from the repository root:
``python -m benchmarks.layer_floor [recipe ...]`` (recipes: detector, detector_improved,
heatmap, regression, integral).
"""

import argparse
import copy
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from benchmarks.names import chosen
from locate.atomic import write_json
from locate.cores import usable_cores
from locate.data.config import read_data
from locate.detection.model import Detector
from locate.detection.recipes import COURSE, IMPROVED, RecipeFiles, read_recipe
from locate.keypoints.config import read_keypoints
from locate.keypoints.method import build_model
from locate.runtime import Runtime, runtime_from_params
from stages.train_keypoints import method_job

RESULT = Path("benchmarks/results/layer_floor.json")
SPEED = Path("metrics/speed")
TIMED_LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
LAYOUTS = {"channels_last": torch.channels_last, "contiguous": torch.contiguous_format}
WARMUP, REPEATS = 2, 8
KEYPOINT_IMAGE = (1, 128, 128)
KEYPOINT_RECIPES = ("heatmap", "regression", "integral")  # one method per keypoint model


@dataclass(frozen=True)
class RecipeShape:
    """What the floor of one recipe needs: the model, one image's shape ``(C, H, W)``, the batch size,
    epochs, training and val images per epoch, and the speed record its stage writes."""

    model: nn.Module
    image: tuple[int, int, int]
    batch_size: int
    epochs: int
    train_images: int
    val_images: int
    speed: Path


@dataclass(frozen=True)
class Layer:
    """A timed layer: its name in the model, the module, its input's shape ``[B, ...]`` and dtype (as the
    trainer feeds it, bf16 between layers under bf16 autocast) and whether the input needs a gradient."""

    name: str
    module: nn.Module
    input_shape: tuple[int, ...]
    input_dtype: torch.dtype
    input_grad: bool


def recipe_shapes() -> dict[str, RecipeShape]:
    """Every recipe this benchmark knows, from ``params.yaml``."""
    data = read_data()
    shapes = {}
    for recipe, name in ((COURSE, "detector"), (IMPROVED, "detector_improved")):
        params = read_recipe(recipe)
        config = params.model_config(3)
        shapes[name] = RecipeShape(Detector(config), (3, config.image_size, config.image_size), params.batch_size,
                                   params.epochs, data.num_train, data.num_val, RecipeFiles.of(recipe).train_speed)
    keypoints = read_keypoints()
    for name in KEYPOINT_RECIPES:
        config, _, speed = method_job(keypoints, name)
        shapes[name] = RecipeShape(build_model(config), KEYPOINT_IMAGE, keypoints.batch_size, keypoints.epochs,
                                   data.num_train, data.num_val, SPEED / f"{speed}.json")
    return shapes


def training_layers(model: nn.Module, image: tuple[int, int, int], batch_size: int, runtime: Runtime) -> list[Layer]:
    """The convolution and linear layers ``model`` runs on a batch, with the shapes they see."""
    layers, handles = [], []
    for name, module in model.named_modules():
        if isinstance(module, TIMED_LAYERS):
            def record(module, inputs, output, name=name):
                layers.append(Layer(name, module, tuple(inputs[0].shape), inputs[0].dtype, inputs[0].requires_grad))
            handles.append(module.register_forward_hook(record))
    model.train()
    with runtime.autocast():
        model(torch.rand(batch_size, *image).contiguous(memory_format=torch.channels_last))
    for handle in handles:
        handle.remove()
    return layers


def _least_seconds(run) -> float:
    """The shortest of ``REPEATS`` runs after ``WARMUP``: a floor, the least disturbed by other work."""
    for _ in range(WARMUP):
        run()
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def layer_seconds(layer: Layer, layout: torch.memory_format, runtime: Runtime) -> tuple[float, float]:
    """Least seconds of one training pass (forward and backward) and of one forward alone, of ``layer`` on
    its batch in ``layout``."""
    module = copy.deepcopy(layer.module).to(memory_format=layout) if len(layer.input_shape) == 4 \
        else copy.deepcopy(layer.module)
    inputs = torch.randn(layer.input_shape).to(layer.input_dtype)
    if inputs.dim() == 4:
        inputs = inputs.contiguous(memory_format=layout)
    inputs.requires_grad_(layer.input_grad)
    with runtime.autocast():
        gradient = torch.randn_like(module(inputs).float())

    def training_pass():
        with runtime.autocast():
            output = module(inputs)
        output.backward(gradient.to(output.dtype))

    def forward_pass():
        with torch.no_grad(), runtime.autocast():
            module(inputs)

    return _least_seconds(training_pass), _least_seconds(forward_pass)


def layer_floor(layer: Layer, runtime: Runtime, cores: int) -> dict:
    """Milliseconds per image of ``layer``'s training pass and forward pass at its best layout and thread
    count, and (``one_process_*``) at its best layout on all cores in one process, as a stage trains."""
    train, forward, one_process = {}, {}, {}
    for threads in range(1, cores + 1):
        torch.set_num_threads(threads)
        images = layer.input_shape[0] * (cores // threads)
        for layout_name, layout in LAYOUTS.items():
            train_seconds, forward_seconds = layer_seconds(layer, layout, runtime)
            train[(threads, layout_name)] = 1000 * train_seconds / images
            forward[(threads, layout_name)] = 1000 * forward_seconds / images
            if threads == cores:
                one_process[layout_name] = (1000 * train_seconds / images, 1000 * forward_seconds / images)
    torch.set_num_threads(runtime.threads)
    threads, layout = min(train, key=train.get)
    best_one = min(one_process.values())
    return {"layer": layer.name, "input": list(layer.input_shape),
            "train_ms_per_image": round(train[threads, layout], 4),
            "forward_ms_per_image": round(min(forward.values()), 4), "layout": layout, "threads": threads,
            "one_process_train_ms_per_image": round(best_one[0], 4),
            "one_process_forward_ms_per_image": round(min(f for _, f in one_process.values()), 4)}


def _seconds(shape: RecipeShape, layers: list[dict], prefix: str = "") -> float:
    train_ms = sum(layer[f"{prefix}train_ms_per_image"] for layer in layers)
    forward_ms = sum(layer[f"{prefix}forward_ms_per_image"] for layer in layers)
    return shape.epochs * (shape.train_images * train_ms + shape.val_images * forward_ms) / 1000


def recipe_floor(shape: RecipeShape, runtime: Runtime, cores: int) -> dict:
    """The floor of one recipe (``floor_seconds``; ``one_process_floor_seconds`` in one process on all
    cores) against the time its stage recorded."""
    layers = [layer_floor(layer, runtime, cores)
              for layer in training_layers(shape.model, shape.image, shape.batch_size, runtime)]
    floor, one_process = _seconds(shape, layers), _seconds(shape, layers, "one_process_")
    result = {"epochs": shape.epochs, "train_images": shape.train_images, "val_images": shape.val_images,
              "floor_train_ms_per_image": round(sum(layer["train_ms_per_image"] for layer in layers), 3),
              "floor_seconds": round(floor, 1), "one_process_floor_seconds": round(one_process, 1), "layers": layers}
    if shape.speed.is_file():
        measured = json.loads(shape.speed.read_text())
        result |= {"measured_seconds": measured["train_seconds"],
                   "measured_over_floor": round(measured["train_seconds"] / floor, 2),
                   "measured_over_one_process_floor": round(measured["train_seconds"] / one_process, 2),
                   "measured_runtime": measured["runtime"]}
    return result


def main() -> int:
    shapes = recipe_shapes()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipes", nargs="*", help=f"any of {', '.join(shapes)} (default: all)")
    parser.add_argument("--out", type=Path, default=RESULT)
    arguments = parser.parse_args()
    arguments.recipes = chosen(parser, arguments.recipes, list(shapes), "recipes")
    runtime = runtime_from_params()
    cores = usable_cores()
    load_before = os.getloadavg()[0]
    recipes = {}
    for name in arguments.recipes:
        recipes[name] = recipe_floor(shapes[name], runtime, cores)
        found = recipes[name]
        measured = ""
        if "measured_seconds" in found:
            measured = (f", measured {found['measured_seconds'] / 60:.1f} min = {found['measured_over_floor']}x"
                        f" ({found['measured_over_one_process_floor']}x one process)")
        print(f"{name}: floor {found['floor_seconds'] / 60:.1f} min, one process "
              f"{found['one_process_floor_seconds'] / 60:.1f} min{measured}", flush=True)
    write_json(arguments.out, {"precision": runtime.precision, "cores": cores, "recipes": recipes,
                               "runtime": runtime.describe(),
                               "load_average_1min": {"before": round(load_before, 2),
                                                     "after": round(os.getloadavg()[0], 2)}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
