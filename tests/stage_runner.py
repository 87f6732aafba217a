"""Run a stage module as the pipeline does, in a folder of its own, with given params."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]


def write_params(folder: Path, params: dict) -> None:
    """Write ``params`` as ``folder/params.yaml``."""
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def run_stage(folder: Path, module: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m stages.<module> args`` with ``folder`` as working directory."""
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", f"stages.{module}", *args], cwd=folder, env=env, capture_output=True, text=True
    )


def repo_params() -> dict:
    """The repository's own params.yaml."""
    return yaml.safe_load((REPO_ROOT / "params.yaml").read_text())
