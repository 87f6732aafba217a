"""Broken input files and params files, each ending with one UserError that names the file.

PNGs grayscale or truncated, annotation files empty, a list, or not JSON; a params file
missing, empty, indented with a tab, or with a list where a number belongs.
"""

import shutil
from pathlib import Path

import pytest
from PIL import Image

from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_datasets
from locate.errors import UserError
from locate.params import load_params, read_section
from locate.runtime import RuntimeParams


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate_datasets(root, seed=11, num_train=3, num_val=2, workers=1)
    return root


def _grayscale(path: Path) -> None:
    Image.open(path).convert("L").save(path)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize(("task", "load", "breaks", "message"), [
    ("detection", load_detection, _grayscale, "expected a 224x224 RGB image, got 224x224 L"),
    ("detection", load_detection, _truncated, "not a readable PNG image"),
    ("keypoints", load_keypoints, _truncated, "not a readable PNG image"),
], ids=["grayscale", "truncated-detection", "truncated-keypoints"])
def test_a_broken_png_names_the_image(small_data, tmp_path, task, load, breaks, message):
    shutil.copytree(small_data / task, tmp_path / task)
    image = sorted((tmp_path / task / "val").iterdir())[0]
    breaks(image)
    with pytest.raises(UserError, match=f"{image.name}: {message}"):
        load(tmp_path / task, "val")


@pytest.mark.parametrize(("text", "message"), [
    ("", "not valid JSON"),
    ("[]", "must be an object with keys"),
    ("garbage", "not valid JSON"),
], ids=["empty", "list", "garbage"])
@pytest.mark.parametrize(("task", "load"), [("detection", load_detection), ("keypoints", load_keypoints)])
def test_a_broken_annotation_file_names_it(small_data, tmp_path, task, load, text, message):
    shutil.copytree(small_data / task, tmp_path / task)
    (tmp_path / task / "train.json").write_text(text)
    with pytest.raises(UserError, match=f"train.json: .*{message}"):
        load(tmp_path / task, "train")


@pytest.mark.parametrize(("text", "message"), [
    (None, "params.yaml: file not found"),
    ("", "params.yaml: expected a mapping of sections"),
    ("runtime:\n\tdevice: cpu\n", "params.yaml: not valid YAML at line 2, column 1"),
    ("runtime:\n  device: cpu\n  precision: fp32\n  threads: [1]\n",
     "params key 'runtime.threads': got \\[1\\], expected an integer"),
], ids=["missing", "empty", "tab", "list-for-a-number"])
def test_a_broken_params_file_is_one_line_naming_it(tmp_path, text, message):
    path = tmp_path / "params.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_params(path)
        read_section("runtime", RuntimeParams, path)
