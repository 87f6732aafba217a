"""Run a stage module as the pipeline does (alone or under torchrun), in a folder of its own, with given params."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from locate.data.generate import generate_datasets

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


def short_keypoint_training(folder: Path) -> Path:
    """``folder`` with 32 training and 8 val keypoint images and params for 3 epochs of batch 8, fp32, 1 thread."""
    generate_datasets(folder / "data", 5, 32, 8, workers=1)
    params = repo_params()
    params["keypoints"]["schedule"] |= {"batch_size": 8, "epochs": 3}
    params["runtime"] = {"device": "cpu", "precision": "fp32", "threads": 1}
    write_params(folder, params)
    return folder


STAGE_SERVER = """
import importlib, json, os, sys, traceback
import torch
modules = {module: importlib.import_module(module) for module in sys.argv[1:]}
torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # its first use imports torch._dynamo: once, here
for line in sys.stdin:
    failed = None
    for module, *args in json.loads(line):
        child = os.fork()
        if child == 0:
            os.dup2(2, 1)
            sys.argv = [module, *args]
            try:
                modules[module].main()
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        if os.waitpid(child, 0)[1] != 0:
            failed = f"{module} {args} failed"
            break
    print(json.dumps(failed), flush=True)
"""


class StageServer:
    """One process in ``folder`` that imports the stage modules once and forks a child per stage command.

    Each stage starts from the same fresh state as under ``python -m`` without a torch import of its own.
    The stages' output goes to the file ``log``. Use it as a context manager: leaving it stops the process.
    """

    def __init__(self, folder: Path, modules: list[str], log: Path):
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen([sys.executable, "-c", STAGE_SERVER, *modules], cwd=folder,
                                            env=stage_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=output, text=True)

    def run(self, commands: list[list[str]]) -> None:
        """Run stage commands (``["stages.<name>", *args]``) one after another; an AssertionError with their
        output if one fails."""
        start = self.log.stat().st_size
        self.process.stdin.write(json.dumps(commands) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        failed = json.loads(reply) if reply else "the stage server stopped"
        assert failed is None, f"{failed}\n{self.log.read_bytes()[start:].decode(errors='replace')}"

    def __enter__(self) -> "StageServer":
        return self

    def __exit__(self, *error) -> None:
        self.process.stdin.close()
        self.process.wait()
