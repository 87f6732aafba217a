"""The improved recipe's parts: augmentation, GIoU, top-down context, receptive fields, the recipe params,
and the checkpoint rules of the epoch loop."""

import copy

import pytest
import torch
import yaml

from locate.checkpoint import load_checkpoint
from locate.detection.augment import augment
from locate.detection.box_coder import encode
from locate.detection.boxes import generalized_iou
from locate.detection.checkpoint_rules import CHECKPOINT_RULES, KeptEpoch, kept_epochs
from locate.detection.config import Augmentation, DetectorConfig, LossWeights
from locate.detection.loss import detection_loss
from locate.detection.model import Detector, fold_batch_norm
from locate.detection.recipes import read_recipe
from locate.detection.selection import SCORE_NAME
from locate.detection.targets import PaddedObjects
from locate.detection_eval.receptive_field import receptive_fields
from locate.errors import UserError
from locate.runtime import make_runtime
from locate.training import FitOutputs, FitSettings, fit
from tests.stage_runner import repo_params
from tests.test_training_loop import _mse, _problem

ANCHORS = [[16, 24, 32], [48, 64, 96], [96, 128, 192]]
COURSE = DetectorConfig([32, 64, 128, 256, 512], ANCHORS, 3, 224)


def _one_square(x1: int, y1: int, x2: int, y2: int) -> tuple[torch.Tensor, PaddedObjects]:
    images = torch.full((1, 3, 224, 224), 255, dtype=torch.uint8)
    images[0, 1, y1:y2, x1:x2] = 0
    boxes = torch.tensor([[[x1, y1, x2, y2]]], dtype=torch.float32)
    objects = PaddedObjects(boxes, torch.tensor([[1]]), torch.tensor([[1.0]]), torch.tensor([[True]]))
    return images, objects


def _drawn_box(image: torch.Tensor) -> list[int]:
    """Corners of the non-white pixels of ``image [3, S, S]``."""
    rows, cols = (image[1] == 0).nonzero(as_tuple=True)
    return [int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1]


@pytest.mark.parametrize("seed", range(6))
def test_flips_and_shifts_move_pixels_and_boxes_together(seed):
    images, objects = _one_square(30, 40, 90, 120)
    moved, moved_objects = augment(images, objects, Augmentation(hflip=True, max_shift=16),
                                   torch.Generator().manual_seed(seed))
    assert moved.dtype == torch.uint8 and moved.shape == images.shape
    assert _drawn_box(moved[0]) == moved_objects.boxes[0, 0].int().tolist()
    assert moved_objects.visibility[0, 0] == 1.0


def test_a_shift_out_of_the_image_clips_the_box_and_its_visibility():
    images, objects = _one_square(0, 100, 40, 140)
    generator = torch.Generator().manual_seed(0)
    while True:  # draw (a flip, then a shift, as augment does) until the shift moves the square left
        state = generator.get_state()
        torch.rand(1, generator=generator)
        dx = int(torch.randint(-16, 17, (1, 2), generator=generator)[0, 0])
        if dx < 0:
            generator.set_state(state)
            break
    moved, moved_objects = augment(images, objects, Augmentation(hflip=False, max_shift=16), generator)
    box = moved_objects.boxes[0, 0]
    assert box[0] == 0 and box[2] == 40 + dx
    assert moved_objects.visibility[0, 0] == pytest.approx((40 + dx) / 40)
    assert _drawn_box(moved[0])[:3:2] == [0, 40 + dx]


def test_generalized_iou_of_equal_overlapping_and_distant_boxes():
    first = torch.tensor([[0.0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]])
    second = torch.tensor([[0.0, 0, 10, 10], [5, 0, 15, 10], [20, 0, 30, 10]])
    assert generalized_iou(first, second).tolist() == pytest.approx([1.0, 1 / 3, -1 / 3])


def test_giou_box_loss_is_zero_at_the_target_and_grows_away_from_it():
    anchors = torch.tensor([[0.0, 0, 32, 32], [10, 10, 60, 60]])
    offsets = encode(torch.tensor([[[2.0, 3, 30, 36], [12, 8, 58, 66]]]), anchors)
    labels = torch.tensor([[1, 2]])
    outputs = torch.cat([offsets, torch.full((1, 2, 1), 9.0), torch.zeros(1, 2, 3)], dim=-1)
    weights = LossWeights(1.0, 1.0, 2.0, 3, 1 / 9, "giou")
    assert detection_loss(outputs, labels, offsets, weights, anchors)["box"] == pytest.approx(0.0, abs=1e-6)
    outputs[..., 0] += 0.2
    assert detection_loss(outputs, labels, offsets, weights, anchors)["box"] > 0.01


