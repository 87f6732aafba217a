"""The generate stage: outputs on tiny params, and one-line errors with exit code 2."""

from pathlib import Path

import pytest

from locate.records.reading import read_record
from locate.records.speed import GenerationSpeed
from stages.generate import source_folder
from tests.stage_runner import repo_params, run_stage, write_params


def _params(**data) -> dict:
    params = repo_params()
    params["data"] = {"seed": 3, "num_train": 4, "num_val": 2, "source": "generate"} | data
    return params


def test_stage_writes_both_datasets(tmp_path):
    write_params(tmp_path, _params())
    result = run_stage(tmp_path, "generate")
    assert result.returncode == 0, result.stderr
    for task in ("detection", "keypoints"):
        assert len(list((tmp_path / "data" / task / "train").glob("*.png"))) == 4
        assert len(list((tmp_path / "data" / task / "val").glob("*.png"))) == 2
        assert (tmp_path / "data" / task / "train.json").is_file()
    assert not [p for p in (tmp_path / "data").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"num_train": -5}, "params key 'data.num_train': got -5, expected an integer from 1 to 100000"),
        ({"num_val": 2.5}, "params key 'data.num_val': got 2.5, expected an integer"),
        ({"seed": "abc"}, "params key 'data.seed': got 'abc', expected an integer"),
        ({"colour": 1}, "params key 'data.colour': unknown key"),
        ({"source": "no/such/folder"}, "no/such/folder: course datasets folder not found"),
    ],
)
def test_bad_params_end_with_one_line_and_exit_2(tmp_path, data, message):
    write_params(tmp_path, _params(**data))
    result = run_stage(tmp_path, "generate")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert not (tmp_path / "data").exists()


def test_missing_key_and_missing_file(tmp_path):
    params = _params()
    del params["data"]["num_val"]
    write_params(tmp_path, params)
    result = run_stage(tmp_path, "generate")
    assert result.returncode == 2 and "params key 'data.num_val': missing" in result.stderr
    (tmp_path / "params.yaml").unlink()
    result = run_stage(tmp_path, "generate")
    assert result.returncode == 2 and "params.yaml: file not found" in result.stderr
    (tmp_path / "params.yaml").write_text("data: [unclosed")
    result = run_stage(tmp_path, "generate")
    assert result.returncode == 2 and "params.yaml: not valid YAML" in result.stderr


def test_stage_records_its_wall_time(tmp_path):
    write_params(tmp_path, _params())
    assert run_stage(tmp_path, "generate").returncode == 0
    assert read_record(tmp_path / "metrics" / "speed" / "generate.json", GenerationSpeed).seconds > 0


def test_a_relative_source_is_taken_from_the_project_root_dvc_names(tmp_path, monkeypatch):
    """A queued experiment runs in a temporary copy; DVC_ROOT names the workspace the path is relative to."""
    workspace, copy = tmp_path / "workspace", tmp_path / "workspace/.dvc/tmp/exps/run"
    copy.mkdir(parents=True)
    write_params(copy, _params(source="../datasets"))
    monkeypatch.setenv("DVC_ROOT", str(workspace))
    result = run_stage(copy, "generate")
    assert result.returncode == 2
    assert f"{workspace}/../datasets: course datasets folder not found" in result.stderr
    assert source_folder("/abs/datasets") == Path("/abs/datasets")
    monkeypatch.delenv("DVC_ROOT")
    assert source_folder("../datasets") == Path("../datasets")
