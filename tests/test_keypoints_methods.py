"""The method table: what each model and loss name builds, the codec protocol, the lookups by role,
and a clear error for an unknown model or loss name in params or in a checkpoint."""

import copy

import pytest
import torch

from locate.checkpoint import save_checkpoint
from locate.data.entries import FIGURE_SIZE, KEYPOINT_NAMES
from locate.errors import UserError
from locate.keypoints.codec import Codec, Decoder
from locate.keypoints.config import KeypointsParams
from locate.keypoints.evaluation import failure_groups
from locate.keypoints.losses import mse, symmetric_l1, symmetric_mse
from locate.keypoints.method import (
    LOSSES,
    MODELS,
    HeatmapSettings,
    MethodConfig,
    MethodParams,
    ablation_baseline,
    build_model,
    course_method,
    failure_pair,
    make_codec,
    make_loss,
    plain_method,
    symmetric_method,
)
from locate.keypoints_eval.hand_pair import HandPairDecoder
from locate.keypoints_eval.trained import load_method
from locate.params import parse
from tests.stage_runner import repo_params

SETTINGS = HeatmapSettings(heatmap_size=32, sigma=1.5, skips=False)
DROPOUT = 0.25


def _keypoints_params(methods: dict) -> KeypointsParams:
    section = copy.deepcopy(repo_params()["keypoints"])
    section["methods"] = methods
    return parse(section, KeypointsParams, "keypoints")


def test_the_checkpoint_meta_keeps_its_keys_and_values():
    heatmap = MethodConfig.for_model("heatmap", "mse", SETTINGS, DROPOUT).to_meta()
    assert list(heatmap.items()) == [("model", "heatmap"), ("loss", "mse"), ("heatmap_size", 32), ("sigma", 1.5),
                                     ("skips", False), ("num_keypoints", 5), ("image_size", 128)]
    regression = MethodConfig.for_model("regression", "symmetric_mse", SETTINGS, DROPOUT).to_meta()
    assert regression == {"model": "regression", "loss": "symmetric_mse", "heatmap_size": None, "sigma": None,
                          "skips": None, "num_keypoints": len(KEYPOINT_NAMES), "image_size": FIGURE_SIZE,
                          "dropout": DROPOUT}
    assert MethodConfig.from_meta(regression, "r.pt").dropout == DROPOUT
    assert MethodConfig.from_meta(heatmap, "x.pt").to_meta() == heatmap


def test_a_config_keeps_only_the_heatmap_settings_its_model_reads():
    integral = MethodConfig.for_model("integral", "mse", SETTINGS, DROPOUT)
    assert (integral.heatmap_size, integral.sigma, integral.skips) == (32, None, False)
    assert MethodConfig.for_model("integral", "mse", HeatmapSettings(32, 3.0, False), DROPOUT) == integral


@pytest.mark.parametrize("model", list(MODELS))
def test_every_model_builds_a_network_whose_outputs_its_codec_decodes(model):
    config = MethodConfig.for_model(model, "mse", HeatmapSettings(64, 2.0, True), DROPOUT)
    codec = make_codec(config)
    assert isinstance(codec, Codec) and isinstance(codec, Decoder)
    keypoints = torch.tensor([[[10.0, 20.0], [64.0, 64.0], [100.0, 30.0], [5.0, 120.0], [127.0, 0.0]]])
    targets = codec.encode(keypoints)
    assert targets.shape[:2] == keypoints.shape[:2] and targets.dtype == torch.float32
    assert (codec.decode(targets) - keypoints).abs().max() <= 0.5
    with torch.no_grad():
        outputs = build_model(config).eval()(torch.rand(2, 1, FIGURE_SIZE, FIGURE_SIZE))
    assert outputs.shape[1:] == targets.shape[1:]
    assert codec.decode(outputs).shape == (2, len(KEYPOINT_NAMES), 2)


def test_the_hand_pair_decoder_is_a_decoder_and_only_heatmaps_decode_hands_as_a_pair():
    heatmap = MethodConfig.for_model("heatmap", "mse", SETTINGS, DROPOUT)
    assert isinstance(HandPairDecoder(make_codec(heatmap), radius=3.0), Decoder)
    regression = MethodConfig.for_model("regression", "mse", SETTINGS, DROPOUT)
    assert heatmap.entry.hand_pair and not regression.entry.hand_pair


def test_losses_are_looked_up_by_name():
    assert make_loss(MethodConfig.for_model("heatmap", "mse", SETTINGS, DROPOUT)) is mse
    assert make_loss(MethodConfig.for_model("regression", "symmetric_mse", SETTINGS, DROPOUT)) is symmetric_mse
    assert make_loss(MethodConfig.for_model("integral", "symmetric_l1", SETTINGS, DROPOUT)) is symmetric_l1
    assert {"mse", "symmetric_mse", "l1", "symmetric_l1"} <= set(LOSSES)


