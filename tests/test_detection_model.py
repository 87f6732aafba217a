"""The detector's output layout for any number of scales, its parameter names, and batch-norm folding for inference."""

import copy

import pytest
import torch

from locate.detection.config import DetectorConfig
from locate.detection.model import Detector, fold_batch_norm

CONFIG = DetectorConfig([4, 8, 8, 16, 16], [[16, 24, 32], [48, 64, 96], [96, 128, 192]], 3, 224)
FOUR_SCALES = DetectorConfig([4, 8, 8, 16, 16, 16], [[16, 24], [32, 48], [64, 96], [128, 192]], 3, 224)


def test_one_row_per_anchor_in_anchor_order():
    outputs = Detector(CONFIG)(torch.rand(2, 3, 224, 224))
    anchors, levels = CONFIG.anchors()
    assert outputs.shape == (2, len(anchors), 4 + 1 + 3)
    assert torch.bincount(levels).tolist() == [56 * 56 * 3, 28 * 28 * 3, 14 * 14 * 3]


def test_head_rows_follow_row_column_anchor_order():
    model = Detector(CONFIG).eval()
    features = torch.rand(1, 16, 14, 14)
    raw = model.heads[2].predict(torch.relu(model.heads[2].hidden(features)))  # [1, 3 * 8, 14, 14]
    rows = model.heads[2](features)
    row, col, anchor = 5, 9, 2
    assert torch.allclose(rows[0, (row * 14 + col) * 3 + anchor], raw[0, anchor * 8 : (anchor + 1) * 8, row, col])


def test_four_anchor_lists_build_four_scales_with_one_row_per_anchor():
    model = Detector(FOUR_SCALES)
    assert len(model.blocks) == len(model.heads) == 4
    assert model.strides == FOUR_SCALES.strides == [4, 8, 16, 32]
    outputs = model(torch.rand(2, 3, 224, 224))
    anchors, levels = FOUR_SCALES.anchors()
    assert outputs.shape == (2, len(anchors), 4 + 1 + 3)
    assert torch.bincount(levels).tolist() == [56 * 56 * 2, 28 * 28 * 2, 14 * 14 * 2, 7 * 7 * 2]


def test_each_scale_map_has_the_side_its_stride_gives():
    model = Detector(FOUR_SCALES).eval()
    features = model.stem(torch.rand(1, 3, 224, 224))
    for block, stride, side in zip(model.blocks, model.strides, FOUR_SCALES.feature_sizes, strict=True):
        features = block(features)
        assert features.shape[-1] == 224 // stride == side


def test_parameters_are_created_stem_then_blocks_then_heads():
    names = [name for name, _ in Detector(CONFIG).named_parameters()]
    assert names[:4] == ["stem.0.0.weight", "stem.0.1.weight", "stem.0.1.bias", "stem.1.0.weight"]
    firsts = [names.index(name) for name in ("blocks.0.0.weight", "blocks.1.0.weight", "blocks.2.0.weight",
                                             "heads.0.hidden.weight", "heads.1.hidden.weight", "heads.2.hidden.weight")]
    assert firsts == sorted(firsts) and names[-1] == "heads.2.predict.bias"


@pytest.mark.parametrize("config", [CONFIG, FOUR_SCALES], ids=["three_scales", "four_scales"])
def test_folded_batch_norm_gives_the_same_outputs(config):
    torch.manual_seed(0)
    model = Detector(config)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
            module.weight.data.uniform_(0.5, 2)
            module.bias.data.uniform_(-1, 1)
    model.eval()
    images = torch.rand(2, 3, 224, 224)
    folded = fold_batch_norm(copy.deepcopy(model))
    assert not any(isinstance(module, torch.nn.BatchNorm2d) for module in folded.modules())
    with torch.inference_mode():
        assert torch.allclose(folded(images), model(images), atol=1e-4)
