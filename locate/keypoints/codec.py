"""What every keypoint method's targets satisfy: an encode/decode pair between pixels and model outputs.

Training encodes the keypoints once into targets; evaluation, latency timing and the
figures decode the model's outputs. Neither cares which method is in use.
"""

from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class Decoder(Protocol):
    """Model outputs -> keypoints in image pixels."""

    def decode(self, outputs: torch.Tensor) -> torch.Tensor:
        """Model outputs ``Tensor[N, K, ...]`` -> keypoints float32 ``Tensor[N, K, 2]`` (x, y) pixels."""
        ...


@runtime_checkable
class Codec(Decoder, Protocol):
    """Keypoints in image pixels <-> a model's training targets and outputs (exact inverses up to the grid)."""

    def encode(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Keypoints ``Tensor[N, K, 2]`` (x, y) pixels -> float32 targets ``Tensor[N, K, ...]``."""
        ...