def test_the_method_table_lists_every_method_grouped_by_model():
    params = _keypoints_params({"regression": {"r": {"loss": "mse"}},
                                "heatmap": {"h": {"loss": "symmetric_mse"}, "c": {"loss": "mse"}}, "integral": {}})
    expected = {"h": MethodParams("heatmap", "symmetric_mse"), "c": MethodParams("heatmap", "mse"),
                "r": MethodParams("regression", "mse")}
    assert params.method_table == expected and list(params.method_table) == ["h", "c", "r"]


def test_a_model_the_evaluation_compares_needs_its_course_method():
    with pytest.raises(UserError, match="params key 'keypoints.methods.heatmap': expected a method with loss 'mse'"):
        _keypoints_params({"heatmap": {}, "regression": {"r": {"loss": "mse"}}, "integral": {}})


def test_an_unknown_model_in_params_names_its_key_and_the_known_models():
    with pytest.raises(UserError) as error:
        _keypoints_params({"heatmap": {}, "regression": {}, "pose": {"p": {"loss": "mse"}}})
    assert "params key 'keypoints.methods.pose'" in str(error.value)
    assert "unknown keypoint model 'pose'; known: heatmap, regression, integral" in str(error.value)


def test_a_missing_model_group_is_named():
    with pytest.raises(UserError, match=r"params key 'keypoints.methods.regression': missing"):
        _keypoints_params({"heatmap": {"heatmap": {"loss": "mse"}}})


def test_an_unknown_loss_in_params_names_its_key_and_the_known_losses():
    with pytest.raises(UserError) as error:
        _keypoints_params({"heatmap": {"h": {"loss": "l2"}}, "regression": {}, "integral": {}})
    assert "params key 'keypoints.methods.heatmap.h.loss'" in str(error.value)
    assert f"unknown keypoint loss 'l2'; known: {', '.join(LOSSES)}" in str(error.value)


@pytest.mark.parametrize(("field", "value", "known"), [("model", "pose", "heatmap, regression, integral"),
                                                       ("loss", "l2", ", ".join(LOSSES))])
def test_an_unknown_name_in_a_checkpoint_names_the_checkpoint(tmp_path, field, value, known):
    config = MethodConfig.for_model("regression", "mse", SETTINGS, DROPOUT)
    path = tmp_path / "odd.pt"
    save_checkpoint(path, build_model(config), {"config": config.to_meta() | {field: value}, "name": "odd"})
    with pytest.raises(UserError) as error:
        load_method(path, subpixel=True)
    assert str(error.value) == f"{path}: unknown keypoint {field} {value!r}; known: {known}"


def test_course_and_symmetric_methods_are_found_by_model_and_loss():
    methods = _keypoints_params({
        "heatmap": {"h_sym": {"loss": "symmetric_mse"}, "h": {"loss": "mse"}, "h2": {"loss": "mse"}},
        "regression": {"r": {"loss": "mse"}},
        "integral": {},
    }).method_table
    assert course_method(methods, "heatmap") == "h"
    assert symmetric_method(methods, "heatmap") == "h_sym"
    assert symmetric_method(methods, "regression") is None
    assert plain_method(methods, "heatmap") == "h" and plain_method(methods, "integral") is None
    assert failure_pair(methods) == ("h", "r")
    assert ablation_baseline(methods) == "h"
    real = _keypoints_params(repo_params()["keypoints"]["methods"]).method_table
    assert failure_pair(real) == ("heatmap", "regression")
    assert symmetric_method(real, real["regression"].model) == "regression_symmetric"


def test_a_model_without_a_course_method_names_its_group():
    methods = {"r": MethodParams("regression", "symmetric_mse"), "h": MethodParams("heatmap", "mse")}
    with pytest.raises(UserError, match=r"params key 'keypoints.methods.regression': expected a method with loss"):
        failure_pair(methods)


def test_failure_groups_are_named_after_the_pair():
    truth = torch.tensor([[[10.0, 10.0], [30.0, 30.0], [50.0, 10.0], [20.0, 60.0], [40.0, 60.0]]]).repeat(3, 1, 1)
    right, wrong = truth.clone(), truth + 30
    predictions = {"a": torch.stack([right[0], wrong[1], wrong[2]]), "b": torch.stack([wrong[0], right[1], wrong[2]])}
    groups = failure_groups(("a", "b"), predictions, truth)
    assert {name: indices.tolist() for name, indices in groups.items()} == {
        "a_right_b_wrong": [0], "b_right_a_wrong": [1], "both_wrong": [2]}
