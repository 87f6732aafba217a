"""The editor setup: a Python 3.11 container that installs the project and brings the DVC extension."""

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_the_devcontainer_installs_the_project_with_the_dvc_extension():
    config = json.loads((REPO_ROOT / ".devcontainer/devcontainer.json").read_text())
    assert ":1-3.11-" in config["image"] and config["postCreateCommand"] == "make install"
    vscode = config["customizations"]["vscode"]
    assert "Iterative.dvc" in vscode["extensions"]
    assert vscode["settings"]["python.defaultInterpreterPath"].endswith("/.venv/bin/python")
    assert ".devcontainer/" in (REPO_ROOT / "README.md").read_text()
