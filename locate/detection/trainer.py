"""Training the detector with the shared epoch loop: anchor targets once, then :func:`locate.training.fit`."""

import torch

from locate.data.datasets import DetectionSplit
from locate.detection.augment import Augmentation, augment
from locate.detection.box_coder import BoxCoder
from locate.detection.config import DetectorConfig, DetectorSchedule, LossWeights, Targets
from locate.detection.loss import detection_loss
from locate.detection.model import Detector
from locate.detection.selection import SCORE_NAME, val_map50
from locate.detection.targets import PaddedObjects, anchor_targets, padded_targets
from locate.images import images_to_input
from locate.runtime import Runtime, seed_everything
from locate.training import Batches, FitSettings, Fitted, TrainingOutputs, fit


def split_batches(split: DetectionSplit, config: DetectorConfig, targets: Targets, batch_size: int) -> Batches:
    """The split's images (uint8 ``[N, 3, S, S]``) with their anchor targets, computed once, as batches."""
    anchors, _ = config.anchors()
    computed = anchor_targets(split.boxes, split.labels, split.visibility, anchors, targets.thresholds,
                              targets.min_visibility)
    return Batches({"images": split.images, "labels": computed.labels, "offsets": computed.offsets}, batch_size)


def object_batches(split: DetectionSplit, batch_size: int) -> Batches:
    """The split's images with their objects padded per image (:class:`PaddedObjects`' fields), as batches:
    their targets are computed batch by batch, after augmentation."""
    objects = PaddedObjects.of_split(split.boxes, split.labels, split.visibility)
    return Batches({"images": split.images, "boxes": objects.boxes, "classes": objects.labels,
                    "visibility": objects.visibility, "valid": objects.valid}, batch_size)


def loss_function(weights: LossWeights, coder: BoxCoder, anchors: torch.Tensor, targets: Targets,
                  augmentation: Augmentation, generator: torch.Generator):
    """``compute_loss(model, batch)`` for :func:`fit`: the detection loss of one batch, the model's box outputs in
    the units of ``coder``.

    A batch of :func:`object_batches` is augmented (draws from ``generator``) and matched to
    ``anchors`` (``Tensor[A, 4]`` xyxy, on the training device) first; one of
    :func:`split_batches` carries its targets.
    """

    def compute_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        images = batch["images"]
        if "boxes" in batch:
            objects = PaddedObjects(batch["boxes"], batch["classes"], batch["visibility"], batch["valid"])
            images, objects = augment(images, objects, augmentation, generator)
            matched = padded_targets(objects, anchors, targets.thresholds, targets.min_visibility)
            labels, offsets = matched.labels, matched.offsets
        else:
            labels, offsets = batch["labels"], batch["offsets"]
        return detection_loss(model(images_to_input(images)), labels, offsets, weights, anchors, coder)

    return compute_loss


def train_detector(config: DetectorConfig, targets: Targets, weights: LossWeights, schedule: DetectorSchedule,
                   train: DetectionSplit, val: DetectionSplit, runtime: Runtime, outputs: TrainingOutputs,
                   meta: dict) -> Fitted:
    """Seed, compute the anchor targets (batch by batch when ``schedule.augmentation`` is on), build the model
    (channels-last on ``runtime.device``) and train it; the best-val checkpoint, carrying ``config`` and
    ``meta``, is ``outputs.checkpoint``."""
    generator = seed_everything(schedule.seed)
    if schedule.augmentation.active:
        train_batches = object_batches(train, schedule.batch_size)
    else:
        train_batches = split_batches(train, config, targets, schedule.batch_size)
    val_batches = split_batches(val, config, targets, schedule.batch_size)
    anchors = config.anchors()[0].to(runtime.device)
    model = Detector(config).to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=schedule.lr)
    scheduler = None
    if schedule.lr_schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=schedule.epochs)
    meta = {"config": config.to_dict(), "category_names": train.category_names} | meta
    settings = FitSettings(schedule.epochs, runtime, outputs.for_fit(meta), generator, scheduler, name="detector",
                           keep=schedule.checkpoint, scores=val_map50(val, config, schedule.batch_size, runtime),
                           score_name=SCORE_NAME)
    compute_loss = loss_function(weights, config.box_coder(), anchors, targets, schedule.augmentation, generator)
    return fit(model, optimizer, compute_loss, train_batches, val_batches, settings)
