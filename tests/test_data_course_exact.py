"""The data stage reproduces the course's seed-641 datasets: annotations and pixels."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from locate.data.coco import course_from_coco
from locate.data.generate import generate_datasets
from locate.data.keypoint_files import course_from_keypoints

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "course-seed641"


@pytest.fixture(scope="module")
def course_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    generate_datasets(root, seed=641, num_train=1000, num_val=200)
    return root


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_detection_val_annotations_equal_course(course_data):
    ours = json.loads((course_data / "detection" / "val.json").read_text())
    assert course_from_coco(ours) == _fixture("detection_val_annotations.json")


def test_keypoint_val_annotations_equal_course(course_data):
    ours = json.loads((course_data / "keypoints" / "val.json").read_text())
    assert course_from_keypoints(ours) == _fixture("keypoints_val_annotations.json")


@pytest.mark.parametrize("task", ["detection", "keypoints"])
def test_val_pixels_hash_to_course(course_data, task):
    expected = _fixture("val_pixel_sha256.json")[task]
    assert len(expected) == 200
    for file_name, reference in expected.items():
        pixels = np.asarray(Image.open(course_data / task / "val" / file_name))
        assert list(pixels.shape) == reference["shape"] and str(pixels.dtype) == reference["dtype"]
        assert hashlib.sha256(pixels.tobytes()).hexdigest() == reference["sha256"], file_name


def test_hidden_objects_as_the_spec_counts(course_data):
    annotations = json.loads((course_data / "detection" / "val.json").read_text())["annotations"]
    visibility = np.array([a["visibility"] for a in annotations])
    assert len(visibility) == 691
    assert (visibility == 0).sum() == 28
    assert (visibility < 0.1).sum() == 42
