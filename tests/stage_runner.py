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


FORKED_STAGES = """
import importlib, os, sys, traceback
import torch
modules = {{module: importlib.import_module(module) for module, *_ in {commands!r}}}
torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # its first use imports torch._dynamo: once, here
for module, *args in {commands!r}:
    child = os.fork()
    if child == 0:
        sys.argv = [module, *args]
        try:
            modules[module].main()
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(child, 0)[1] != 0:
        sys.exit(f"{{module}} {{args}} failed")
"""


def run_stages_forked(folder: Path, commands: list[list[str]]) -> None:
    """Run stage commands (``["stages.<name>", *args]``) one after another in ``folder``.

    One process imports the stage modules once and forks a child per command, so each stage
    starts from the same fresh state as under ``python -m`` without a torch import of its own.
    """
    script = FORKED_STAGES.format(commands=commands)
    result = subprocess.run([sys.executable, "-c", script], cwd=folder, env=stage_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
