"""Datasets that open and decode a PNG on every access, as a homework's ``Dataset.__getitem__`` does.

Annotations are read from the split's JSON once (``<root>/<split>.json``, the formats of
:mod:`locate.data.datasets`); pixels are read with PIL and converted to float in [0, 1]
each time an item is asked for.
"""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset


def read_image(path: Path) -> torch.Tensor:
    """PNG ``path`` as float32 ``Tensor[C, H, W]`` in [0, 1] (C = 1 for grey, 3 for RGB)."""
    pixels = np.array(Image.open(path), dtype=np.float32) / 255.0
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    return torch.from_numpy(pixels).permute(2, 0, 1)


class DetectionImages(Dataset):
    """Item ``i``: ``(image Tensor[3, H, W], {"boxes": Tensor[M, 4] xyxy pixels, "labels": int64 Tensor[M]
    (0..C-1), "visibility": Tensor[M]})`` of the first ``count`` images of a COCO detection split;
    ``num_classes`` is C."""

    def __init__(self, root: str | Path, split: str, count: int | None = None) -> None:
        self.folder = Path(root) / split
        with open(Path(root) / f"{split}.json") as file:
            document = json.load(file)
        self.images = document["images"][:count]
        self.num_classes = len(document["categories"])
        self.annotations = {image["id"]: [] for image in self.images}
        for annotation in document["annotations"]:
            if annotation["image_id"] in self.annotations:
                self.annotations[annotation["image_id"]].append(annotation)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        entry = self.images[index]
        objects = self.annotations[entry["id"]]
        boxes = torch.tensor([a["bbox"] for a in objects], dtype=torch.float32).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]
        target = {
            "boxes": boxes,
            "labels": torch.tensor([a["category_id"] for a in objects], dtype=torch.int64),
            "visibility": torch.tensor([a["visibility"] for a in objects], dtype=torch.float32),
        }
        return read_image(self.folder / entry["file_name"]), target


def detection_collate(items: list[tuple[torch.Tensor, dict]]) -> tuple[torch.Tensor, list[dict]]:
    """Images stacked into ``Tensor[B, 3, H, W]``; the per-image targets kept as a list."""
    images, targets = zip(*items, strict=True)
    return torch.stack(images), list(targets)


class KeypointImages(Dataset):
    """Item ``i``: ``(image Tensor[1, H, W], make_target(keypoints Tensor[K, 2] (x, y) pixels))``
    of the first ``count`` images of a keypoint split; the target is built on every access."""

    def __init__(self, root: str | Path, split: str, make_target: Callable[[torch.Tensor], torch.Tensor],
                 count: int | None = None) -> None:
        self.folder = Path(root) / split
        with open(Path(root) / f"{split}.json") as file:
            self.images = json.load(file)["images"][:count]
        self.make_target = make_target

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        entry = self.images[index]
        keypoints = torch.tensor(entry["keypoints"], dtype=torch.float32)
        return read_image(self.folder / entry["file_name"]), self.make_target(keypoints)
