"""PCK (percentage of correct keypoints) and the ceilings set by the indistinguishable hands.

All functions take keypoints as ``Tensor[N, K, 2]`` (x, y) pixels. The normaliser is the
diagonal of the bounding box of each image's ground-truth keypoints (the course's
"bbox" PCK). A keypoint is correct when its distance to the truth is strictly below
``threshold * diagonal``.
"""

import torch

from locate.data.entries import HANDS
from locate.keypoints.losses import swap_hands

THRESHOLDS = (0.05, 0.10, 0.15, 0.20)
PER_KEYPOINT_THRESHOLD = 0.2  # the one threshold of the per-keypoint scores


def threshold_key(threshold: float) -> str:
    """``0.05 -> "pck_05"``, ``0.2 -> "pck_20"``."""
    return f"pck_{round(threshold * 100):02d}"


def bbox_diagonal(truth: torch.Tensor) -> torch.Tensor:
    """Diagonal of each image's ground-truth keypoint bounding box: ``Tensor[N]``."""
    extent = truth.amax(dim=1) - truth.amin(dim=1)
    return extent.float().norm(dim=-1)


def correct(prediction: torch.Tensor, truth: torch.Tensor, threshold: float) -> torch.Tensor:
    """bool ``Tensor[N, K]``: distance < ``threshold`` * ground-truth bbox diagonal."""
    distance = (prediction.float() - truth.float()).norm(dim=-1)
    return distance < threshold * bbox_diagonal(truth)[:, None]


def symmetric_correct(
    prediction: torch.Tensor, truth: torch.Tensor, threshold: float, hands: tuple[int, int] = HANDS
) -> torch.Tensor:
    """bool ``Tensor[N, K]`` with the hands scored as an unordered pair.

    Per image, the hand assignment (as labelled or swapped) with more correct hands is
    used; ties keep the labelled one.
    """
    as_labelled = correct(prediction, truth, threshold)
    swapped = correct(prediction, swap_hands(truth, hands), threshold)
    hand_index = list(hands)
    better = swapped[:, hand_index].sum(1) > as_labelled[:, hand_index].sum(1)
    chosen = as_labelled.clone()
    chosen[:, hand_index] = torch.where(better[:, None], swapped[:, hand_index], as_labelled[:, hand_index])
    return chosen


def pck(prediction: torch.Tensor, truth: torch.Tensor, thresholds=THRESHOLDS, symmetric: bool = False) -> dict:
    """``{"pck_05": fraction, ...}`` over all images and keypoints, one entry per threshold."""
    score = symmetric_correct if symmetric else correct
    return {threshold_key(t): score(prediction, truth, t).float().mean().item() for t in thresholds}


def pck_per_keypoint(
    prediction: torch.Tensor, truth: torch.Tensor, names: list[str], threshold: float = PER_KEYPOINT_THRESHOLD,
    symmetric: bool = False,
) -> dict:
    """``{keypoint name: fraction correct}`` at one threshold."""
    score = symmetric_correct if symmetric else correct
    fractions = score(prediction, truth, threshold).float().mean(0)
    return {name: fraction.item() for name, fraction in zip(names, fractions, strict=True)}


def all_correct(prediction: torch.Tensor, truth: torch.Tensor, threshold: float = 0.05) -> torch.Tensor:
    """bool ``Tensor[N]``: every keypoint of the image correct under the symmetric score."""
    return symmetric_correct(prediction, truth, threshold).all(dim=1)


def random_assignment_ceiling(truth: torch.Tensor, thresholds=THRESHOLDS, hands: tuple[int, int] = HANDS) -> dict:
    """Expected course PCK of a perfect localiser that labels the two hands by a coin flip.

    The mean of the scores of the labelled and the swapped assignment of the true points.
    """
    swapped = swap_hands(truth, hands)
    result = {}
    for t in thresholds:
        as_labelled = correct(truth, truth, t).float().mean()
        flipped = correct(swapped, truth, t).float().mean()
        result[threshold_key(t)] = (0.5 * (as_labelled + flipped)).item()
    return result


def best_possible_ceiling(truth: torch.Tensor, thresholds=THRESHOLDS, hands: tuple[int, int] = HANDS) -> dict:
    """The highest expected course PCK any predictor can reach when the hand labels are a coin flip.

    The image shows the two hands as an unordered pair {A, B}; each predicted hand scores
    on average ([near A] + [near B]) / 2. One point can be strictly within r = t * diagonal
    of both only when |A - B| < 2r: then both predicted hands count, otherwise one of the
    two on average. The other keypoints all count.
    """
    count = truth.shape[1]
    separation = (truth[:, hands[0]] - truth[:, hands[1]]).float().norm(dim=-1)
    diagonal = bbox_diagonal(truth)
    result = {}
    for t in thresholds:
        hands_counted = 1.0 + (separation < 2 * t * diagonal).float()
        result[threshold_key(t)] = ((count - 2 + hands_counted) / count).mean().item()
    return result
