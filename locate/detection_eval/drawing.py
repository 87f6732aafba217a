"""Detections drawn on an image: ground truth in green, predictions in red with their class and score.

Captions are placed where they overlap no caption already drawn (the highest scores first): above the
box, inside its top, below it, inside its bottom, then further down its side; a prediction whose caption
finds no free place keeps its box without one.
"""

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

TRUTH_COLOUR = (0, 110, 0)
PREDICTION_COLOUR = (190, 0, 0)
FADE = 0.5  # share of white mixed into the image so that boxes stand out on the green and red shapes
FONT_SIZE = 13  # pixels, on the enlarged picture
SIDE_STEPS = 6  # further caption places down the box's left side, one caption height apart

Box = tuple[float, float, float, float]


def overlaps(first: Box, second: Box) -> bool:
    """Whether two xyxy rectangles share any area."""
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def caption_places(box: Box, size: tuple[float, float]) -> list[tuple[float, float]]:
    """Top-left corners to try for a caption ``size`` (width, height) of ``box`` (xyxy), in order of preference."""
    x0, y0, x1, y1 = box
    width, height = size
    places = [(x0, y0 - height - 1), (x0 + 2, y0 + 2), (x0, y1 + 1), (x0 + 2, y1 - height - 2)]
    return places + [(x0 + 2, y0 + 2 + step * (height + 1)) for step in range(1, SIDE_STEPS + 1)]


def place_caption(box: Box, size: tuple[float, float], picture: tuple[int, int], taken: list[Box]) -> Box | None:
    """The first place of :func:`caption_places` inside ``picture`` (width, height) that overlaps no rectangle of
    ``taken``, as an xyxy rectangle; None when there is none."""
    for x, y in caption_places(box, size):
        x = min(max(x, 0), picture[0] - size[0])
        rectangle = (x, y, x + size[0], y + size[1])
        inside = y >= 0 and rectangle[3] <= picture[1]
        if inside and not any(overlaps(rectangle, other) for other in taken):
            return rectangle
    return None


def draw_detections(image: torch.Tensor, truth_boxes: torch.Tensor, boxes: torch.Tensor, scores: torch.Tensor,
                    labels: torch.Tensor, class_names: list[str], scale: int = 2) -> Image.Image:
    """RGB picture of ``image`` (uint8 ``Tensor[3, H, W]``), faded and enlarged ``scale`` times, with boxes.

    truth_boxes: ``Tensor[M, 4]`` xyxy (green); boxes: ``Tensor[D, 4]`` xyxy, scores ``Tensor[D]``,
    labels ``Tensor[D]`` (red, captioned ``name score`` on a white label where it collides with no other).
    """
    pixels = image.permute(1, 2, 0).numpy().astype(np.float32)
    faded = np.ascontiguousarray((pixels * (1 - FADE) + 255 * FADE).astype(np.uint8))
    picture = Image.fromarray(faded).resize((faded.shape[1] * scale, faded.shape[0] * scale), Image.NEAREST)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=FONT_SIZE)
    for box in truth_boxes.tolist():
        draw.rectangle([v * scale for v in box], outline=TRUTH_COLOUR, width=2)
    order = torch.argsort(scores, descending=True, stable=True).tolist()
    corners = [[v * scale for v in boxes[index].tolist()] for index in order]
    for box in corners:
        draw.rectangle(box, outline=PREDICTION_COLOUR, width=2)
    taken: list[Box] = []
    for index, box in zip(order, corners, strict=True):
        caption = f"{class_names[int(labels[index])]} {float(scores[index]):.2f}"
        left, top, right, bottom = draw.textbbox((0, 0), caption, font=font)
        place = place_caption(tuple(box), (right - left + 4, bottom - top + 4), picture.size, taken)
        if place is not None:
            taken.append(place)
            draw.rectangle(place, fill="white", outline=PREDICTION_COLOUR)
            draw.text((place[0] + 2 - left, place[1] + 2 - top), caption, fill=PREDICTION_COLOUR, font=font)
    return picture
