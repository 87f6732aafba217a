"""The detector options beside the course's: anchor centres on the receptive fields, SSD's box variances and
the IoU objectness target; each off by default, each checked against what it claims."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F
import yaml

from locate.detection.box_coder import encode
from locate.detection.config import DetectorConfig, LossWeights
from locate.detection.loss import detection_loss
from locate.detection.model import BOX_VALUES, Detector
from locate.detection.recipes import read_recipe
from locate.detection_eval.receptive_field import _all_paths_open
from locate.errors import UserError
from tests.stage_runner import repo_params

SMALL = DetectorConfig([4, 4, 4, 4, 4], [[16], [48], [96]], 3, 224)


def _seen_centre(config: DetectorConfig, scale: int, cell: int) -> float:
    """Centre in pixels, along x, of the input pixels that the outputs of cell ``(cell, cell)`` of ``scale`` see."""
    model = _all_paths_open(Detector(config)).float()
    images = torch.ones(1, 3, config.image_size, config.image_size, requires_grad=True)
    outputs = model(images)
    sides = config.feature_sizes
    first = sum(side * side * len(sizes) for side, sizes in zip(sides[:scale], config.anchor_sizes, strict=False))
    row = first + (cell * sides[scale] + cell) * len(config.anchor_sizes[scale])
    outputs[0, row].sum().backward()
    columns = (images.grad[0].abs().sum(dim=(0, 1)) > 0).nonzero()
    return (float(columns.min()) + float(columns.max()) + 1) / 2


@pytest.mark.parametrize("scale", [0, 1, 2])
def test_receptive_field_anchors_sit_where_their_cell_looks_and_cell_anchors_do_not(scale):
    aligned = dataclasses.replace(SMALL, anchor_centre="receptive_field")
    cell = aligned.feature_sizes[scale] // 2
    seen = _seen_centre(aligned, scale, cell)
    anchors, levels = aligned.anchors()
    side = aligned.feature_sizes[scale]
    box = anchors[levels == scale][(cell * side + cell) * len(aligned.anchor_sizes[scale])]
    assert float(box[0] + box[2]) / 2 == seen
    cell_box = SMALL.anchors()[0][levels == scale][(cell * side + cell) * len(SMALL.anchor_sizes[scale])]
    assert float(cell_box[0] + cell_box[2]) / 2 == seen - 0.5 + aligned.strides[scale] / 2 != seen


def test_box_variances_scale_the_heads_box_outputs_only():
    torch.manual_seed(0)
    plain = Detector(SMALL).eval()
    scaled_config = dataclasses.replace(SMALL, box_variances=(0.1, 0.1, 0.2, 0.2))
    scaled = Detector(scaled_config).eval()
    scaled.load_state_dict(plain.state_dict())
    images = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        expected, got = plain(images), scaled(images)
    variances = torch.tensor(scaled_config.box_variances)
    assert torch.allclose(got[..., :BOX_VALUES], expected[..., :BOX_VALUES] * variances)
    assert torch.equal(got[..., BOX_VALUES:], expected[..., BOX_VALUES:])


def _one_positive(predicted_offsets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Outputs ``[1, 2, 5 + 3]`` with anchor 0 a positive of class 1 and anchor 1 a negative, their labels,
    target offsets ``[1, 2, 4]`` of the box (10, 10, 40, 40) on anchor 0, and the anchors ``[2, 4]`` xyxy."""
    anchors = torch.tensor([[8.0, 8.0, 40.0, 40.0], [100.0, 100.0, 132.0, 132.0]])
    offsets = torch.zeros(1, 2, 4)
    offsets[0, 0] = encode(torch.tensor([[10.0, 10.0, 40.0, 40.0]]), anchors[:1])[0]
    outputs = torch.zeros(1, 2, BOX_VALUES + 1 + 3)
    outputs[0, 0, :BOX_VALUES] = predicted_offsets
    return outputs, torch.tensor([[2, 0]]), offsets, anchors


def test_the_iou_objectness_target_is_the_fit_of_the_positives_box_and_carries_no_gradient():
    weights = LossWeights(1.0, 0.0, 0.0, 1, 0.1, objectness_target="iou")
    outputs, labels, offsets, anchors = _one_positive(torch.zeros(4))
    exact, _, _, _ = _one_positive(offsets[0, 0])
    fit = (30 * 30) / (32 * 32)  # the anchor box itself against the box inside it
    logit = torch.zeros(())
    expected = F.binary_cross_entropy_with_logits(logit, torch.tensor(fit)) + F.binary_cross_entropy_with_logits(
        logit, torch.tensor(0.0))
    assert torch.isclose(detection_loss(outputs, labels, offsets, weights, anchors)["obj"], expected)
    perfect = F.binary_cross_entropy_with_logits(logit, torch.tensor(1.0)) + F.binary_cross_entropy_with_logits(
        logit, torch.tensor(0.0))
    assert torch.isclose(detection_loss(exact, labels, offsets, weights, anchors)["obj"], perfect, atol=1e-5)
    outputs.requires_grad_(True)
    detection_loss(outputs, labels, offsets, weights, anchors)["obj"].backward()
    assert torch.count_nonzero(outputs.grad[..., :BOX_VALUES]) == 0


def test_box_variances_divide_both_offsets_in_the_smooth_l1():
    variances = (0.1, 0.1, 0.2, 0.2)
    outputs, labels, offsets, anchors = _one_positive(torch.tensor([0.05, -0.02, 0.1, 0.0]))
    weights = LossWeights(0.0, 0.0, 1.0, 1, 0.111)
    divided = torch.tensor(variances)
    expected = F.smooth_l1_loss(outputs[0, 0, :BOX_VALUES] / divided, offsets[0, 0] / divided, beta=0.111,
                                reduction="sum")
    coder = dataclasses.replace(SMALL, box_variances=variances).box_coder()
    assert torch.isclose(detection_loss(outputs, labels, offsets, weights, anchors, coder)["box"], expected)
    unit = F.smooth_l1_loss(outputs[0, 0, :BOX_VALUES], offsets[0, 0], beta=0.111, reduction="sum")
    assert torch.isclose(detection_loss(outputs, labels, offsets, weights, anchors)["box"], unit)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("anchor_centre", "corner", "cell or receptive_field"),
    ("box_variances", [0.1, 0.1, 0.2], "four numbers > 0"),
    ("objectness_target", "centerness", "binary or iou"),
])
def test_a_wrong_option_names_its_key(tmp_path, key, value, expected):
    params = repo_params()
    params["detector"][key] = value
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(UserError, match=f"detector.{key}'.*{expected}"):
        read_recipe("course", path)
