"""A trained keypoint method as the evaluation applies it: its checkpoint loaded into a model and a decoder, and its
predictions rounded as they are written.

The checkpoint carries the method's :class:`~locate.keypoints.method.MethodConfig`; how heatmaps are decoded (sub-pixel
refinement, the hands as a pair) is the evaluation's choice (section ``keypoints_eval.decoding``),
passed in here.
"""

from pathlib import Path

import torch

from locate.checkpoint import load_checkpoint
from locate.errors import UserError
from locate.keypoints.codec import Codec, Decoder
from locate.keypoints.config import KeypointDecoding
from locate.keypoints.method import MethodConfig, build_model, make_codec
from locate.keypoints_eval.hand_pair import HandPairDecoder

KEYPOINT_DECIMALS = 3  # decimals of a pixel coordinate in a predictions file


def decoder(config: MethodConfig, codec: Codec, params: KeypointDecoding) -> Decoder:
    """``codec``, or for a model whose hands decode as a pair, with a positive radius, its hand-pair decoder."""
    if config.entry.hand_pair and params.hand_pair_radius > 0:
        return HandPairDecoder(codec, params.hand_pair_radius * config.sigma, params.hand_pair_min_ratio)
    return codec


def method_from_checkpoint(checkpoint: dict, path: Path, subpixel: bool
                           ) -> tuple[torch.nn.Module, Codec, MethodConfig]:
    """Model (weights loaded, CPU), codec and config of the keypoint ``checkpoint`` read from ``path``; a
    checkpoint without a valid config, or whose weights do not fit it, is a UserError naming ``path``."""
    config = MethodConfig.from_meta(checkpoint.get("config"), path)
    model = build_model(config)
    try:
        model.load_state_dict(checkpoint["model"])
    except (KeyError, RuntimeError):
        raise UserError(f"{path}: weights do not match the keypoint model config in the checkpoint") from None
    return model, make_codec(config, subpixel), config


def load_method(path: Path, subpixel: bool) -> tuple[torch.nn.Module, Codec, MethodConfig]:
    """Model (weights loaded) and codec of the checkpoint at ``path``, with its config."""
    return method_from_checkpoint(load_checkpoint(path), path, subpixel)


def rounded_points(keypoints: torch.Tensor) -> list[list[list[float]]]:
    """Keypoints ``Tensor[N, K, 2]`` (x, y) pixels as nested lists, each coordinate rounded as written."""
    return [[[round(x, KEYPOINT_DECIMALS), round(y, KEYPOINT_DECIMALS)] for x, y in points]
            for points in keypoints.tolist()]
