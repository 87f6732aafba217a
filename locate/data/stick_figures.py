"""The course's keypoint data: black stick figures on a white 128x128 grayscale canvas.

:func:`sample_figure` takes the random draws from the shared ``random.Random`` stream
in the course's order and computes the five keypoints; :func:`render_figure` draws
them without any random draw. Keypoints are integer pixels ``[x, y]`` in the order of
:data:`locate.data.entries.KEYPOINT_NAMES`.
"""

import random

import numpy as np
from PIL import Image, ImageDraw

from locate.data.entries import FIGURE_SIZE

HEAD_RADIUS, TORSO_LENGTH, ARM_LENGTH, LEG_LENGTH = 8, 25, 20, 25
CENTRE_RANGE = (40, 88)
ARM_ANGLE_RANGE = (-60.0, 60.0)
FOOT_SPREAD_RANGE = (10.0, 30.0)
LINE_WIDTH = 3


def sample_figure(rng: random.Random) -> list[list[int]]:
    """Draw one figure from ``rng``; its keypoints ``[[x, y]] * 5`` (head, hands, feet)."""
    cx = rng.randint(*CENTRE_RANGE)
    cy = rng.randint(*CENTRE_RANGE)
    left_angle = rng.uniform(*ARM_ANGLE_RANGE)
    right_angle = rng.uniform(*ARM_ANGLE_RANGE)
    spread = rng.uniform(*FOOT_SPREAD_RANGE)
    shoulder_y = cy - TORSO_LENGTH // 4
    hip_y = cy + TORSO_LENGTH // 2
    head = [cx, cy - TORSO_LENGTH // 2 - HEAD_RADIUS]
    left_hand = [
        cx - int(ARM_LENGTH * np.cos(np.radians(90 - left_angle))),
        shoulder_y + int(ARM_LENGTH * np.sin(np.radians(90 - left_angle))),
    ]
    right_hand = [
        cx + int(ARM_LENGTH * np.cos(np.radians(90 - right_angle))),
        shoulder_y + int(ARM_LENGTH * np.sin(np.radians(90 - right_angle))),
    ]
    left_foot = [cx - int(spread), hip_y + LEG_LENGTH]
    right_foot = [cx + int(spread), hip_y + LEG_LENGTH]
    return [head, left_hand, right_hand, left_foot, right_foot]


def render_figure(keypoints: list[list[int]]) -> np.ndarray:
    """Pixels ``uint8[128, 128]`` of the figure whose keypoints :func:`sample_figure` gave."""
    (hx, hy), left_hand, right_hand, left_foot, right_foot = (tuple(p) for p in keypoints)
    cx = hx
    cy = hy + HEAD_RADIUS + TORSO_LENGTH // 2
    shoulder = (cx, cy - TORSO_LENGTH // 4)
    torso_top, torso_bottom = (cx, cy - TORSO_LENGTH // 2), (cx, cy + TORSO_LENGTH // 2)
    image = Image.new("L", (FIGURE_SIZE, FIGURE_SIZE), 255)
    draw = ImageDraw.Draw(image)
    r = HEAD_RADIUS
    draw.ellipse([hx - r, hy - r, hx + r, hy + r], outline=0, width=LINE_WIDTH)
    draw.line([torso_top, torso_bottom], fill=0, width=LINE_WIDTH)
    draw.line([shoulder, left_hand], fill=0, width=LINE_WIDTH)
    draw.line([shoulder, right_hand], fill=0, width=LINE_WIDTH)
    draw.line([torso_bottom, left_foot], fill=0, width=LINE_WIDTH)
    draw.line([torso_bottom, right_foot], fill=0, width=LINE_WIDTH)
    return np.asarray(image)
