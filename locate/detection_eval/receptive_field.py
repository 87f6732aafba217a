"""Receptive field of each scale's output cells, found by back-propagating from one cell to the input.

The model is rebuilt from its config with every weight positive and every ReLU open, so the
gradient reaches every input pixel that any path connects to the cell: the result is the
architecture's receptive field, not what trained weights happen to use.
"""

import torch
from torch import nn

from locate.detection.config import DetectorConfig
from locate.detection.model import Detector


def _all_paths_open(model: Detector) -> Detector:
    """``model`` with positive conv weights, zero biases and identity batch norms (eval mode), in place."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                module.weight.fill_(1.0 / module.weight[0].numel())
                if module.bias is not None:
                    module.bias.zero_()
    return model.eval()


def receptive_fields(config: DetectorConfig) -> list[int]:
    """Per scale, finest first: the side in pixels of the input square that the centre cell's outputs see."""
    model = _all_paths_open(Detector(config)).float()
    size = config.image_size
    first = 0
    sides = []
    for feature_size, sizes in zip(config.feature_sizes, config.anchor_sizes, strict=True):
        images = torch.ones(1, 3, size, size, requires_grad=True)
        outputs = model(images)
        centre = feature_size // 2
        start = first + (centre * feature_size + centre) * len(sizes)
        outputs[0, start : start + len(sizes)].sum().backward()
        seen = images.grad[0].abs().sum(dim=0) > 0
        columns = seen.any(dim=0).nonzero()
        sides.append(int(columns.max() - columns.min() + 1))
        first += feature_size * feature_size * len(sizes)
    return sides
