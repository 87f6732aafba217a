"""One image's predicted keypoints drawn as the stick figure: its bones (:mod:`locate.keypoints_eval.skeleton`) in red,
each keypoint a dot of its own colour."""

import torch
from PIL import Image, ImageDraw

from locate.keypoints_eval.skeleton import BONES, joints

BONE_COLOUR = (190, 0, 0)
POINT_COLOURS = ((0, 90, 200), (0, 150, 0), (220, 120, 0), (0, 150, 150), (150, 0, 150))  # one per keypoint, cycled
FADE = 0.5  # share of white mixed into the image so that the figure stands out


def draw_keypoints(image: Image.Image, keypoints: torch.Tensor, scale: int = 1) -> Image.Image:
    """RGB picture of ``image`` (any mode), faded and enlarged ``scale`` times, with ``keypoints`` ``Tensor[5, 2]``
    (x, y) in ``image``'s pixels (pixel centres at integers) joined by the stick figure's bones."""
    faded = Image.blend(image.convert("RGB"), Image.new("RGB", image.size, "white"), FADE)
    picture = faded.resize((image.width * scale, image.height * scale), Image.NEAREST)
    draw = ImageDraw.Draw(picture)
    points = [((x + 0.5) * scale, (y + 0.5) * scale) for x, y in joints(keypoints.float()).tolist()]
    for start, end in BONES:
        draw.line([points[start], points[end]], fill=BONE_COLOUR, width=max(1, scale))
    radius = 1.5 * scale
    for index, (x, y) in enumerate(points[: len(keypoints)]):
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=POINT_COLOURS[index % len(POINT_COLOURS)])
    return picture
