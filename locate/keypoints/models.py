"""The keypoint models: the course's HeatmapNet (encoder-decoder) and RegressionNet (encoder + FC
head), and IntegralNet (the heatmap network read out by soft-argmax as coordinates).

All share the encoder: four Conv(3x3)-BN-ReLU-MaxPool(2) blocks, 1 -> 32 -> 64 -> 128 ->
256 channels, 128 -> 64 -> 32 -> 16 -> 8 pixels for a 128x128 input. The widths, the
regression head and its dropout are the constants below, which the models are built from.
"""

import math

import torch
from torch import nn

from locate.keypoints.soft_argmax import soft_argmax

INPUT_CHANNELS = 1  # grayscale
ENCODER_CHANNELS = (32, 64, 128, 256)
ENCODER_STRIDE = 2 ** len(ENCODER_CHANNELS)  # input pixels per bottleneck cell: each block halves the map
DECODER_CHANNELS = (128, 64, 32, 32)
SKIP_STAGES = 2
REGRESSION_HIDDEN = (128, 64)  # widths of the fully connected layers between the pooled features and the output
COURSE_DROPOUT = 0.5  # the course's dropout rate in the regression head


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


def _up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, 2, stride=2, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class Encoder(nn.Module):
    """``Tensor[B, C, H, W]`` -> the four block outputs, ``[B, 32, H/2, W/2]`` ... ``[B, 256, H/16, W/16]``."""

    def __init__(self, in_channels: int = INPUT_CHANNELS) -> None:
        super().__init__()
        widths = (in_channels, *ENCODER_CHANNELS)
        self.blocks = nn.ModuleList(_conv_block(a, b) for a, b in zip(widths, widths[1:], strict=False))

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for block in self.blocks:
            images = block(images)
            features.append(images)
        return features


class HeatmapNet(nn.Module):
    """Images ``Tensor[B, 1, 128, 128]`` -> heatmaps ``Tensor[B, K, S, S]`` (no activation).

    The decoder doubles the 8x8 bottleneck ``log2(S / 8)`` times with
    ConvTranspose(2, stride 2)-BN-ReLU to 128, 64, 32 (and 32 for S = 128) channels.
    With ``skips`` the first two upsampled maps (16x16, 32x32) are concatenated with the
    encoder maps of the same size (128 and 64 channels), as in the course; without, the
    following layers take fewer input channels. A 1x1 conv gives the K heatmaps.
    S = 64 is the course model; S = 32 stops one stage earlier, S = 128 adds one.
    """

    def __init__(self, num_keypoints: int, heatmap_size: int, skips: bool, image_size: int):
        super().__init__()
        stages = round(math.log2(heatmap_size * ENCODER_STRIDE / image_size))
        if not 1 <= stages <= len(DECODER_CHANNELS) or image_size * 2**stages != heatmap_size * ENCODER_STRIDE:
            factors = ", ".join(str(2**stage) for stage in range(1, len(DECODER_CHANNELS) + 1))
            raise ValueError(f"heatmap_size {heatmap_size} must be image_size/{ENCODER_STRIDE} times {factors}")
        self.skips = skips
        self.encoder = Encoder()
        self.ups = nn.ModuleList()
        channels = ENCODER_CHANNELS[-1]
        for stage in range(stages):
            self.ups.append(_up_block(channels, DECODER_CHANNELS[stage]))
            channels = DECODER_CHANNELS[stage] + (self._skip_channels(stage) if skips else 0)
        self.head = nn.Conv2d(channels, num_keypoints, 1)

    @staticmethod
    def _skip_channels(stage: int) -> int:
        return ENCODER_CHANNELS[-2 - stage] if stage < SKIP_STAGES else 0

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.encoder(images)
        x = features[-1]
        for stage, up in enumerate(self.ups):
            x = up(x)
            if self.skips and stage < SKIP_STAGES:
                x = torch.cat([x, features[-2 - stage]], dim=1)
        return self.head(x)


class IntegralNet(nn.Module):
    """Images ``Tensor[B, 1, 128, 128]`` -> keypoints float32 ``Tensor[B, K, 2]`` (x, y) as pixels / image side.

    The heatmap network (:class:`HeatmapNet`, same encoder, decoder and skips) gives one map of
    logits per keypoint; :func:`~locate.keypoints.soft_argmax.soft_argmax` turns each into the
    expected location. Trained on coordinates, like regression, but its output keeps where
    things are.
    """

    def __init__(self, num_keypoints: int, heatmap_size: int, skips: bool, image_size: int) -> None:
        super().__init__()
        self.image_size = image_size
        self.maps = HeatmapNet(num_keypoints, heatmap_size, skips, image_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return soft_argmax(self.maps(images), self.image_size)


class RegressionNet(nn.Module):
    """Images ``Tensor[B, 1, H, W]`` -> keypoints ``Tensor[B, K, 2]`` (x, y) in [0, 1].

    Encoder, global average pool, then per width of :data:`REGRESSION_HIDDEN` FC, ReLU,
    Dropout (FC 256->128, FC 128->64), and FC 64->2K, sigmoid.
    """

    def __init__(self, num_keypoints: int, dropout: float) -> None:
        super().__init__()
        self.num_keypoints = num_keypoints
        self.encoder = Encoder()
        widths = (ENCODER_CHANNELS[-1], *REGRESSION_HIDDEN)
        layers: list[nn.Module] = []
        for in_features, out_features in zip(widths, widths[1:], strict=False):
            layers += [nn.Linear(in_features, out_features), nn.ReLU(inplace=True), nn.Dropout(dropout)]
        self.head = nn.Sequential(*layers, nn.Linear(widths[-1], 2 * num_keypoints), nn.Sigmoid())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        pooled = self.encoder(images)[-1].mean(dim=(2, 3))
        return self.head(pooled).view(-1, self.num_keypoints, 2)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
