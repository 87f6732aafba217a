"""The README as a front door: its results table is the report stage's ``reports/summary.md``, not typed in; it
fits about 200 lines, and the first command a user runs is within its first 40."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from locate.keypoints.models import COURSE_DROPOUT
from stages.check_params import check_all_params
from tests.stage_runner import repo_params, write_params
from tools.readme_summary import summary_block, synced

REPO_ROOT = Path(__file__).resolve().parents[1]
MOST_LINES, FIRST_COMMAND_BY = 200, 40


def test_readme_carries_the_committed_summary():
    assert summary_block((REPO_ROOT / "README.md").read_text()) == (REPO_ROOT / "reports" / "summary.md").read_text()


def test_a_run_of_your_own_is_synced_into_the_readme(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "README.md").write_text((REPO_ROOT / "README.md").read_text())
    (tmp_path / "reports" / "summary.md").write_text("| detector | val mAP@0.5 |\n|---|---|\n| course | 0.5 |\n")
    sync = [sys.executable, "-m", "tools.readme_summary"]
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    assert subprocess.run([*sync, "--check"], cwd=tmp_path, env=env, capture_output=True).returncode == 1
    assert subprocess.run(sync, cwd=tmp_path, env=env, capture_output=True).returncode == 0
    readme = (tmp_path / "README.md").read_text()
    assert summary_block(readme) == (tmp_path / "reports" / "summary.md").read_text()
    assert readme.replace(summary_block(readme), "") == synced((REPO_ROOT / "README.md").read_text(), "")
    assert subprocess.run([*sync, "--check"], cwd=tmp_path, env=env, capture_output=True).returncode == 0


def test_the_readme_is_short_and_starts_with_the_quick_start_commands():
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    first_command = next(number for number, line in enumerate(lines, 1) if line.startswith("make repro"))
    assert len(lines) <= MOST_LINES and first_command <= FIRST_COMMAND_BY, (len(lines), first_command)


def test_the_results_experiment_commands_set_keys_that_exist_to_valid_values(tmp_path, monkeypatch):
    """Each `dvc exp run -S key=value` the results name (the errors section shows a bad one on purpose) sets a
    params key there is to a value its schema takes; the one for the course's regression recipe sets the course's
    dropout."""
    readme = (REPO_ROOT / "README.md").read_text().split("## Quick start")[0]
    settings = re.findall(r"`dvc exp run -S ([\w.]+)=([^`\s]+)`", readme)
    assert ("keypoints.regression_dropout", str(COURSE_DROPOUT)) in settings
    for key, value in settings:
        params = repo_params()
        section, name = key.split(".")
        assert name in params[section], key
        params[section][name] = yaml.safe_load(value)
        write_params(tmp_path, params)
        monkeypatch.chdir(tmp_path)
        check_all_params()
