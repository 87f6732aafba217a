"""The README's commands for comparing experiments, run as written in a copy that holds the committed results.

Nothing trains: the commands that would (an experiment run, a queue worker) are listed with the reason
they are not run here, and any other line of those blocks must run and exit 0. The sweep is queued,
counted and removed; the readable forms of `dvc exp show` and `dvc dag` must fit a wide terminal.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.readme_blocks import USAGE, WIDE_TERMINAL, readme_commands
from tools.tiny import command_env, run, tiny_project

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED_RESULTS = ("metrics", "plots", "reports", "dvc.lock")
NOT_RUN = {
    ". .venv/bin/activate": "the test runs with this Python's tools first on PATH",
    "dvc exp run -S keypoints.sigma=3.0": "trains the heatmap models",
    "make queue WORKERS=2": "trains every queued experiment",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The code, tiny params and the committed results, as one git commit on ``main``."""
    folder = tiny_project(tmp_path_factory.mktemp("readme") / "project")
    for name in COMMITTED_RESULTS:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, folder / name)
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-qm", "results")
    return folder


def _shell(folder: Path, command: str) -> str:
    result = subprocess.run(["bash", "-c", command], cwd=folder, env=command_env() | {"COLUMNS": "1000"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_every_comparing_command_runs_and_the_sweep_queues_one_experiment_per_value(project):
    commands = readme_commands(USAGE)
    assert "dvc exp run --queue -S 'keypoints.sigma=1.0,3.0'" in commands
    outputs = {command: _shell(project, command) for command in commands if command not in NOT_RUN}
    assert set(NOT_RUN) <= set(commands)
    queued = [line for line in _shell(project, "dvc queue status").splitlines() if "Queued" in line]
    _shell(project, "dvc queue remove --all")
    assert len(queued) == 3, queued  # sigma 1.0 and 3.0, and the learning rate
    headline = json.loads((project / "metrics/headline.json").read_text())
    tables = {command: output for command, output in outputs.items() if command.startswith("dvc exp show --drop")}
    for group, numbers in headline.items():
        shown = next(output for command, output in tables.items() if f"|{group}" in command)
        assert all(f"{group}.{name}" in shown for name in numbers), shown
        assert max(map(len, shown.splitlines())) <= WIDE_TERMINAL, shown


def test_the_dag_prints_in_a_readable_form(project):
    readme = (REPO_ROOT / "README.md").read_text()
    assert "`dvc dag --md`" in readme
    chart = _shell(project, "dvc dag --md")
    assert "train_detector" in chart and "evaluate_keypoints" in chart
    assert max(map(len, chart.splitlines())) <= WIDE_TERMINAL
