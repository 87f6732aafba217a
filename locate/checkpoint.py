"""Checkpoints: a model's weights with the meta that rebuilds it, written atomically, loaded safely."""

from pathlib import Path

import torch

from locate.atomic import atomic_path
from locate.errors import UserError


def save_checkpoint(path: str | Path, model: torch.nn.Module, meta: dict) -> None:
    """Write ``{"model": state_dict, **meta}`` atomically (loadable with ``weights_only=True``)."""
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    with atomic_path(path) as temporary:
        torch.save({"model": state, **meta}, temporary)


def load_checkpoint(path: str | Path) -> dict:
    """A checkpoint written by :func:`save_checkpoint`; a missing or corrupt file is a UserError."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: checkpoint not found; run the training stage first")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a corrupt file
        raise UserError(f"{path}: not a readable checkpoint ({type(error).__name__})") from None
