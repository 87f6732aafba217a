"""Training the detector with the shared epoch loop: anchor targets once, then :func:`locate.training.fit`."""

import torch

from locate.data.datasets import DetectionSplit
from locate.detection.config import DetectorConfig, LossWeights, MatchThresholds, Recipe, Targets
from locate.detection.loss import detection_loss
from locate.detection.model import Detector
from locate.detection.targets import anchor_targets
from locate.images import images_to_input
from locate.runtime import Runtime, seed_everything
from locate.training import Batches, FitSettings, Fitted, TrainingOutputs, fit


def split_batches(split: DetectionSplit, config: DetectorConfig, thresholds: MatchThresholds, min_visibility: float,
                  batch_size: int) -> Batches:
    """The split's images (uint8 ``[N, 3, S, S]``) with their anchor targets, computed once, as batches."""
    anchors, _ = config.anchors()
    targets = anchor_targets(split.boxes, split.labels, split.visibility, anchors, thresholds, min_visibility)
    return Batches({"images": split.images, "labels": targets.labels, "offsets": targets.offsets}, batch_size)


def loss_function(weights: LossWeights):
    """``compute_loss(model, batch)`` for :func:`fit`: the detection loss of one batch."""

    def compute_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        outputs = model(images_to_input(batch["images"]))
        return detection_loss(outputs, batch["labels"], batch["offsets"], weights)

    return compute_loss


def train_detector(config: DetectorConfig, targets: Targets, weights: LossWeights, recipe: Recipe,
                   train: DetectionSplit, val: DetectionSplit, runtime: Runtime, outputs: TrainingOutputs,
                   meta: dict) -> Fitted:
    """Seed, compute the anchor targets, build the model (channels-last on ``runtime.device``) and train it;
    the best-val checkpoint, carrying ``config`` and ``meta``, is ``outputs.checkpoint``."""
    generator = seed_everything(recipe.seed)
    train_batches = split_batches(train, config, targets.thresholds, targets.min_visibility, recipe.batch_size)
    val_batches = split_batches(val, config, targets.thresholds, targets.min_visibility, recipe.batch_size)
    model = Detector(config).to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    scheduler = None
    if recipe.lr_schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=recipe.epochs)
    meta = {"config": config.to_dict(), "category_names": train.category_names} | meta
    settings = FitSettings(recipe.epochs, runtime, outputs.for_fit(meta), generator, scheduler, name="detector")
    return fit(model, optimizer, loss_function(weights), train_batches, val_batches, settings)