def test_top_down_and_dilation_keep_the_outputs_and_widen_what_the_coarse_scales_see():
    assert receptive_fields(COURSE) == [17, 33, 65]
    improved = DetectorConfig(COURSE.channels, ANCHORS, 3, 224, top_down=True, head_dilation=2)
    assert receptive_fields(improved) == [49, 65, 97]
    images = torch.rand(2, 3, 224, 224)
    model = Detector(improved).eval()
    assert model(images).shape == Detector(COURSE)(images).shape
    unfolded = model(images)
    assert torch.allclose(fold_batch_norm(model)(images), unfolded, atol=1e-4)


def test_the_improved_recipe_is_the_course_one_with_its_keys_changed(tmp_path):
    params = copy.deepcopy(repo_params())
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    course, improved = read_recipe("course", path), read_recipe("improved", path)
    changed = {key for key in params["detector"] if getattr(course, key) != getattr(improved, key)}
    assert changed == {key for key, value in params["detector_improved"].items() if params["detector"][key] != value}
    params["detector_improved"]["top_dwn"] = True
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(UserError, match="params key 'detector_improved.top_dwn': not a key of section 'detector'"):
        read_recipe("improved", path)
    del params["detector_improved"]["top_dwn"]
    params["detector_improved"]["max_shift"] = 500
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(UserError, match="^params key 'detector_improved.max_shift'"):
        read_recipe("improved", path)
    del params["detector_improved"]["max_shift"]
    del params["detector_improved"]["negative_iou"]
    params["detector_improved"]["positive_iou"] = params["detector"]["negative_iou"] / 2  # below the course's negative
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(UserError, match="^detector_improved: params key 'detector"):
        read_recipe("improved", path)
    assert read_recipe("course", path) == course


@pytest.mark.parametrize("keep", ["last", "val_map50"])
def test_the_checkpoint_rule_chooses_the_kept_epoch(tmp_path, keep):
    model, optimizer, train, val, generator = _problem(1)
    outputs = FitOutputs(tmp_path / "history.csv", tmp_path / "model.pt", {"config": {}}, tmp_path / "work")
    scores = iter([0.2, 0.9, 0.5, 0.1])
    settings = FitSettings(4, make_runtime("cpu", "fp32", 1), outputs, generator, keep=keep,
                           scores=lambda _: {"map50": next(scores)}, score_name="map50")
    fitted = fit(model, optimizer, _mse, train, val, settings)
    assert [row["val_map50"] for row in fitted.rows] == [0.2, 0.9, 0.5, 0.1]
    checkpoint = load_checkpoint(tmp_path / "model.pt")
    assert checkpoint["epoch"] == (4 if keep == "last" else 2) and checkpoint["kept_by"] == keep


def test_the_detectors_checkpoint_rules_are_the_epoch_loops_own_names():
    generator = torch.Generator()
    outputs = FitOutputs(None, None, {}, None)
    for rule in CHECKPOINT_RULES:
        FitSettings(1, make_runtime("cpu", "fp32", 1), outputs, generator, keep=rule, scores=lambda _: {},
                    score_name=SCORE_NAME)
    with pytest.raises(ValueError, match="val_map50"):
        FitSettings(1, make_runtime("cpu", "fp32", 1), outputs, generator, keep="score", score_name=SCORE_NAME)


def test_each_checkpoint_rule_keeps_its_epoch_of_a_history():
    history = [("1", "2.0", "0.5"), ("2", "1.0", "0.7"), ("3", "1.0", "0.7"), ("4", "1.5", "0.6")]
    rows = [{"epoch": epoch, "val_total": loss, "val_map50": score} for epoch, loss, score in history]
    kept = kept_epochs(rows)
    assert set(kept) == set(CHECKPOINT_RULES)
    assert kept["val_loss"] == KeptEpoch(2, 0.7) and kept["val_map50"] == KeptEpoch(2, 0.7)  # ties: the first
    assert kept["last"] == KeptEpoch(4, 0.6)
