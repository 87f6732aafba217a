"""Detections drawn on an image: ground truth in green, predictions in red with their score."""

import numpy as np
import torch
from PIL import Image, ImageDraw

TRUTH_COLOUR = (0, 110, 0)
PREDICTION_COLOUR = (190, 0, 0)
FADE = 0.5  # share of white mixed into the image so that boxes stand out on the green and red shapes


def draw_detections(image: torch.Tensor, truth_boxes: torch.Tensor, boxes: torch.Tensor, scores: torch.Tensor,
                    labels: torch.Tensor, class_names: list[str], scale: int = 2) -> Image.Image:
    """RGB picture of ``image`` (uint8 ``Tensor[3, H, W]``), faded and enlarged ``scale`` times, with boxes.

    truth_boxes: ``Tensor[M, 4]`` xyxy (green); boxes: ``Tensor[D, 4]`` xyxy, scores ``Tensor[D]``,
    labels ``Tensor[D]`` (red, captioned ``name score`` on a white label).
    """
    pixels = image.permute(1, 2, 0).numpy().astype(np.float32)
    faded = np.ascontiguousarray((pixels * (1 - FADE) + 255 * FADE).astype(np.uint8))
    picture = Image.fromarray(faded).resize((faded.shape[1] * scale, faded.shape[0] * scale), Image.NEAREST)
    draw = ImageDraw.Draw(picture)
    for box in truth_boxes.tolist():
        draw.rectangle([v * scale for v in box], outline=TRUTH_COLOUR, width=2)
    for box, score, label in zip(boxes.tolist(), scores.tolist(), labels.tolist(), strict=True):
        corners = [v * scale for v in box]
        draw.rectangle(corners, outline=PREDICTION_COLOUR, width=2)
        caption = f"{class_names[label]} {score:.2f}"
        corner = (corners[0] + 3, corners[1] + 3)
        draw.rectangle(draw.textbbox(corner, caption), fill="white")
        draw.text(corner, caption, fill=PREDICTION_COLOUR)
    return picture
