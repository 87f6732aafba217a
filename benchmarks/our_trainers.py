"""Our three trainers as the stages build them: model, loss for :func:`locate.training.fit`, batches in memory.

``detector`` is ``stages.train_detector`` (anchor targets computed once per split);
``heatmap`` and ``regression`` are ``stages.train_keypoints`` with MSE (targets encoded
once per split). Data come from ``<data_root>/detection`` or ``<data_root>/keypoints``.
"""

from dataclasses import dataclass
from pathlib import Path

import torch

from benchmarks.settings import detector_settings, keypoint_settings
from locate.data.datasets import DetectionSplit, KeypointSplit, load_detection, load_keypoints
from locate.detection import trainer as detection_trainer
from locate.detection.config import Targets
from locate.detection.model import Detector
from locate.keypoints import trainer as keypoint_trainer
from locate.keypoints.method import build_model
from locate.training import Batches, LossFn

TRAINERS = ("detector", "heatmap", "regression")


@dataclass(frozen=True)
class OurTrainer:
    """A fresh model (default memory format, CPU), its ``compute_loss(model, batch)``, the Adam lr,
    and the batches of each split asked for (uint8 images with precomputed targets)."""

    model: torch.nn.Module
    compute_loss: LossFn
    lr: float
    batches: dict[str, Batches]


def first_detection_images(split: DetectionSplit, count: int | None) -> DetectionSplit:
    """The first ``count`` images of ``split`` (all when ``count`` is None)."""
    return DetectionSplit(split.images[:count], split.image_ids[:count], split.boxes[:count], split.labels[:count],
                          split.visibility[:count], split.category_names)


def first_keypoint_images(split: KeypointSplit, count: int | None) -> KeypointSplit:
    """The first ``count`` images of ``split`` (all when ``count`` is None)."""
    return KeypointSplit(split.images[:count], split.image_ids[:count], split.keypoints[:count], split.keypoint_names)


def our_detector(data_root: Path, splits: tuple[str, ...], count: int | None) -> OurTrainer:
    """The detector stage's model, loss and batches of ``splits`` (each cut to its first ``count`` images)."""
    loaded = {name: first_detection_images(load_detection(data_root / "detection", name), count) for name in splits}
    settings = detector_settings(len(next(iter(loaded.values())).category_names))
    targets = Targets(settings.thresholds, settings.min_visibility)
    batches = {
        name: detection_trainer.split_batches(split, settings.config, targets, settings.schedule.batch_size)
        for name, split in loaded.items()
    }
    compute_loss = detection_trainer.loss_function(settings.weights, settings.config.box_coder(),
                                                   settings.config.anchors()[0], targets,
                                                   settings.schedule.augmentation, torch.Generator())
    return OurTrainer(Detector(settings.config), compute_loss, settings.schedule.lr, batches)


def our_keypoint_trainer(model: str, data_root: Path, splits: tuple[str, ...], count: int | None) -> OurTrainer:
    """The keypoint stage's ``model`` ("heatmap" or "regression"), MSE loss and batches of ``splits``."""
    settings = keypoint_settings(model)
    batches = {
        name: keypoint_trainer.split_batches(
            settings.config, first_keypoint_images(load_keypoints(data_root / "keypoints", name), count),
            settings.schedule.batch_size,
        )
        for name in splits
    }
    compute_loss = keypoint_trainer.loss_step(settings.config)
    return OurTrainer(build_model(settings.config), compute_loss, settings.schedule.lr, batches)


def our_trainer(name: str, data_root: Path, splits: tuple[str, ...] = ("train",), count: int | None = None):
    """Trainer ``name`` (one of ``TRAINERS``) on the data under ``data_root``."""
    if name == "detector":
        return our_detector(Path(data_root), splits, count)
    if name in TRAINERS:
        return our_keypoint_trainer(name, Path(data_root), splits, count)
    raise ValueError(f"trainer must be one of {', '.join(TRAINERS)}, got {name!r}")
