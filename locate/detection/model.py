"""The course's multi-scale detector: a Conv-BN-ReLU backbone (a two-conv stem, then one block per scale)
and one head per scale; and loading a trained one from its checkpoint."""

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from locate.checkpoint import load_checkpoint
from locate.detection.config import BLOCK_STRIDE, STEM_STRIDE, DetectorConfig
from locate.errors import UserError
from locate.records.detector import CheckpointChoice

BOX_VALUES = 4


def conv_bn_relu(inputs: int, outputs: int, stride: int) -> nn.Sequential:
    """3x3 convolution (padding 1), batch norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


class ScaleHead(nn.Module):
    """3x3 conv keeping the width (``dilation`` spreads its taps), ReLU, 1x1 conv to ``anchors * (5 + C)``
    values per cell."""

    def __init__(self, channels: int, anchors: int, num_classes: int, dilation: int = 1) -> None:
        super().__init__()
        self.anchors = anchors
        self.values = BOX_VALUES + 1 + num_classes
        self.hidden = nn.Conv2d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.predict = nn.Conv2d(channels, anchors * self.values, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``Tensor[B, ch, H, W]`` -> ``Tensor[B, H * W * anchors, 5 + C]`` in (row, col, anchor) order."""
        raw = self.predict(torch.relu(self.hidden(features)))
        batch, _, height, width = raw.shape
        raw = raw.view(batch, self.anchors, self.values, height, width).permute(0, 3, 4, 1, 2)
        return raw.reshape(batch, height * width * self.anchors, self.values)


class TopDown(nn.Module):
    """FPN-style top-down context: from the coarsest scale down, each scale adds the next coarser scale's
    merged map, projected to its width by a 1x1 conv and upsampled x2 (nearest).

    forward: per-scale ``Tensor[B, widths[i], H_i, W_i]``, finest first -> the merged maps, same shapes.
    """

    def __init__(self, widths: list[int]) -> None:
        super().__init__()
        self.projections = nn.ModuleList(
            [nn.Conv2d(coarser, finer, 1) for finer, coarser in zip(widths[:-1], widths[1:], strict=True)]
        )

    def forward(self, features: list[torch.Tensor]) -> list[torch.Tensor]:
        merged = [features[-1]]
        for projection, finer in zip(reversed(self.projections), reversed(features[:-1]), strict=True):
            merged.insert(0, finer + F.interpolate(projection(merged[0]), size=finer.shape[-2:], mode="nearest"))
        return merged


class Detector(nn.Module):
    """Backbone: stem (stride 1 then ``STEM_STRIDE``), then one block per scale (``BLOCK_STRIDE`` each); with
    ``config.top_down``, a :class:`TopDown` merge; a head per scale (dilation ``config.head_dilation`` on every
    scale but the finest). ``strides``: each scale's stride in pixels, finest first (``config.strides``).

    forward: images ``Tensor[B, 3, S, S]`` in [0, 1] -> ``Tensor[B, A, 5 + C]`` for all
    anchors of all scales, each row ``(dx, dy, dw, dh, objectness logit, C class logits)``; the heads' box
    values become the offsets through ``config``'s box coder (:meth:`DetectorConfig.box_coder`).
    """

    def __init__(self, config: DetectorConfig) -> None:
        super().__init__()
        stem1, stem2, *widths = config.channels
        self.strides = config.strides
        self.stem = nn.Sequential(conv_bn_relu(3, stem1, 1), conv_bn_relu(stem1, stem2, STEM_STRIDE))
        inputs = [stem2, *widths[:-1]]
        self.blocks = nn.ModuleList(
            [conv_bn_relu(width_in, width, BLOCK_STRIDE) for width_in, width in zip(inputs, widths, strict=True)]
        )
        self.top_down = TopDown(widths) if config.top_down else None
        dilations = [1] + [config.head_dilation] * (len(widths) - 1)
        self.heads = nn.ModuleList(
            [ScaleHead(width, len(sizes), config.num_classes, dilation)
             for width, sizes, dilation in zip(widths, config.anchor_sizes, dilations, strict=True)]
        )
        self.box_coder = config.box_coder()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = [self.stem(images)]
        for block in self.blocks:
            features.append(block(features[-1]))
        features = features[1:]
        if self.top_down is not None:
            features = self.top_down(features)
        outputs = torch.cat([head(scale) for head, scale in zip(self.heads, features, strict=True)], dim=1)
        if self.box_coder.unit:
            return outputs
        return torch.cat([self.box_coder.offsets(outputs[..., :BOX_VALUES]), outputs[..., BOX_VALUES:]], dim=-1)


def parameter_count(config: DetectorConfig) -> int:
    """Trainable parameters of the detector built from ``config``, batch norms unfolded (the model as trained)."""
    return sum(parameter.numel() for parameter in Detector(config).parameters() if parameter.requires_grad)


def fold_batch_norm(model: Detector) -> Detector:
    """``model`` (in eval mode) with each batch norm folded into the convolution before it, in place.

    Inference only: the running statistics and affine parameters become the conv's
    weight scale and bias; outputs equal the unfolded model's up to float rounding.
    Covers both stem convs and every scale's block.
    """
    for block in [*model.stem, *model.blocks]:
        conv, norm = block[0], block[1]
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        folded = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                           padding=conv.padding, bias=True)
        with torch.no_grad():
            folded.weight.copy_(conv.weight * scale[:, None, None, None])
            folded.bias.copy_(norm.bias - norm.running_mean * scale)
        block[0], block[1] = folded.to(conv.weight.device, memory_format=torch.channels_last), nn.Identity()
    return model


def load_detector(path: str | Path, device: torch.device) -> tuple[Detector, DetectorConfig]:
    """The model saved by the detector trainer (eval mode, batch norms folded, channels-last) and its config."""
    checkpoint = load_checkpoint(path)
    try:
        config = DetectorConfig(**checkpoint["config"])
        model = Detector(config)
        model.load_state_dict(checkpoint["model"])
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise UserError(f"{path}: not a detector checkpoint ({type(error).__name__})") from None
    model = model.to(device, memory_format=torch.channels_last).eval()
    return fold_batch_norm(model), config


def checkpoint_choice(path: str | Path) -> CheckpointChoice:
    """Which epoch the detector checkpoint at ``path`` holds, the rule that kept it, and the epochs trained."""
    checkpoint = load_checkpoint(path)
    try:
        params = checkpoint["params"]
        return CheckpointChoice(params["checkpoint"], int(checkpoint["epoch"]), int(params["epochs"]))
    except (KeyError, TypeError, ValueError) as error:
        raise UserError(f"{path}: not a detector checkpoint ({type(error).__name__})") from None
