"""``tools.record_code`` records a code change in ``dvc.lock`` where the outputs are not in the workspace: the
stages' deps are up to date afterwards and every recorded output hash is the one before."""

import json
import subprocess
import sys

import yaml

from tests.conftest import copy_of
from tools.tiny import command_env, dvc


def _outputs(folder) -> dict:
    lock = yaml.safe_load((folder / "dvc.lock").read_text())["stages"]
    return {name: stage.get("outs") for name, stage in lock.items()}


def test_a_code_change_is_recorded_without_the_outputs(tiny_baseline, tmp_path):
    folder = copy_of(tiny_baseline, tmp_path / "project")
    with (folder / "locate" / "runtime.py").open("a") as code:
        code.write("# a comment changes no output\n")
    for output in ("models", "data"):  # as in a fresh clone: no outputs, no cache
        subprocess.run(["rm", "-rf", str(folder / output), str(folder / ".dvc" / "cache")], check=True)
    before = _outputs(folder)
    stale = json.loads(dvc(folder, "status", "--json"))
    assert any("locate/runtime.py" in json.dumps(changes) for changes in stale.values())
    recorded = subprocess.run([sys.executable, "-m", "tools.record_code"], cwd=folder, env=command_env(),
                              capture_output=True, text=True)
    assert recorded.returncode == 0, recorded.stderr
    assert _outputs(folder) == before
    stale = json.loads(dvc(folder, "status", "--json"))
    assert "modified" not in json.dumps(stale), stale  # only the absent outputs and data remain


def test_an_unknown_stage_is_refused_in_one_line(tiny_baseline):
    result = subprocess.run([sys.executable, "-m", "tools.record_code", "train_nothing"], cwd=tiny_baseline,
                            env=command_env(), capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr == "error: dvc.yaml: no stage named train_nothing\n"
