"""Under DVC a stage sees only the params its dvc.yaml entry declares, plus the execution settings: each stage
reads what it needs from those alone, and reading anything else stops it with the key named."""

import shutil
import subprocess
import sys

import pytest

from locate.data.config import read_data, read_test_data
from locate.detection.config import read_detector_eval
from locate.detection.recipes import read_recipe
from locate.errors import UserError
from locate.keypoints.config import (
    read_ablations,
    read_keypoints,
    read_keypoints_eval,
    read_method,
    read_methods,
    read_model_settings,
    read_schedule,
    read_variant,
)
from locate.params import STAGE_VARIABLE, load_params, read_section
from locate.runtime import RuntimeParams
from stages.check_params import check_all_params
from stages.report import read_params as read_report_params
from tests.stage_runner import REPO_ROOT, repo_params, stage_env, write_params
from tools.pipeline_graph import read_plan


def _keypoint_training(arguments: list[str]) -> None:
    if arguments[0] == "ablation":
        read_variant(arguments[1])
    else:
        read_model_settings(read_method(arguments[0]).model)
    read_schedule()


# the stages that run a model, and so read the runtime section
RUNS_A_MODEL = {f"stages.{path.stem}" for path in (REPO_ROOT / "stages").glob("*.py")
                if "runtime_from_params" in path.read_text()}
READS = {  # stage module -> what it reads of params.yaml, given its command's arguments
    "stages.check_params": lambda arguments: check_all_params(),
    "stages.generate": lambda arguments: read_data(),
    "stages.generate_test": lambda arguments: read_test_data(),
    "stages.train_detector": lambda arguments: read_recipe(arguments[0]),
    "stages.evaluate_detector": lambda arguments: read_detector_eval(),
    "stages.train_keypoints": _keypoint_training,
    "stages.evaluate_keypoints": lambda arguments: (read_methods(), read_keypoints_eval(), read_ablations()),
    "stages.report": lambda arguments: read_report_params(),
}


@pytest.fixture
def in_the_repository(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    return monkeypatch


@pytest.mark.parametrize("stage", read_plan(REPO_ROOT), ids=lambda stage: stage.name)
def test_every_stage_reads_its_params_from_what_it_declares(in_the_repository, stage):
    in_the_repository.setenv(STAGE_VARIABLE, stage.name)
    module, *arguments = stage.cmd.split()[2:]
    READS[module](arguments)
    if module in RUNS_A_MODEL:
        read_section("runtime", RuntimeParams)


def test_a_stage_sees_nothing_it_does_not_declare(in_the_repository):
    in_the_repository.setenv(STAGE_VARIABLE, "train_regression@regression")
    params = load_params()
    assert set(params) == {"keypoints", "runtime", "detector_eval"}  # the last for its execution settings only
    assert set(params["keypoints"]) == {"schedule", "regression_dropout", "methods"}
    assert set(params["runtime"]) == {"device", "precision", "threads"}
    assert set(params["detector_eval"]) == {"batch_size", "latency_images"}
    with pytest.raises(UserError, match="params key 'keypoints.heatmap_size': missing; the heatmap model reads it"):
        read_model_settings("heatmap")
    with pytest.raises(UserError, match="params.yaml: missing key 'keypoints.sigma'"):
        read_section("keypoints.sigma", RuntimeParams)
    with pytest.raises(UserError, match="'keypoints.heatmap_size': missing"):
        read_keypoints()


def test_outside_dvc_a_stage_sees_the_whole_file(in_the_repository):
    in_the_repository.delenv(STAGE_VARIABLE, raising=False)
    read_keypoints()
    assert set(load_params()) >= {"data", "detector", "keypoints", "ablations"}


def test_under_dvc_the_check_still_refuses_a_key_no_stage_declares(tmp_path):
    params = repo_params()
    params["detector_eval"]["visible_treshold"] = 0.4  # misspelled: no stage declares it
    write_params(tmp_path, params)
    shutil.copy(REPO_ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    subprocess.run([sys.executable, "-m", "dvc", "init", "--no-scm", "-q"], cwd=tmp_path, check=True)
    result = subprocess.run([sys.executable, "-m", "stages.check_params"], cwd=tmp_path, capture_output=True,
                            text=True, env=stage_env() | {STAGE_VARIABLE: "check_params"})
    assert result.returncode == 2 and "params key 'detector_eval.visible_treshold': unknown key" in result.stderr


def test_the_declared_params_keep_the_order_of_the_file(in_the_repository):
    in_the_repository.setenv(STAGE_VARIABLE, "report")  # declares its sections in another order than the file's
    seen, whole = load_params(), repo_params()
    assert list(seen) == [section for section in whole if section in seen]
    assert list(seen["detector_eval"]) == list(whole["detector_eval"])
