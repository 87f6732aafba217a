"""Reading JSON and PNG files with one-line errors that name the file."""

import json
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from locate.errors import UserError


def read_json(path: str | Path) -> object:
    """Parsed JSON of ``path``; a missing or corrupt file is a UserError naming it."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid JSON ({error})") from None


def read_png(path: Path, mode: str, width: int, height: int) -> np.ndarray:
    """Pixels of ``path`` as ``uint8[H, W]`` (mode ``L``) or ``uint8[H, W, 3]`` (``RGB``).

    The image must exist, decode, have the given colour mode and size.
    """
    if not path.is_file():
        raise UserError(f"{path}: image file not found")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode != mode or image.size != (width, height):
                got = f"{image.size[0]}x{image.size[1]} {image.mode}"
                raise UserError(f"{path}: expected a {width}x{height} {mode} image, got {got}")
            return np.asarray(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UserError(f"{path}: not a readable PNG image ({error})") from None


def require_keys(path: Path, entry: object, keys: tuple[str, ...], what: str) -> None:
    """Raise a UserError naming ``path`` unless ``entry`` is a mapping with all ``keys``."""
    if not isinstance(entry, dict) or any(key not in entry for key in keys):
        raise UserError(f"{path}: each {what} must be an object with keys {', '.join(keys)}")
