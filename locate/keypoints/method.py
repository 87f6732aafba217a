"""A keypoint method as one config: the model it builds, the codec of its targets, its loss.

The config travels in the checkpoint's meta (``{"config": {...}}``) so evaluation rebuilds
the exact model and decoder without reading training params.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from locate.errors import UserError
from locate.images import images_to_input
from locate.keypoints.config import HeatmapSettings
from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.losses import mse, symmetric_mse
from locate.keypoints.models import HeatmapNet, RegressionNet
from locate.keypoints.regression_codec import RegressionCodec
from locate.runtime import Runtime

Codec = HeatmapCodec | RegressionCodec


@dataclass(frozen=True)
class MethodConfig:
    """model: "heatmap" | "regression"; loss: "mse" | "symmetric_mse".

    The heatmap settings (map size in cells, Gaussian sigma in cells, skips) belong to the
    heatmap model; a regression config has none (None), so that its checkpoint, like its
    training, does not depend on them.
    """

    model: str
    loss: str
    heatmap_size: int | None = None
    sigma: float | None = None
    skips: bool | None = None
    num_keypoints: int = 5
    image_size: int = 128

    @classmethod
    def for_model(cls, model: str, loss: str, heatmap: HeatmapSettings) -> "MethodConfig":
        """The config of ``model`` trained with ``loss``; ``heatmap`` is kept only for the heatmap model."""
        if model == "heatmap":
            return cls(model, loss, heatmap.heatmap_size, heatmap.sigma, heatmap.skips)
        return cls(model, loss)

    def to_meta(self) -> dict:
        """JSON-able dict for a checkpoint's meta."""
        return asdict(self)

    @classmethod
    def from_meta(cls, meta: object, path: str | Path) -> "MethodConfig":
        """The config saved by :meth:`to_meta`; a malformed one is a UserError naming ``path``."""
        try:
            return cls(**meta)
        except TypeError:
            raise UserError(f"{path}: checkpoint has no valid keypoint model config") from None


def build_model(config: MethodConfig) -> torch.nn.Module:
    """A freshly initialised model for ``config``."""
    if config.model == "heatmap":
        return HeatmapNet(config.num_keypoints, config.heatmap_size, config.skips, config.image_size)
    return RegressionNet(config.num_keypoints)


def make_codec(config: MethodConfig, subpixel: bool = True) -> Codec:
    """The codec turning keypoints into ``config``'s training targets and model outputs back."""
    if config.model == "heatmap":
        return HeatmapCodec(config.image_size, config.heatmap_size, config.sigma, subpixel)
    return RegressionCodec(config.image_size)


def make_loss(config: MethodConfig) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``loss(outputs, targets) -> scalar`` named by ``config.loss``."""
    return symmetric_mse if config.loss == "symmetric_mse" else mse


@torch.inference_mode()
def predict(model: torch.nn.Module, codec: Codec, images: torch.Tensor, runtime: Runtime, batch_size: int = 64):
    """Keypoints float32 ``Tensor[N, K, 2]`` (x, y) pixels for uint8 images ``Tensor[N, 1, H, W]``."""
    model.eval()
    decoded = []
    for start in range(0, len(images), batch_size):
        batch = images_to_input(images[start : start + batch_size]).to(runtime.device)
        with runtime.autocast():
            outputs = model(batch)
        decoded.append(codec.decode(outputs.float().cpu()))
    return torch.cat(decoded)
