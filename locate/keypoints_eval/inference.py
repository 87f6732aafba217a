"""A trained keypoint method applied to a user's images: the evaluation's prediction and decoding on prepared
images, the keypoints mapped back to each image's pixels and rounded as the evaluation writes them.

A record per image: ``{"image": path or None, "keypoints": [{"name", "x", "y"}]}`` in the image's own pixels
(pixel centres at integers, as in the training data), in the order of
:data:`~locate.data.stick_figures.KEYPOINT_NAMES`.
"""

from dataclasses import dataclass

import torch
from PIL import Image

from locate.data.entries import KEYPOINT_NAMES
from locate.keypoints.codec import Decoder
from locate.keypoints.evaluation import predict
from locate.keypoints.method import MethodConfig
from locate.keypoints_eval.picture import draw_keypoints
from locate.keypoints_eval.trained import rounded_points
from locate.runtime import Runtime
from locate.user_images import Prepared

PICTURE_SIDE = 384  # pixels: a picture is drawn on the image enlarged or shrunk to about this side


def in_image_pixels(keypoints: torch.Tensor, width: int, height: int, size: int) -> torch.Tensor:
    """Keypoints ``Tensor[K, 2]`` of a ``size x size`` input mapped to the pixels of the ``width x height`` image
    it was resized from (pixel-centre aligned: ``x -> (x + 0.5) * width / size - 0.5``); unchanged when the image
    is the input's size."""
    if (width, height) == (size, size):
        return keypoints
    scale = torch.tensor([width / size, height / size], dtype=keypoints.dtype)
    return (keypoints + 0.5) * scale - 0.5


@dataclass(frozen=True)
class TrainedKeypoints:
    """A keypoint ``model`` (eval mode, on ``runtime.device``), the ``decoder`` of its outputs and its ``config``."""

    model: torch.nn.Module
    decoder: Decoder
    config: MethodConfig
    runtime: Runtime

    mode = "L"
    picture_side = PICTURE_SIDE
    kind = "keypoints"

    @property
    def input_size(self) -> int:
        """Side in pixels of the square input the model was trained on."""
        return self.config.image_size

    def records(self, batch: list[Prepared]) -> list[dict]:
        """One record per image of ``batch`` (grayscale images of ``input_size``)."""
        images = torch.stack([prepared.pixels for prepared in batch])
        found = predict(self.model, self.decoder, images, self.runtime, batch_size=len(batch))
        mapped = torch.stack([in_image_pixels(points, p.width, p.height, self.input_size)
                              for points, p in zip(found, batch, strict=True)])
        return [{"image": prepared.name,
                 "keypoints": [{"name": name, "x": x, "y": y} for name, (x, y) in zip(KEYPOINT_NAMES, points,
                                                                                      strict=True)]}
                for prepared, points in zip(batch, rounded_points(mapped), strict=True)]

    def picture(self, prepared: Prepared, record: dict) -> Image.Image:
        """``prepared.picture`` with the record's keypoints joined by the stick figure's bones."""
        base = prepared.picture
        factor = base.width / prepared.width
        points = torch.tensor([[k["x"], k["y"]] for k in record["keypoints"]])
        return draw_keypoints(base, (points + 0.5) * factor - 0.5, scale=max(1, PICTURE_SIDE // max(base.size)))
