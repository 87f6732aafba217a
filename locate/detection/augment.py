"""Training-time augmentation of detection batches: horizontal flips and small shifts.

No vertical flips: the data never holds an apex-down triangle. A shift moves the whole
picture by whole pixels and fills the uncovered strip with the white canvas; objects
pushed partly out of the image keep their clipped box, and their visibility shrinks by
the share of the box that is left.
"""

from dataclasses import replace

import torch
import torch.nn.functional as F

from locate.detection.config import Augmentation
from locate.detection.targets import PaddedObjects

CANVAS = 255


def augment(images: torch.Tensor, objects: PaddedObjects, augmentation: Augmentation,
            generator: torch.Generator) -> tuple[torch.Tensor, PaddedObjects]:
    """Flipped and shifted ``images`` (uint8 ``Tensor[B, 3, S, S]``) and their ``objects`` (boxes xyxy pixels).

    The draws come from ``generator`` (on the CPU), one flip and one shift per image, so a
    resumed training that restores the generator repeats them.
    """
    count, size = len(images), images.shape[-1]
    flips = torch.rand(count, generator=generator) < 0.5
    shifts = torch.randint(-augmentation.max_shift, augmentation.max_shift + 1, (count, 2), generator=generator)
    boxes = objects.boxes
    if augmentation.hflip:
        flip = flips.to(images.device)
        images = torch.where(flip[:, None, None, None], images.flip(-1), images)
        mirrored = torch.stack([size - boxes[..., 2], boxes[..., 1], size - boxes[..., 0], boxes[..., 3]], dim=-1)
        boxes = torch.where(flip[:, None, None], mirrored, boxes)
    if augmentation.max_shift > 0:
        images = _shift_images(images, shifts.tolist(), augmentation.max_shift)
        return images, _shift_objects(replace(objects, boxes=boxes), shifts.to(boxes.device, boxes.dtype), size)
    return images, replace(objects, boxes=boxes)


def _shift_images(images: torch.Tensor, shifts: list[list[int]], max_shift: int) -> torch.Tensor:
    """Each image moved by its ``(dx, dy)`` pixels (right and down positive), uncovered pixels white."""
    size = images.shape[-1]
    padded = F.pad(images, (max_shift,) * 4, value=CANVAS)
    return torch.stack([padded[i, :, max_shift - dy : max_shift - dy + size, max_shift - dx : max_shift - dx + size]
                        for i, (dx, dy) in enumerate(shifts)])


def _shift_objects(objects: PaddedObjects, shifts: torch.Tensor, size: int) -> PaddedObjects:
    """Boxes moved by ``shifts`` (``Tensor[B, 2]`` dx, dy) and clipped to the image; visibility scaled by the
    share of each box left inside."""
    boxes = objects.boxes + shifts.repeat(1, 2)[:, None, :]
    clipped = boxes.clamp(0, size)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    kept = (clipped[..., 2] - clipped[..., 0]) * (clipped[..., 3] - clipped[..., 1])
    share = torch.where(area > 0, kept / area.clamp(min=1e-6), 0.0)
    return replace(objects, boxes=clipped, visibility=objects.visibility * share)
