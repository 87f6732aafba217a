"""Decoding the two hand heatmaps as an unordered pair.

The hands cannot be told apart, so a heatmap model learns two blobs in each hand
channel and the two independent argmaxes may land on the same hand, leaving the other
hand unclaimed. :class:`HandPairDecoder` decodes every keypoint as its codec does; where
the two hand predictions fall within ``radius`` heatmap cells of each other, it looks in
the sum of both hand maps for a second local maximum outside that radius and, when it is
at least ``min_ratio`` of the first, moves the hand channel that responds less to the
first peak onto it. Which channel gets which hand stays the model's choice, so the
course PCK keeps its meaning; only the collapse onto one hand is undone.
"""

from dataclasses import dataclass

import torch

from locate.data.entries import HANDS
from locate.keypoints.heatmap_codec import HeatmapCodec


def _peak(maps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Row and column ``Tensor[N]`` of each map's maximum; maps ``Tensor[N, H, W]``."""
    flat = maps.flatten(1).argmax(1)
    return flat // maps.shape[-1], flat % maps.shape[-1]


def _window(shape: torch.Size, row: torch.Tensor, column: torch.Tensor, radius: float) -> torch.Tensor:
    """Bool ``Tensor[N, H, W]``: cells within ``radius`` of (row, column) per map."""
    rows = torch.arange(shape[-2])[None, :, None]
    columns = torch.arange(shape[-1])[None, None, :]
    distance2 = (rows - row[:, None, None]) ** 2 + (columns - column[:, None, None]) ** 2
    return distance2 <= radius**2


@dataclass(frozen=True)
class HandPairDecoder:
    """A heatmap codec's decoder with the two hand channels decoded as a pair.

    codec: the method's HeatmapCodec; radius: heatmap cells within which two hand
    predictions count as one; min_ratio: how strong a second peak must be, relative to
    the first, to be taken as the other hand.
    """

    codec: HeatmapCodec
    radius: float
    min_ratio: float = 0.25
    hands: tuple[int, int] = HANDS

    def decode(self, heatmaps: torch.Tensor) -> torch.Tensor:
        """Heatmaps ``Tensor[N, K, H, W]`` -> keypoints ``Tensor[N, K, 2]`` (x, y) image pixels."""
        heatmaps = heatmaps.float()
        keypoints = self.codec.decode(heatmaps)
        first, second = self.hands
        cells = self.codec.to_heatmap(keypoints[:, [first, second]])
        collapsed = (cells[:, 0] - cells[:, 1]).norm(dim=-1) <= self.radius
        if not collapsed.any():
            return keypoints
        maps = heatmaps[collapsed][:, [first, second]]
        combined = maps.sum(1)
        row, column = _peak(combined)
        near_first = _window(combined.shape, row, column, self.radius)
        local_maximum = combined == torch.nn.functional.max_pool2d(combined[:, None], 3, 1, 1)[:, 0]
        candidates = combined.masked_fill(near_first | ~local_maximum, float("-inf"))
        second_row, second_column = _peak(candidates)
        index = torch.arange(len(combined))
        strong = combined[index, second_row, second_column] >= self.min_ratio * combined[index, row, column]
        near_second = _window(combined.shape, second_row, second_column, self.radius)
        # the channel responding less at the first peak moves to the second one
        mover = (maps[index, 0, row, column] >= maps[index, 1, row, column]).long()
        moved = self.codec.decode(combined.masked_fill(~near_second, 0.0)[:, None])[:, 0]
        hands = keypoints[collapsed][:, [first, second]]
        hands[index[strong], mover[strong]] = moved[strong]
        result = keypoints.clone()
        result[collapsed.nonzero().flatten()[:, None], torch.tensor([first, second])] = hands
        return result
