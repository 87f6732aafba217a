"""A trained detector applied to a user's images: the evaluation's predictor (model, anchors, postprocessing) on
prepared images, its boxes mapped back to each image's pixels and rounded as the evaluation writes them.

A record per image: ``{"image": path or None, "detections": [{"category", "category_id", "bbox": [x, y, w, h],
"score"}]}``, boxes in the image's own pixels (COCO xywh), by decreasing score.
"""

from dataclasses import dataclass, replace

import numpy as np
import torch
from PIL import Image

from locate.detection.prediction import Predictor, rounded_detections
from locate.detection_eval.drawing import draw_detections
from locate.user_images import Prepared

PICTURE_SIDE = 448  # pixels: a picture is drawn on the image enlarged or shrunk to about this side


@dataclass(frozen=True)
class TrainedDetector:
    """``predictor`` (the evaluation's: model, anchors, postprocessing settings, runtime) and the names of the
    categories, by category id."""

    predictor: Predictor
    category_names: list[str]

    mode = "RGB"
    picture_side = PICTURE_SIDE
    kind = "detector"

    @property
    def input_size(self) -> int:
        """Side in pixels of the square input the model was trained on."""
        return self.predictor.image_size

    def records(self, batch: list[Prepared]) -> list[dict]:
        """One record per image of ``batch`` (images of ``input_size``, RGB)."""
        found = self.predictor(torch.stack([prepared.pixels for prepared in batch]))
        size = self.input_size
        scale = torch.tensor([[p.width / size, p.height / size] * 2 for p in batch], dtype=found.boxes.dtype)
        in_image = replace(found, boxes=found.boxes * scale[found.image_index])
        scored = rounded_detections(torch.arange(len(batch)), in_image)
        records = [{"image": prepared.name, "detections": []} for prepared in batch]
        for index, label, box, score in zip(scored.image_ids, scored.labels, scored.boxes, scored.scores, strict=True):
            records[index]["detections"].append({"category": self.category_names[label], "category_id": int(label),
                                                 "bbox": [float(value) for value in box], "score": float(score)})
        return records

    def picture(self, prepared: Prepared, record: dict) -> Image.Image:
        """``prepared.picture`` with the record's boxes, each captioned with its class and score."""
        base = prepared.picture
        factor = base.width / prepared.width
        detections = record["detections"]
        xywh = torch.tensor([d["bbox"] for d in detections], dtype=torch.float64).reshape(-1, 4)
        boxes = torch.cat([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], dim=1)
        pixels = torch.from_numpy(np.asarray(base).transpose(2, 0, 1).copy())
        return draw_detections(pixels, torch.zeros(0, 4), boxes * factor,
                               torch.tensor([d["score"] for d in detections]),
                               torch.tensor([d["category_id"] for d in detections], dtype=torch.int64),
                               self.category_names, scale=max(1, PICTURE_SIDE // max(base.size)))
