"""The detector's params schemas: the scale count from the anchor lists, the widths it asks for, the settings built."""

import copy

import pytest

from locate.data.shapes import SCENE_SIZE
from locate.detection.box_coder import BoxCoder
from locate.detection.config import (
    Augmentation,
    DetectorConfig,
    DetectorEvalParams,
    DetectorParams,
    DetectorSchedule,
    LossWeights,
    MatchThresholds,
    PostprocessSettings,
    Targets,
    max_scales,
    scale_strides,
)
from locate.errors import UserError
from locate.params import parse
from tests.stage_runner import repo_params

FOUR_SCALES = {"channels": [8, 8, 8, 16, 16, 32], "anchor_sizes": [[16], [32], [64], [128]]}


def _detector(**changes) -> DetectorParams:
    section = copy.deepcopy(repo_params()["detector"]) | changes
    return parse(section, DetectorParams, "detector")


def test_scale_strides_double_from_four():
    assert scale_strides(1) == [4]
    assert scale_strides(4) == [4, 8, 16, 32]
    assert max_scales(224) == 4 and max_scales(64) == 5 and max_scales(4) == 1 and max_scales(6) == 0


def test_config_strides_and_feature_sizes_follow_the_anchor_lists():
    three = DetectorConfig([4, 8, 8, 16, 16], [[16], [48], [96]], 3, 224)
    assert three.strides == [4, 8, 16] and three.feature_sizes == [56, 28, 14]
    four = DetectorConfig(FOUR_SCALES["channels"], FOUR_SCALES["anchor_sizes"], 3, 224)
    assert four.strides == [4, 8, 16, 32] and four.feature_sizes == [56, 28, 14, 7]
    assert set(four.to_dict()) == {"channels", "anchor_sizes", "num_classes", "image_size", "top_down", "head_dilation",
                                   "anchor_centre", "box_variances"}


def test_the_repository_params_build_every_setting():
    params = _detector()
    config = params.model_config(num_classes=3)
    assert config == DetectorConfig(params.channels, params.anchor_sizes, 3, SCENE_SIZE, params.top_down,
                                    params.head_dilation, params.anchor_centre, tuple(params.box_variances))
    assert params.targets == Targets(MatchThresholds(params.positive_iou, params.negative_iou), params.min_visibility)
    assert params.loss_weights == LossWeights(params.objectness_weight, params.class_weight, params.box_weight,
                                              params.negatives_per_positive, params.smooth_l1_beta, params.box_loss,
                                              params.objectness_target)
    assert config.box_coder() == BoxCoder(tuple(params.box_variances))
    assert params.schedule == DetectorSchedule(params.batch_size, params.epochs, params.lr, params.lr_schedule,
                                               params.seed, Augmentation(params.hflip, params.max_shift),
                                               params.checkpoint)
    evaluation = parse(repo_params()["detector_eval"], DetectorEvalParams, "detector_eval")
    assert evaluation.postprocess == PostprocessSettings(**repo_params()["detector_eval"]["postprocess"])


def test_four_anchor_lists_make_four_scales():
    config = _detector(**FOUR_SCALES).model_config(num_classes=3)
    assert config.strides == [4, 8, 16, 32]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"channels": [32, 64, 128, 256], "anchor_sizes": [[16], [48], [96]]},
         "5 widths in [1, 4096]: 2 for the stem, then one for each of the 3"),
        ({"channels": [32, 64, 128, 256, 512], "anchor_sizes": [[16], [32], [64], [128]]}, "expected 6 widths"),
        ({"channels": [32, 64, 128, 0, 512], "anchor_sizes": [[16], [48], [96]]}, "expected 5 widths in [1, 4096]"),
    ],
)
def test_a_width_count_that_does_not_fit_the_anchor_lists_names_the_channels(changes, expected):
    with pytest.raises(UserError, match="params key 'detector.channels'") as error:
        _detector(**changes)
    assert expected in str(error.value)


@pytest.mark.parametrize(
    "sizes",
    [[], [[16], []], [[16], [0]], [[16], [32], [64], [96], [128]]],
)
def test_bad_anchor_lists_name_the_anchor_sizes(sizes):
    channels = [8] * (2 + len(sizes))
    with pytest.raises(UserError, match="params key 'detector.anchor_sizes'.*1 to 4 non-empty lists"):
        _detector(channels=channels, anchor_sizes=sizes)
