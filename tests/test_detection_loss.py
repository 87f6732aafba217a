"""Loss: hard-negative mining per image, finite and decreasing on a tiny overfit run."""

from dataclasses import replace

import pytest
import torch

from locate.data.datasets import load_detection
from locate.data.generate import generate_datasets
from locate.detection.config import Augmentation, DetectorConfig, LossWeights, MatchThresholds, Targets
from locate.detection.loss import detection_loss, hard_negatives
from locate.detection.model import Detector
from locate.detection.trainer import loss_function, object_batches, split_batches

WEIGHTS = LossWeights(objectness=1.0, classification=1.0, box=2.0, negatives_per_positive=3, smooth_l1_beta=1 / 9)
TINY = DetectorConfig([4, 8, 8, 16, 16], [[16, 24, 32], [48, 64, 96], [96, 128, 192]], 3, 224)


def test_hard_negatives_keep_each_images_highest_losses():
    losses = torch.tensor([[0.1, 0.9, -torch.inf, 0.5, 0.3], [0.2, 0.1, 0.4, -torch.inf, -torch.inf]])
    mask = hard_negatives(losses, torch.tensor([2, 5]))
    assert mask.tolist() == [[False, True, False, True, False], [True, True, True, False, False]]


def test_loss_parts_are_normalised_by_positives():
    outputs = torch.zeros(1, 4, 8)
    labels = torch.tensor([[1, 0, 0, -1]])
    offsets = torch.zeros(1, 4, 4)
    losses = detection_loss(outputs, labels, offsets, WEIGHTS)
    log2 = torch.log(torch.tensor(2.0))
    assert torch.allclose(losses["obj"], 3 * log2)  # one positive and both negatives, all at logit 0
    assert torch.allclose(losses["cls"], torch.log(torch.tensor(3.0)))
    assert losses["box"] == 0
    assert torch.allclose(losses["total"], losses["obj"] + losses["cls"])


@pytest.mark.parametrize("augmented", [False, True])
def test_loss_finite_and_decreasing_on_tiny_overfit(tmp_path, augmented):
    """Course batches (targets computed once), and augmented ones (matched after a flip and shift) with GIoU."""
    generate_datasets(tmp_path / "data", seed=3, num_train=2, num_val=1, workers=1)
    split = load_detection(tmp_path / "data" / "detection", "train")
    targets = Targets(MatchThresholds(0.5, 0.3), 0.1)
    if augmented:
        batch = next(object_batches(split, batch_size=2).iterate())
        weights, augmentation = replace(WEIGHTS, box_loss="giou"), Augmentation(hflip=True, max_shift=8)
    else:
        batch = next(split_batches(split, TINY, targets, batch_size=2).iterate())
        weights, augmentation = WEIGHTS, Augmentation(hflip=False, max_shift=0)
    torch.manual_seed(0)
    model = Detector(TINY)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    compute_loss = loss_function(weights, TINY.box_coder(), TINY.anchors()[0], targets, augmentation,
                                 torch.Generator().manual_seed(0))
    totals = []
    for _ in range(12):
        losses = compute_loss(model, batch)
        assert all(torch.isfinite(value) for value in losses.values())
        optimizer.zero_grad()
        losses["total"].backward()
        optimizer.step()
        totals.append(losses["total"].item())
    assert totals[-1] < 0.65 * totals[0]
    assert max(totals[-3:]) < min(totals[:3])
