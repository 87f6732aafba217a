"""Keypoint losses over model outputs whose dim 1 is the keypoint (heatmaps or coordinates).

``prediction`` and ``target`` are ``Tensor[B, K, ...]``: heatmaps ``[B, K, S, S]`` or
normalised coordinates ``[B, K, 2]``; every loss is a scalar mean.
"""

import torch

from locate.data.entries import HANDS


def mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every element."""
    return torch.nn.functional.mse_loss(prediction.float(), target)


def l1(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error over every element."""
    return torch.nn.functional.l1_loss(prediction.float(), target)


def swap_hands(values: torch.Tensor, hands: tuple[int, int] = HANDS) -> torch.Tensor:
    """``Tensor[B, K, ...]`` with the two hand entries of dim 1 exchanged (a new tensor)."""
    order = list(range(values.shape[1]))
    order[hands[0]], order[hands[1]] = hands[1], hands[0]
    return values[:, order]


def least_over_hand_orders(prediction: torch.Tensor, target: torch.Tensor, error, hands: tuple[int, int] = HANDS
                           ) -> torch.Tensor:
    """Per sample the smaller mean ``error(difference)`` of the two hand assignments, averaged over the batch."""
    prediction = prediction.float()
    as_labelled = error(prediction - target).flatten(1).mean(1)
    swapped = error(prediction - swap_hands(target, hands)).flatten(1).mean(1)
    return torch.minimum(as_labelled, swapped).mean()


def symmetric_mse(prediction: torch.Tensor, target: torch.Tensor, hands: tuple[int, int] = HANDS) -> torch.Tensor:
    """Permutation-invariant MSE: per sample the smaller of the two hand assignments' MSE, averaged."""
    return least_over_hand_orders(prediction, target, torch.square, hands)


def symmetric_l1(prediction: torch.Tensor, target: torch.Tensor, hands: tuple[int, int] = HANDS) -> torch.Tensor:
    """Permutation-invariant L1: per sample the smaller of the two hand assignments' mean absolute error, averaged."""
    return least_over_hand_orders(prediction, target, torch.abs, hands)
