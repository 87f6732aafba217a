"""Load a whole split into memory in one call: uint8 image tensors plus annotations.

Later stages never open a PNG inside a training loop; they call :func:`load_detection`
or :func:`load_keypoints` once.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from locate.data.entries import AnnotationEntry, CategoryEntry, ImageEntry, KeypointHeader, KeypointImageEntry
from locate.data.files import read_entries, read_json, read_png, require_keys, to_entry
from locate.errors import UserError


@dataclass(frozen=True)
class DetectionSplit:
    """One detection split in memory.

    images: uint8 Tensor[N, 3, H, W]; image_ids: int64 Tensor[N];
    boxes: per image float32 Tensor[M_i, 4] xyxy pixels; labels: per image int64
    Tensor[M_i] (category ids 0..C-1); visibility: per image float32 Tensor[M_i];
    category_names: names indexed by category id.
    """

    images: torch.Tensor
    image_ids: torch.Tensor
    boxes: list[torch.Tensor]
    labels: list[torch.Tensor]
    visibility: list[torch.Tensor]
    category_names: list[str]


@dataclass(frozen=True)
class KeypointSplit:
    """One keypoint split in memory.

    images: uint8 Tensor[N, 1, H, W]; image_ids: int64 Tensor[N];
    keypoints: float32 Tensor[N, K, 2] (x, y) in pixels; keypoint_names: K names.
    """

    images: torch.Tensor
    image_ids: torch.Tensor
    keypoints: torch.Tensor
    keypoint_names: list[str]


def _load_images(folder: Path, entries: list[ImageEntry], mode: str) -> torch.Tensor:
    pixels = [read_png(folder / e.file_name, mode, e.width, e.height) for e in entries]
    if not pixels:
        raise UserError(f"{folder}: the split has no images")
    stacked = np.stack(pixels)
    if stacked.ndim == 3:
        stacked = stacked[:, None]
    else:
        stacked = stacked.transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(stacked))


def load_detection(root: str | Path, split: str) -> DetectionSplit:
    """Read ``root/{split}.json`` (COCO, with visibility) and the PNGs in ``root/{split}/``."""
    root = Path(root)
    path = root / f"{split}.json"
    document = read_json(path)
    require_keys(path, document, ("images", "annotations", "categories"), "detection file")
    images = read_entries(path, document, "images", ImageEntry, "image")
    names = {c.id: c.name for c in read_entries(path, document, "categories", CategoryEntry, "category")}
    if sorted(names) != list(range(len(names))):
        raise UserError(f"{path}: category ids must be 0..{len(names) - 1}")
    index_of = {image.id: index for index, image in enumerate(images)}
    per_image: list[list[AnnotationEntry]] = [[] for _ in index_of]
    for annotation in read_entries(path, document, "annotations", AnnotationEntry, "annotation"):
        _check_annotation(path, annotation, index_of, names, images)
        per_image[index_of[annotation.image_id]].append(annotation)
    boxes = [_xyxy([a.bbox for a in annotations]) for annotations in per_image]
    labels = [torch.tensor([a.category_id for a in annotations], dtype=torch.int64) for annotations in per_image]
    visibility = [torch.tensor([a.visibility for a in annotations], dtype=torch.float32) for annotations in per_image]
    return DetectionSplit(
        images=_load_images(root / split, images, "RGB"),
        image_ids=torch.tensor(list(index_of), dtype=torch.int64),
        boxes=boxes,
        labels=labels,
        visibility=visibility,
        category_names=[names[i] for i in range(len(names))],
    )


def _check_annotation(path: Path, annotation: AnnotationEntry, index_of: dict, names: dict,
                      images: list[ImageEntry]) -> None:
    if annotation.image_id not in index_of:
        raise UserError(f"{path}: annotation {annotation.id} refers to unknown image {annotation.image_id}")
    if annotation.category_id not in names:
        raise UserError(f"{path}: annotation {annotation.id} has unknown category {annotation.category_id}")
    image = images[index_of[annotation.image_id]]
    x, y, w, h = annotation.bbox
    if w < 0 or h < 0 or x < 0 or y < 0 or x + w > image.width or y + h > image.height:
        raise UserError(f"{path}: annotation {annotation.id} box {list(annotation.bbox)} is not inside its image")


def _xyxy(xywh: list[tuple[float, float, float, float]]) -> torch.Tensor:
    boxes = torch.tensor(xywh, dtype=torch.float32).reshape(-1, 4)
    return torch.cat([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], dim=1)


def load_keypoints(root: str | Path, split: str) -> KeypointSplit:
    """Read ``root/{split}.json`` and the PNGs in ``root/{split}/``."""
    root = Path(root)
    path = root / f"{split}.json"
    document = read_json(path)
    require_keys(path, document, ("images", "keypoint_names", "num_keypoints"), "keypoint file")
    header = to_entry(path, document, KeypointHeader, "keypoint file")
    count = header.num_keypoints
    images = read_entries(path, document, "images", KeypointImageEntry, "image")
    for image in images:
        points = np.asarray(image.keypoints, dtype=np.float64).reshape(-1, 2)
        if points.shape != (count, 2):
            raise UserError(f"{path}: image {image.id} must have {count} keypoints [x, y]")
        inside = (points >= 0).all() and (points[:, 0] < image.width).all() and (points[:, 1] < image.height).all()
        if not inside:
            raise UserError(f"{path}: image {image.id} has a keypoint outside the image")
    keypoints = torch.tensor([image.keypoints for image in images], dtype=torch.float32)
    return KeypointSplit(
        images=_load_images(root / split, images, "L"),
        image_ids=torch.tensor([image.id for image in images], dtype=torch.int64),
        keypoints=keypoints.reshape(-1, count, 2),
        keypoint_names=header.keypoint_names,
    )
