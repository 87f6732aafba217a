"""The course's multi-scale detector: a four-block Conv-BN-ReLU backbone and one head per scale."""

from dataclasses import asdict, dataclass

import torch
from torch import nn

from locate.detection.anchors import all_anchors

BOX_VALUES = 4


@dataclass(frozen=True)
class DetectorConfig:
    """What rebuilds the model and its anchors (stored in the checkpoint).

    channels: widths of stem conv 1, stem conv 2, block 2, block 3, block 4 (course:
    32, 64, 128, 256, 512); anchor_sizes: square anchor sides per scale (scale 1 = the
    56x56 map); num_classes: C; image_size: input side in pixels.
    """

    channels: list[int]
    anchor_sizes: list[list[float]]
    num_classes: int
    image_size: int

    @property
    def feature_sizes(self) -> list[int]:
        """Side of each scale's feature map (strides 4, 8, 16)."""
        return [self.image_size // 4, self.image_size // 8, self.image_size // 16]

    def anchors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(anchors Tensor[A, 4] xyxy, level Tensor[A])`` in the order of the model's outputs."""
        return all_anchors(self.image_size, self.feature_sizes, self.anchor_sizes)

    def to_dict(self) -> dict:
        """Plain dict for a checkpoint's meta."""
        return asdict(self)


def conv_bn_relu(inputs: int, outputs: int, stride: int) -> nn.Sequential:
    """3x3 convolution (padding 1), batch norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


class ScaleHead(nn.Module):
    """3x3 conv keeping the width, ReLU, 1x1 conv to ``anchors * (5 + C)`` values per cell."""

    def __init__(self, channels: int, anchors: int, num_classes: int) -> None:
        super().__init__()
        self.anchors = anchors
        self.values = BOX_VALUES + 1 + num_classes
        self.hidden = nn.Conv2d(channels, channels, 3, padding=1)
        self.predict = nn.Conv2d(channels, anchors * self.values, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``Tensor[B, ch, H, W]`` -> ``Tensor[B, H * W * anchors, 5 + C]`` in (row, col, anchor) order."""
        raw = self.predict(torch.relu(self.hidden(features)))
        batch, _, height, width = raw.shape
        raw = raw.view(batch, self.anchors, self.values, height, width).permute(0, 3, 4, 1, 2)
        return raw.reshape(batch, height * width * self.anchors, self.values)


class Detector(nn.Module):
    """Backbone: stem (stride 1 then 2), blocks 2-4 (stride 2 each) giving scales 1-3; a head per scale.

    forward: images ``Tensor[B, 3, S, S]`` in [0, 1] -> ``Tensor[B, A, 5 + C]`` for all
    anchors of all scales, each row ``(dx, dy, dw, dh, objectness logit, C class logits)``.
    """

    def __init__(self, config: DetectorConfig) -> None:
        super().__init__()
        stem1, stem2, scale1, scale2, scale3 = config.channels
        self.stem = nn.Sequential(conv_bn_relu(3, stem1, 1), conv_bn_relu(stem1, stem2, 2))
        self.blocks = nn.ModuleList(
            [conv_bn_relu(stem2, scale1, 2), conv_bn_relu(scale1, scale2, 2), conv_bn_relu(scale2, scale3, 2)]
        )
        self.heads = nn.ModuleList(
            [ScaleHead(width, len(sizes), config.num_classes)
             for width, sizes in zip((scale1, scale2, scale3), config.anchor_sizes, strict=True)]
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.stem(images)
        outputs = []
        for block, head in zip(self.blocks, self.heads, strict=True):
            features = block(features)
            outputs.append(head(features))
        return torch.cat(outputs, dim=1)


def fold_batch_norm(model: Detector) -> Detector:
    """``model`` (in eval mode) with each batch norm folded into the convolution before it, in place.

    Inference only: the running statistics and affine parameters become the conv's
    weight scale and bias; outputs equal the unfolded model's up to float rounding.
    """
    for block in [*model.stem, *model.blocks]:
        conv, norm = block[0], block[1]
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        folded = nn.Conv2d(conv.in_channels, conv.out_channels, 3, stride=conv.stride, padding=1, bias=True)
        with torch.no_grad():
            folded.weight.copy_(conv.weight * scale[:, None, None, None])
            folded.bias.copy_(norm.bias - norm.running_mean * scale)
        block[0], block[1] = folded.to(conv.weight.device, memory_format=torch.channels_last), nn.Identity()
    return model
