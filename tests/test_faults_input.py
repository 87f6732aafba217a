"""Bad values in data files and params: one line naming the file, entry and field, or the key and bound.

Every case edits one value of a small generated dataset (a bbox of 3 numbers, a string where a
number belongs, NaN, a visibility out of range) or of the repository's params (infinite or
oversized numbers, a YAML syntax error) and expects a UserError saying where; none may load.
"""

import copy
import json
import math
import shutil
from pathlib import Path

import pytest

from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_datasets
from locate.errors import UserError
from locate.keypoints.config import KeypointsParams
from locate.params import load_params, parse
from stages.check_params import SCHEMAS as CHECKED_SCHEMAS
from tests.stage_runner import repo_params

SCHEMAS = CHECKED_SCHEMAS | {"keypoints": KeypointsParams}  # the schemas stages.check_params reads every section with


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate_datasets(root, seed=3, num_train=4, num_val=2, workers=1)
    return root


def _set(section: str, field: str, value):
    def edit(document: dict) -> str:
        document[section][0][field] = value
        return f"{ENTRY[section]} {document[section][0]['id']}: "

    return edit


def _drop(section: str, field: str):
    def edit(document: dict) -> str:
        document[section][0].pop(field)
        return f"{ENTRY[section]} {document[section][0]['id']}: "

    return edit


def _set_header(field: str, value):
    def edit(document: dict) -> str:
        document[field] = value
        return "keypoint file: "

    return edit


ENTRY = {"annotations": "annotation", "images": "image", "categories": "category"}
DATA_CASES = [
    ("detection", "val", _set("annotations", "bbox", [1, 2, 3]), "field 'bbox': got [1, 2, 3], "
     "expected a list of 4 numbers"),
    ("detection", "val", _set("annotations", "bbox", "1 2 3 4"), "field 'bbox': got '1 2 3 4'"),
    ("detection", "val", _set("annotations", "bbox", [1, 2, "3", 4]), "field 'bbox[2]': got '3', "
     "expected a number"),
    ("detection", "val", _set("annotations", "bbox", [1, math.nan, 3, 4]), "field 'bbox[1]': got nan, "
     "expected a finite number"),
    ("detection", "train", _set("annotations", "bbox", [1, 2, math.nan, 4]), "field 'bbox[2]': got nan"),
    ("detection", "val", _set("annotations", "visibility", "high"), "field 'visibility': got 'high'"),
    ("detection", "val", _set("annotations", "visibility", math.nan), "field 'visibility': got nan"),
    ("detection", "val", _set("annotations", "visibility", 1.5), "field 'visibility': got 1.5, expected a number in"),
    ("detection", "val", _set("images", "width", "224"), "field 'width': got '224', expected an integer"),
    ("detection", "val", _drop("annotations", "visibility"), "missing key 'visibility'"),
    ("detection", "val", _set("categories", "name", 3), "field 'name': got 3, expected a string"),
    ("keypoints", "val", _set("images", "keypoints", [["a", 1]] * 5), "field 'keypoints[0][0]': got 'a'"),
    ("keypoints", "val", _set("images", "keypoints", [[1, 2, 3]] * 5), "field 'keypoints[0]': got [1, 2, 3]"),
    ("keypoints", "val", _set("images", "keypoints", [[1, math.inf]] * 5), "field 'keypoints[0][1]': got inf"),
    ("keypoints", "val", _drop("images", "file_name"), "missing key 'file_name'"),
    ("keypoints", "val", _set_header("num_keypoints", "5"), "field 'num_keypoints': got '5'"),
]


@pytest.mark.parametrize(("task", "split", "edit", "message"), DATA_CASES, ids=[case[3][:40] for case in DATA_CASES])
def test_a_bad_value_in_a_data_file_names_file_entry_and_field(small_data, tmp_path, task, split, edit, message):
    shutil.copytree(small_data / task, tmp_path / task)
    path = tmp_path / task / f"{split}.json"
    document = json.loads(path.read_text())
    entry = edit(document)
    path.write_text(json.dumps(document))
    load = load_detection if task == "detection" else load_keypoints
    with pytest.raises(UserError) as caught:
        load(tmp_path / task, split)
    line = str(caught.value)
    assert line.startswith(f"{path}: {entry}") and message in line and "\n" not in line, line


PARAM_CASES = [
    ("detector", "lr", math.inf, "got inf, expected a finite number"),
    ("detector", "box_weight", math.inf, "got inf, expected a finite number"),
    ("keypoints", "sigma", math.nan, "got nan, expected a finite number"),
    ("runtime", "threads", 1_000_000, "expected an integer in [0, "),
    ("detector", "channels", [32, 64, 128, 256, 10**9], "widths in [1, 4096]"),
    ("data", "num_train", 10**9, "expected an integer from 1 to 100000"),
]


@pytest.mark.parametrize(("section", "key", "value", "bound"), PARAM_CASES, ids=[f"{c[0]}.{c[1]}" for c in PARAM_CASES])
def test_a_param_out_of_range_names_the_key_and_bound(section, key, value, bound):
    values = copy.deepcopy(repo_params()[section]) | {key: value}
    with pytest.raises(UserError) as caught:
        parse(values, SCHEMAS[section], section)
    assert f"params key '{section}.{key}'" in str(caught.value) and bound in str(caught.value), caught.value


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("data:\n  seed: 1\n  num_train: [1, 2\nruntime:\n  threads: 1\n")
    with pytest.raises(UserError, match=r"params.yaml: not valid YAML at line 4, column 8: expected ','"):
        load_params(path)
