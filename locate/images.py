"""What a model reads: uint8 images from memory as float input in [0, 1], channels-last."""

import torch


def images_to_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``Tensor[B, C, H, W]`` -> float ``Tensor[B, C, H, W]`` in [0, 1], channels-last."""
    return images.float().div_(255).contiguous(memory_format=torch.channels_last)
