"""The course's detection data: coloured shapes on a white 224x224 RGB canvas.

A scene is drawn in two steps: :func:`sample_scene` takes every random draw from the
shared ``random.Random`` stream (the order matters, it is the course's), and
:func:`render_scene` turns the sampled objects into pixels and visibilities without
drawing any random number, so rendering can run in parallel.
Boxes here are corners ``[x1, y1, x2, y2]`` in integer pixels, as the course writes them.
"""

import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

SCENE_SIZE = 224
CLASS_NAMES = ("circle", "square", "triangle")
SIZE_RANGES = ((16, 32), (48, 96), (96, 192))
COLOURS = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
MIN_OBJECTS, MAX_OBJECTS = 2, 5
PLACEMENT_ATTEMPTS = 50
MAX_PLACEMENT_IOU = 0.3
OUTLINE_WIDTH = 2


@dataclass(frozen=True)
class Shape:
    """One object: class id (0 circle, 1 square, 2 triangle), centre, half size, side length."""

    category_id: int
    x: int
    y: int
    half: int
    size: int

    @property
    def box(self) -> list[int]:
        """Corners ``[x1, y1, x2, y2]`` (also for the triangle)."""
        return [self.x - self.half, self.y - self.half, self.x + self.half, self.y + self.half]


def corner_iou(a: list[int], b: list[int]) -> float:
    """IoU of two corner boxes ``[x1, y1, x2, y2]`` as the course computes it."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    intersection = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return intersection / union if union > 0 else 0.0


def sample_scene(rng: random.Random) -> list[Shape]:
    """Draw one image's objects from ``rng`` in the course's order of draws."""
    shapes: list[Shape] = []
    for _ in range(rng.randint(MIN_OBJECTS, MAX_OBJECTS)):
        category_id = rng.choice(range(len(CLASS_NAMES)))
        low, high = SIZE_RANGES[category_id]
        size = rng.randint(low, high)
        half = size // 2
        for attempt in range(PLACEMENT_ATTEMPTS):
            x = rng.randint(half, SCENE_SIZE - half)
            y = rng.randint(half, SCENE_SIZE - half)
            shape = Shape(category_id, x, y, half, size)
            fits = all(corner_iou(shape.box, other.box) <= MAX_PLACEMENT_IOU for other in shapes)
            if fits or attempt == PLACEMENT_ATTEMPTS - 1:
                shapes.append(shape)
                break
    return shapes


def _draw(draw: ImageDraw.ImageDraw, shape: Shape, **style) -> None:
    x, y, h = shape.x, shape.y, shape.half
    if shape.category_id == 0:
        draw.ellipse(shape.box, **style)
    elif shape.category_id == 1:
        draw.rectangle(shape.box, **style)
    else:
        draw.polygon([(x, y - h), (x - h, y + h), (x + h, y + h)], **style)


def _visibility(shapes: list[Shape], index: int) -> float:
    own = Image.new("L", (SCENE_SIZE, SCENE_SIZE), 0)
    _draw(ImageDraw.Draw(own), shapes[index], fill=1)
    later = Image.new("L", (SCENE_SIZE, SCENE_SIZE), 0)
    later_draw = ImageDraw.Draw(later)
    for shape in shapes[index + 1 :]:
        _draw(later_draw, shape, fill=1)
    box = tuple(shapes[index].box)
    inside = np.asarray(own.crop(box), dtype=bool)
    covered = np.asarray(later.crop(box), dtype=bool)
    total = int(inside.sum())
    return float((inside & ~covered).sum()) / total if total else 0.0


def render_scene(shapes: list[Shape]) -> tuple[np.ndarray, list[float]]:
    """Pixels ``uint8[224, 224, 3]`` and each object's visible share, in drawing order."""
    image = Image.new("RGB", (SCENE_SIZE, SCENE_SIZE), "white")
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        _draw(draw, shape, fill=COLOURS[shape.category_id], outline="black", width=OUTLINE_WIDTH)
    visibilities = [_visibility(shapes, index) for index in range(len(shapes))]
    return np.asarray(image), visibilities
