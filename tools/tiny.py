"""A copy of the project that runs the whole DAG on tiny params in a minute or two.

The copy holds the code, ``dvc.yaml`` and a ``params.yaml`` with the repository's params
shrunk (6 training and 3 val images, 1 epoch, narrow detector, fp32 on the CPU); it is a
git repository of its own with DVC initialised, so ``dvc repro`` there never touches the
workspace's results.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from locate.detection.config import STEM_WIDTHS

REPO_ROOT = Path(__file__).resolve().parents[1]
PLOT_TEMPLATES = Path(".dvc/plots")
COPIED = ("locate", "stages", "ci", "tools", "dvc.yaml", "params.yaml", ".dvcignore", ".gitignore", "pyproject.toml",
          "benchmarks/results/seed_noise.json")  # the seed noise the report stage reads
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@localhost",
                "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@localhost"}


def tiny_channels(detector: dict) -> list[int]:
    """Narrow widths for section ``detector``'s scales: 4 for each stem conv, 8 for each scale."""
    return [4] * STEM_WIDTHS + [8] * len(detector["anchor_sizes"])


def tiny_params(params: dict) -> dict:
    """``params`` shrunk to a run of seconds per stage: tiny data, one epoch, a narrow detector, fp32."""
    params["data"] |= {"num_train": 6, "num_val": 3}
    if "test_data" in params:  # a revision from before the test split has none
        params["test_data"] |= {"num_images": 4}
    params["runtime"] |= {"device": "cpu", "precision": "fp32", "threads": 1}
    params["detector"] |= {"channels": tiny_channels(params["detector"]), "epochs": 1, "batch_size": 4}
    params["detector_eval"] |= {"batch_size": 3, "latency_images": 1}
    keypoints = params["keypoints"]
    if "schedule" in keypoints:
        params["detector_eval"]["drawing"]["images"] = 2
        keypoints["schedule"] |= {"epochs": 1, "batch_size": 4}
        params["keypoints_eval"]["drawing"] = {"images": 2, "failure_images": 1}
    else:  # a revision from before params were grouped by the stages that read them
        params["detector_eval"]["drawn_images"] = 2
        keypoints |= {"epochs": 1, "batch_size": 4, "drawn_images": 2, "failure_images": 1}
    return params


def command_env() -> dict[str, str]:
    """The environment for git, dvc and stages: this Python's tools first on PATH, a git identity."""
    return os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"} | GIT_IDENTITY


def run(folder: Path, *command: str) -> str:
    """Run ``command`` in ``folder``; its stdout, or an AssertionError with its output if it fails."""
    result = subprocess.run(command, cwd=folder, env=command_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def dvc(folder: Path, *args: str) -> str:
    """``dvc args`` in ``folder`` with this Python's DVC."""
    return run(folder, sys.executable, "-m", "dvc", *args)


def tiny_project(folder: Path, source: Path = REPO_ROOT) -> Path:
    """A new git + DVC repository in ``folder`` with ``source``'s code and tiny params (nothing run yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        path = source / name
        if not path.exists():  # an older revision without it
            continue
        if path.is_dir():
            shutil.copytree(path, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, folder / name)
    params = tiny_params(yaml.safe_load((source / "params.yaml").read_text()))
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(folder, "git", "init", "-q", "-b", "main")
    dvc(folder, "init", "-q")
    if (source / PLOT_TEMPLATES).is_dir():  # the templates dvc.yaml's plots name (older revisions have none)
        shutil.copytree(source / PLOT_TEMPLATES, folder / PLOT_TEMPLATES)
    return folder


def ran_stages(log: str) -> list[str]:
    """The stages a ``dvc repro`` log says it ran, in order."""
    return [line.split("'")[1] for line in log.splitlines() if line.startswith("Running stage")]
