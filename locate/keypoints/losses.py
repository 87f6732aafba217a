"""Keypoint losses over model outputs whose dim 1 is the keypoint (heatmaps or coordinates).

``prediction`` and ``target`` are ``Tensor[B, K, ...]``: heatmaps ``[B, K, S, S]`` or
normalised coordinates ``[B, K, 2]``; every loss is a scalar mean.
"""

import torch

HANDS = (1, 2)


def mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every element."""
    return torch.nn.functional.mse_loss(prediction.float(), target)


def swap_hands(values: torch.Tensor, hands: tuple[int, int] = HANDS) -> torch.Tensor:
    """``Tensor[B, K, ...]`` with the two hand entries of dim 1 exchanged (a new tensor)."""
    order = list(range(values.shape[1]))
    order[hands[0]], order[hands[1]] = hands[1], hands[0]
    return values[:, order]


def symmetric_mse(prediction: torch.Tensor, target: torch.Tensor, hands: tuple[int, int] = HANDS) -> torch.Tensor:
    """Permutation-invariant MSE: per sample the smaller of the two hand assignments' MSE, averaged."""
    prediction = prediction.float()
    as_labelled = (prediction - target).pow(2).flatten(1).mean(1)
    swapped = (prediction - swap_hands(target, hands)).pow(2).flatten(1).mean(1)
    return torch.minimum(as_labelled, swapped).mean()
