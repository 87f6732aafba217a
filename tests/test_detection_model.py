"""The detector's output layout, and batch-norm folding for inference."""

import copy

import torch

from locate.detection.model import Detector, DetectorConfig, fold_batch_norm

CONFIG = DetectorConfig([4, 8, 8, 16, 16], [[16, 24, 32], [48, 64, 96], [96, 128, 192]], 3, 224)


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


def test_folded_batch_norm_gives_the_same_outputs():
    torch.manual_seed(0)
    model = Detector(CONFIG)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
            module.weight.data.uniform_(0.5, 2)
            module.bias.data.uniform_(-1, 1)
    model.eval()
    images = torch.rand(2, 3, 224, 224)
    with torch.inference_mode():
        assert torch.allclose(fold_batch_norm(copy.deepcopy(model))(images), model(images), atol=1e-4)
