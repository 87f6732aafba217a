"""The plain reference trainers: the same model classes and settings as ours, fed by a DataLoader.

Each reference reads ``<data_root>/detection`` or ``<data_root>/keypoints`` through a
:mod:`benchmarks.reference.image_files` dataset (``num_workers=0``, shuffled, the default
collate except for the detector's per-image targets), builds the targets per image on
every step and computes the loss in fp32 on default-format tensors.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from benchmarks.reference.detector_loss import batch_loss
from benchmarks.reference.image_files import DetectionImages, KeypointImages, detection_collate
from benchmarks.reference.keypoint_targets import gaussian_heatmaps, normalised_coordinates
from benchmarks.settings import detector_settings, keypoint_settings
from locate.detection.model import Detector
from locate.keypoints.method import build_model

ReferenceLoss = Callable[[torch.nn.Module, tuple], dict[str, torch.Tensor]]


@dataclass(frozen=True)
class ReferenceTrainer:
    """A fresh model (CPU, default memory format), the loader of its training images,
    ``compute_loss(model, batch) -> {"total": scalar, ...}`` and the Adam lr."""

    model: torch.nn.Module
    loader: DataLoader
    compute_loss: ReferenceLoss
    lr: float


def reference_detector(data_root: Path, count: int | None, generator: torch.Generator) -> ReferenceTrainer:
    """The detector trained image by image on the first ``count`` training images."""
    dataset = DetectionImages(data_root / "detection", "train", count)
    settings = detector_settings(dataset.num_classes)
    anchors, _ = settings.config.anchors()

    def compute_loss(model: torch.nn.Module, batch: tuple[torch.Tensor, list[dict]]) -> dict[str, torch.Tensor]:
        images, targets = batch
        return batch_loss(model(images), targets, anchors, settings.thresholds, settings.min_visibility,
                          settings.weights)

    loader = DataLoader(dataset, batch_size=settings.recipe.batch_size, shuffle=True, collate_fn=detection_collate,
                        generator=generator)
    return ReferenceTrainer(Detector(settings.config), loader, compute_loss, settings.recipe.lr)


def reference_keypoint_trainer(model: str, data_root: Path, count: int | None,
                               generator: torch.Generator) -> ReferenceTrainer:
    """``model`` ("heatmap" or "regression") with MSE on per-step targets of the first ``count`` training images."""
    settings = keypoint_settings(model)
    config = settings.config
    if model == "heatmap":
        make_target = partial(gaussian_heatmaps, image_size=config.image_size, heatmap_size=config.heatmap_size,
                              sigma=config.sigma)
    else:
        make_target = partial(normalised_coordinates, image_size=config.image_size)
    dataset = KeypointImages(data_root / "keypoints", "train", make_target, count)

    def compute_loss(model: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        images, targets = batch
        return {"total": F.mse_loss(model(images), targets)}

    loader = DataLoader(dataset, batch_size=settings.recipe.batch_size, shuffle=True, generator=generator)
    return ReferenceTrainer(build_model(config), loader, compute_loss, settings.recipe.lr)


def reference_trainer(name: str, data_root: Path, count: int | None = None, seed: int = 0) -> ReferenceTrainer:
    """Reference trainer ``name`` ("detector", "heatmap" or "regression"); weights and shuffling drawn from ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if name == "detector":
        return reference_detector(Path(data_root), count, generator)
    return reference_keypoint_trainer(name, Path(data_root), count, generator)
