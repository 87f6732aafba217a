"""Loading never runs code from a file: checkpoints with weights_only, YAML with a safe loader, no shell."""

import ast
from pathlib import Path

import pytest
import torch

from locate.checkpoint import load_checkpoint
from locate.errors import UserError
from locate.params import load_params
from tests.stage_runner import REPO_ROOT

SOURCE_FOLDERS = ("locate", "stages")


class _TouchesAFile:
    """Unpickling this object would create ``path`` (what a hostile checkpoint could do)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_a_checkpoint_holding_code_is_refused(tmp_path):
    marker = tmp_path / "ran"
    torch.save({"model": {}, "payload": _TouchesAFile(marker)}, tmp_path / "hostile.pt")
    with pytest.raises(UserError, match="hostile.pt: not a readable checkpoint"):
        load_checkpoint(tmp_path / "hostile.pt")
    assert not marker.exists()


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "params.yaml").write_text(f"data: !!python/object/apply:pathlib.Path.touch ['{marker}']\n")
    with pytest.raises(UserError, match="params.yaml: not valid YAML"):
        load_params(tmp_path / "params.yaml")
    assert not marker.exists()


def _shell_calls(path: Path) -> list[str]:
    """Calls in ``path`` that hand a string to a shell: os.system/os.popen or shell=True."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        shell = any(k.arg == "shell" and ast.unparse(k.value) != "False" for k in node.keywords)
        if name in ("os.system", "os.popen") or shell:
            found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    return found


def test_no_code_builds_a_shell_command():
    files = [path for folder in SOURCE_FOLDERS for path in sorted((REPO_ROOT / folder).rglob("*.py"))]
    assert len(files) > 20
    assert [call for path in files for call in _shell_calls(path)] == []
