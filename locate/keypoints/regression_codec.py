"""Regression codec: keypoints in image pixels <-> coordinates normalised to [0, 1]."""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class RegressionCodec:
    """Targets ``(x, y) / image_size``; decoding multiplies back (square images)."""

    image_size: int

    def encode(self, keypoints: torch.Tensor) -> torch.Tensor:
        """Keypoints ``Tensor[N, K, 2]`` (x, y) pixels -> float32 ``Tensor[N, K, 2]`` in [0, 1]."""
        return (keypoints.float() / self.image_size).clamp(0.0, 1.0)

    def decode(self, outputs: torch.Tensor) -> torch.Tensor:
        """Model outputs ``Tensor[N, K, 2]`` in [0, 1] -> keypoints float32 ``Tensor[N, K, 2]`` pixels."""
        return outputs.float() * self.image_size
