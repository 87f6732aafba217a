"""JSON and CSV outputs hold finite numbers only: a NaN or infinity is refused with its file and place."""

import json
import math

import numpy as np
import pytest

from locate.atomic import non_finite_place, write_csv, write_json
from locate.errors import UserError


@pytest.mark.parametrize("data, place", [
    ({"map50": 0.5, "ap50": {"circle": float("nan")}}, "ap50.circle"),
    ([{"bbox": [1.0, 2.0, 3.0, 4.0]}, {"bbox": [1.0, math.inf, 3.0, 4.0]}], "[1].bbox[1]"),
    ({"values": (1, np.float64(-np.inf))}, "values[1]"),
    (float("nan"), "the value"),
    ({"map50": 0.5, "name": "nan", "none": None, "flag": True, "count": 3}, None),
])
def test_the_first_non_finite_number_is_found_by_its_key_path(data, place):
    assert non_finite_place(data) == place


def test_write_json_refuses_nan_and_leaves_the_old_file(tmp_path):
    path = tmp_path / "predictions.json"
    write_json(path, [{"bbox": [1.0, 2.0, 3.0, 4.0]}])
    with pytest.raises(UserError, match=r"predictions\.json: \[0\]\.bbox\[2\] is not a finite number"):
        write_json(path, [{"bbox": [1.0, 2.0, float("nan"), 4.0]}])
    assert json.loads(path.read_text()) == [{"bbox": [1.0, 2.0, 3.0, 4.0]}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["predictions.json"]


def test_write_csv_refuses_infinity(tmp_path):
    path = tmp_path / "history.csv"
    with pytest.raises(UserError, match=r"history\.csv: \[1\]\.val_loss is not a finite number"):
        write_csv(path, [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": math.inf}])
    assert not path.exists() and list(tmp_path.iterdir()) == []
