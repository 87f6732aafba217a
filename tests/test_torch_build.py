"""The torch build is part of the install's state: ``make install TORCH_BUILD=...`` against a venv whose Python is
a stand-in that records what is asked of it, so no package is installed or removed.

On an up-to-date CPU install, ``make`` does nothing; asking for the CUDA build replaces torch, and where the index
only holds a CPU build it stops with exit code 2 and one line saying what to do; a bad ``TORCH_BUILD`` is refused.
"""

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.stop_project import OUTER_MAKE
from tools.tiny import REPO_ROOT

STAND_IN = """#!/bin/sh
# A venv's python: torch's build is the word in $VENV/build (none: no torch); the index gives BUILD_ON_INDEX.
venv=$(dirname "$(dirname "$0")")
echo "python $*" >> "$venv/calls"
case "$*" in
  *"import torch; print"*) [ -f "$venv/build" ] && cat "$venv/build" || exit 1 ;;
  *"import torch"*) [ -f "$venv/build" ] || exit 1 ;;
  *urllib*) exit 1 ;;
  *"pip uninstall"*) rm -f "$venv/build" ;;
  *"pip install"*) echo "$BUILD_ON_INDEX" > "$venv/build" ;;
esac
"""


@pytest.fixture
def venv(tmp_path) -> Path:
    """An installed venv (stamp newer than pyproject.toml and constraints.txt) holding torch's CPU build."""
    folder = tmp_path / "venv"
    (folder / "bin").mkdir(parents=True)
    python = folder / "bin" / "python"
    python.write_text(STAND_IN)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    (folder / "build").write_text("cpu\n")
    for seconds_ago, stamp in ((2, ".installed"), (1, ".torch-cpu")):  # newer than the checkout, in this order
        (folder / stamp).touch()
        os.utime(folder / stamp, (time.time() - seconds_ago,) * 2)
    return folder


def _make(venv: Path, *arguments: str, index: str = "cpu") -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in OUTER_MAKE} | {"BUILD_ON_INDEX": index}
    return subprocess.run(["make", "--no-print-directory", "install", f"VENV={venv}", *arguments], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True)


def _calls(venv: Path) -> str:
    return (venv / "calls").read_text() if (venv / "calls").exists() else ""


def test_an_up_to_date_install_reinstalls_nothing(venv):
    result = _make(venv)
    assert result.returncode == 0, result.stderr
    assert _calls(venv) == ""


def test_asking_for_the_cuda_build_replaces_torch(venv):
    result = _make(venv, "TORCH_BUILD=cuda", index="cuda")
    assert result.returncode == 0, result.stderr
    assert "pip uninstall" in _calls(venv) and (venv / "build").read_text() == "cuda\n"
    assert (venv / ".torch-cuda").exists() and not (venv / ".torch-cpu").exists()
    assert _make(venv, "TORCH_BUILD=cuda", index="cuda").returncode == 0 and _calls(venv).count("pip install") == 1


def test_a_cuda_build_the_index_lacks_stops_with_one_line(venv):
    result = _make(venv, "TORCH_BUILD=cuda", index="cpu")
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and errors[0].startswith("error: TORCH_BUILD=cuda: ") and "--index-url" in errors[0]
    assert errors[1].startswith("make: ***")  # make's own line naming the failed target
    assert (venv / ".torch-cpu").exists() and _make(venv).returncode == 0


def test_a_bad_build_is_refused():
    result = _make(Path("/nonexistent"), "TORCH_BUILD=rocm")
    assert result.returncode == 2 and "TORCH_BUILD: got 'rocm', expected cpu or cuda" in result.stderr
