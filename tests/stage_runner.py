"""Run a stage module as the pipeline does (alone or under torchrun), in a folder of its own, with given params."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
TORCHRUN = Path(sys.executable).with_name("torchrun")


def write_params(folder: Path, params: dict) -> None:
    """Write ``params`` as ``folder/params.yaml``."""
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def stage_env() -> dict[str, str]:
    """The environment stages run in: this checkout's ``stages`` and ``locate`` importable."""
    return os.environ | {"PYTHONPATH": str(REPO_ROOT)}


def torchrun_command(processes: int, module: str, *args: str) -> list[str]:
    """``stages.<module> args`` in ``processes`` workers started by torchrun on this machine alone."""
    return [str(TORCHRUN), "--standalone", f"--nproc_per_node={processes}", "-m", f"stages.{module}", *args]


def run_stage(folder: Path, module: str, *args: str, processes: int = 1) -> subprocess.CompletedProcess:
    """``python -m stages.<module> args`` with ``folder`` as working directory (under torchrun if ``processes`` > 1)."""
    command = [sys.executable, "-m", f"stages.{module}", *args]
    if processes > 1:
        command = torchrun_command(processes, module, *args)
    return subprocess.run(command, cwd=folder, env=stage_env(), capture_output=True, text=True)


def repo_params() -> dict:
    """The repository's own params.yaml."""
    return yaml.safe_load((REPO_ROOT / "params.yaml").read_text())
