"""A user's images as a model reads them: PNG or JPEG files, folders of them, PIL images or arrays, each
converted to the model's colour mode and resized to its square input.

An image of another size is resized (bilinear, aspect ratio not kept) to the model's ``size x size``;
:class:`Prepared` keeps the original width and height, by which predictions are mapped back to the
image's own pixels. An image already of the model's size and mode is read as the evaluation reads its
split: the same uint8 pixels.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from locate.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
ImageSource = str | Path | Image.Image | np.ndarray


@dataclass(frozen=True)
class Prepared:
    """One image ready for a model: ``pixels`` uint8 ``Tensor[C, S, S]`` (C = 3 for RGB, 1 for L), its
    ``width`` and ``height`` before resizing, ``name``: its path as given, or None for an image given in
    memory, and ``picture``: the image in RGB to draw on (shrunk to fit a square of the side asked for), or
    None when none was asked for."""

    pixels: torch.Tensor
    width: int
    height: int
    name: str | None
    picture: Image.Image | None = None


def image_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """The image files of ``inputs``: each file as given, each folder's PNG and JPEG files (by suffix, not
    recursively) in name order. A missing path or a folder without images is a UserError naming it."""
    paths: list[Path] = []
    for given in map(Path, inputs):
        if given.is_dir():
            found = sorted(p for p in given.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            if not found:
                raise UserError(f"{given}: no PNG or JPEG images in this folder")
            paths += found
        elif given.is_file():
            paths.append(given)
        else:
            raise UserError(f"{given}: no such image file or folder")
    return paths


def _opened(source: ImageSource, index: int) -> tuple[Image.Image, str | None]:
    """``source`` as a decoded PIL image and its name; an unreadable file or a wrong array is a UserError."""
    if isinstance(source, Image.Image):
        return source, None
    if isinstance(source, np.ndarray):
        shape_ok = source.ndim == 2 or (source.ndim == 3 and source.shape[2] in (1, 3, 4))
        if source.dtype != np.uint8 or not shape_ok or 0 in source.shape:
            raise UserError(f"image {index}: expected a uint8 array of shape (H, W) or (H, W, 1|3|4), "
                            f"got {source.dtype} {source.shape}")
        return Image.fromarray(source[..., 0] if source.ndim == 3 and source.shape[2] == 1 else source), None
    path = Path(source)
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy(), str(source)
    except FileNotFoundError:
        raise UserError(f"{path}: image file not found") from None
    except UnidentifiedImageError:
        raise UserError(f"{path}: not an image (expected a PNG or JPEG file)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise UserError(f"{path}: not a readable PNG or JPEG image ({error})") from None


def prepare(source: ImageSource, mode: str, size: int, index: int = 0, picture_side: int = 0) -> Prepared:
    """``source`` (a path, a PIL image or a uint8 array) in colour ``mode`` (``RGB`` or ``L``), resized to
    ``size x size`` when it is not that size; ``index`` names an in-memory image in errors. With a
    ``picture_side``, the image in RGB, shrunk to fit ``picture_side x picture_side`` if it is larger, is kept
    to draw on."""
    image, name = _opened(source, index)
    width, height = image.size
    converted = image.convert(mode)
    if converted.size != (size, size):
        converted = converted.resize((size, size), Image.BILINEAR)
    pixels = np.array(converted)
    pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    picture = None
    if picture_side:
        picture = image.convert("RGB")
        picture.thumbnail((picture_side, picture_side), Image.BILINEAR)
    return Prepared(torch.from_numpy(np.ascontiguousarray(pixels)), width, height, name, picture)


def prepared_batches(sources: Iterable[ImageSource], mode: str, size: int, batch_size: int, picture_side: int = 0
                     ) -> Iterator[list[Prepared]]:
    """``sources`` prepared (:func:`prepare`) and grouped ``batch_size`` at a time, read as they are needed: at
    most one batch of images is in memory."""
    batch: list[Prepared] = []
    for index, source in enumerate(sources):
        batch.append(prepare(source, mode, size, index, picture_side))
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch
