"""Checkpoints: a model's weights with the meta that rebuilds it, written atomically, loaded safely."""

import errno
import os
import shutil
from pathlib import Path

import torch

from locate.atomic import atomic_path
from locate.errors import UserError

FULL_DISK_BYTES = 1 << 20  # free space under which a failed write is reported as a full disk


def save_torch(path: str | Path, data: dict) -> None:
    """``torch.save(data)`` to ``path`` atomically; a failed write is an OSError naming ``path``.

    torch reports a failed write (a full disk) as a RuntimeError without its cause; it is raised
    as ENOSPC when the folder has (almost) no space left, as EIO otherwise. It writes a training's saved state,
    not an output: a stage that fails keeps it (:func:`locate.atomic.remove_finished_outputs`).
    """
    with atomic_path(path, output=False) as temporary:
        try:
            torch.save(data, temporary)
        except RuntimeError as error:
            code = errno.ENOSPC if shutil.disk_usage(temporary.parent).free < FULL_DISK_BYTES else errno.EIO
            cause = os.strerror(code) if code == errno.ENOSPC else f"write failed: {str(error).splitlines()[0]}"
            raise OSError(code, cause, str(path)) from None


def save_checkpoint(path: str | Path, model: torch.nn.Module, meta: dict) -> None:
    """Write ``{"model": state_dict, **meta}`` atomically (loadable with ``weights_only=True``)."""
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    save_torch(path, {"model": state, **meta})


def load_checkpoint(path: str | Path) -> dict:
    """A checkpoint written by :func:`save_checkpoint`; a missing or corrupt file is a UserError."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: checkpoint not found; run the training stage first")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a corrupt file
        raise UserError(f"{path}: not a readable checkpoint ({type(error).__name__})") from None
