"""A trained detector's predictions on a split: the model with its anchors and postprocessing, the detections
of every image, rounded as the predictions file stores them, and the split's ground truth. What the training's
per-epoch val mAP@0.5 runs (:mod:`locate.detection.selection`) and the evaluation builds on."""

from dataclasses import dataclass, fields

import numpy as np
import torch

from locate.data.datasets import DetectionSplit
from locate.detection.average_precision import GroundTruth, ScoredBoxes
from locate.detection.boxes import xyxy_to_xywh
from locate.detection.config import DetectorConfig, PostprocessSettings
from locate.detection.postprocess import Detections, postprocess
from locate.images import images_to_input
from locate.runtime import Runtime

BOX_DECIMALS = 2
SCORE_DECIMALS = 5


@dataclass(frozen=True)
class Predictor:
    """A model in eval mode with its anchors ``[A, 4]`` xyxy and their levels ``[A]`` (both on
    ``runtime.postprocess_device``) and postprocessing."""

    model: torch.nn.Module
    anchors: torch.Tensor
    levels: torch.Tensor
    image_size: int
    settings: PostprocessSettings
    runtime: Runtime

    def __call__(self, images: torch.Tensor) -> Detections:
        """Detections of uint8 ``images [B, 3, S, S]`` (image_index 0..B-1), on the CPU; the model runs on
        ``runtime.device``, the postprocessing where the anchors are (the same device, but the CPU on MPS)."""
        device = self.runtime.device
        with torch.inference_mode(), self.runtime.autocast():
            outputs = self.model(images_to_input(images.to(device)))
        outputs = outputs.float().to(self.anchors.device)
        found = postprocess(outputs, self.anchors, self.levels, self.image_size, self.settings)
        return Detections(*(getattr(found, field.name).cpu() for field in fields(Detections)))


def predict_split(predictor: Predictor, images: torch.Tensor, batch_size: int) -> Detections:
    """Detections of all ``images [N, 3, S, S]``; ``image_index`` runs over the whole split."""
    parts = []
    for start in range(0, len(images), batch_size):
        found = predictor(images[start : start + batch_size])
        parts.append(Detections(found.image_index + start, found.boxes, found.scores, found.labels, found.levels))
    return Detections(*(torch.cat([getattr(part, field.name) for part in parts]) for field in fields(Detections)))


def predictor_of(model: torch.nn.Module, config: DetectorConfig, settings: PostprocessSettings,
                 runtime: Runtime) -> Predictor:
    """The :class:`Predictor` of ``model`` (eval mode, on ``runtime.device``) with the anchors of ``config``,
    moved once to where the postprocessing runs (:attr:`Runtime.postprocess_device`)."""
    anchors, levels = config.anchors()
    where = runtime.postprocess_device
    return Predictor(model, anchors.to(where), levels.to(where), config.image_size, settings, runtime)


def rounded_detections(image_ids: torch.Tensor, detections: Detections) -> ScoredBoxes:
    """Detections as COCO xywh float64, each with the id ``image_ids[image_index]`` of its image (``image_ids``:
    ``Tensor[N]``, one per image the detections index), rounded as written to the predictions file."""
    boxes = np.round(xyxy_to_xywh(detections.boxes.double()).numpy(), BOX_DECIMALS)
    scores = np.round(detections.scores.double().numpy(), SCORE_DECIMALS)
    return ScoredBoxes(image_ids[detections.image_index].numpy(), detections.labels.numpy(), boxes, scores)


def ground_truth(split: DetectionSplit, min_visibility: float = 0.0) -> GroundTruth:
    """The split's objects as COCO xywh; objects less visible than ``min_visibility`` are ignored."""
    counts = torch.tensor([len(b) for b in split.boxes])
    boxes = torch.cat(split.boxes).reshape(-1, 4)
    return GroundTruth(
        split.image_ids.repeat_interleave(counts).numpy(),
        torch.cat(split.labels).numpy(),
        xyxy_to_xywh(boxes.double()).numpy(),
        (torch.cat(split.visibility) < min_visibility).numpy(),
    )
