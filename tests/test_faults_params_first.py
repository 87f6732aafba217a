"""A bad value set with ``dvc exp run -S`` fails in the first stage, ``check_params``, before any other runs; the
check itself makes no stage stale.

In a tiny project, ``dvc exp run -S detector.lr=0.002 -S detector_eval.postprocess.nms_iou=2`` must end with the one
line naming ``detector_eval.postprocess.nms_iou``, having run ``check_params`` alone. After a run of
``generate_test`` (which reads the check's output), a valid change of a param that stage does not read reruns the
check, whose output keeps its bytes, and nothing else.
"""

import subprocess
import sys
from pathlib import Path

import yaml

from tools.tiny import command_env, ran_stages, run, tiny_project

CHECKED = "metrics/params_check.txt"


def _dvc(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dvc", *args], cwd=folder, env=command_env(), capture_output=True,
                          text=True)


def test_a_bad_value_set_by_exp_run_fails_before_any_other_stage(tmp_path):
    folder = tiny_project(tmp_path / "project")
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-qm", "tiny")
    result = _dvc(folder, "exp", "run", "-S", "detector.lr=0.002", "-S", "detector_eval.postprocess.nms_iou=2")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert ran_stages(output) == ["check_params"], output
    assert "error: params key 'detector_eval.postprocess.nms_iou': got 2.0, expected a number in (0, 1]" in output


def test_the_check_makes_no_stage_stale_by_itself(tmp_path):
    folder = tiny_project(tmp_path / "project")
    first = _dvc(folder, "repro", "generate_test")
    assert first.returncode == 0, first.stderr
    assert ran_stages(first.stdout) == ["check_params", "generate_test"]
    checked = (folder / CHECKED).read_bytes()
    params = yaml.safe_load((folder / "params.yaml").read_text())
    params["detector"]["lr"] *= 2
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    second = _dvc(folder, "repro", "generate_test")
    assert second.returncode == 0, second.stderr
    assert ran_stages(second.stdout) == ["check_params"], second.stdout
    assert (folder / CHECKED).read_bytes() == checked
    assert "up to date" in _dvc(folder, "status", "generate_test").stdout
