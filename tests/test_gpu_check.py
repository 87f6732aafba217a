"""The GPU check's parts on the CPU: the stage plan without DVC, the stage runner, the metrics comparison."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import yaml

from benchmarks import gpu_check
from benchmarks.metrics_agreement import NOISE_BAND, agreement
from tests.stage_runner import REPO_ROOT, repo_params
from tools.tiny import tiny_channels

FAKE_STAGE = '''
import sys
from pathlib import Path

name, *inputs = sys.argv[1:]
missing = [path for path in inputs if not Path(path).is_file()]
if missing or name == "broken":
    sys.exit(3)
Path("out").mkdir(exist_ok=True)
Path(f"out/{name}.txt").write_text(" ".join(inputs))
'''


def _project(folder: Path, stages: dict) -> Path:
    (folder / "stages").mkdir(parents=True)
    (folder / "stages" / "__init__.py").write_text("")
    (folder / "stages" / "fake.py").write_text(textwrap.dedent(FAKE_STAGE))
    (folder / "benchmarks").mkdir()
    for name in ("__init__.py", "stage_peak.py"):
        (folder / "benchmarks" / name).write_text((REPO_ROOT / "benchmarks" / name).read_text())
    (folder / "params.yaml").write_text(yaml.safe_dump({"parts": {"b": 1, "c": 2}}))
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}))
    return folder


def _fake(name: str, reads: list[str]) -> dict:
    return {"cmd": f"python -m stages.fake {name} {' '.join(reads)}", "deps": reads, "outs": [f"out/{name}.txt"]}


def test_stages_run_after_their_inputs_with_figures(tmp_path):
    work = _project(tmp_path, {
        "a": _fake("a", []),
        "part": {"foreach": "${parts}", "do": _fake("${key}", ["out/a.txt"])},
        "d": _fake("d", ["out/b.txt", "out/c.txt"]),
    })
    figures, failed = gpu_check.run_stages(work, jobs=2)
    assert failed is None and set(figures) == {"a", "part@b", "part@c", "d"}
    assert (work / "out" / "d.txt").read_text() == "out/b.txt out/c.txt"
    assert all(stage["exit"] == 0 and stage["peak_resident_mib"] > 0 for stage in figures.values())
    assert all(stage["peak_device_mib"] is None for stage in figures.values())


def test_a_failing_stage_stops_the_stages_that_read_from_it(tmp_path):
    work = _project(tmp_path, {"a": _fake("a", []), "broken": _fake("broken", ["out/a.txt"]),
                               "d": _fake("d", ["out/broken.txt"])})
    figures, failed = gpu_check.run_stages(work, jobs=1)
    assert failed == "broken" and figures["broken"]["exit"] == 3 and "d" not in figures


def test_the_copy_runs_on_the_asked_device_with_the_overrides(tmp_path):
    channels = tiny_channels(repo_params()["detector"])
    gpu_check.copy_project(tmp_path, "cpu", 2, ["keypoints.schedule.epochs=2", f"detector.channels={channels}"])
    params = yaml.safe_load((tmp_path / "params.yaml").read_text())
    assert params["runtime"]["device"] == "cpu" and params["runtime"]["threads"] >= 1
    assert params["keypoints"]["schedule"]["epochs"] == 2 and params["detector"]["channels"] == channels
    assert (tmp_path / "stages" / "train_detector.py").is_file() and not (tmp_path / "benchmarks" / "results").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_without_a_gpu_the_check_says_so_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--out", str(tmp_path / "r.json")],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
    assert "no CUDA device" in result.stderr and not (tmp_path / "r.json").exists()


def _metrics(folder: Path, map50: float, pck: float, seconds: float) -> Path:
    (folder / "detector").mkdir(parents=True)
    (folder / "keypoints").mkdir()
    (folder / "speed").mkdir()
    (folder / "detector" / "course.json").write_text(json.dumps({"map50": map50, "parameters": 10, "epoch": 3}))
    (folder / "keypoints" / "heatmap.json").write_text(json.dumps({"pck": {"pck_05": pck}}))
    (folder / "speed" / "train.json").write_text(json.dumps({"train_seconds": seconds}))
    return folder


def test_metrics_are_compared_and_the_headline_judged_against_noise(tmp_path):
    ran = _metrics(tmp_path / "ran", 0.80, 0.70, 5.0)
    committed = _metrics(tmp_path / "committed", 0.82, 0.78, 500.0)
    (committed / "keypoints" / "regression.json").write_text(json.dumps({"pck": {"pck_05": 0.5}}))
    noise = {"detector/course.json:map50": 0.02 / NOISE_BAND, "keypoints/heatmap.json:pck.pck_05": 0.01}
    compared = agreement(ran, committed, noise)
    assert compared["numbers"]["detector/course.json:epoch"] == [3, 3, 0]
    assert not any(name.startswith("speed/") or name.endswith("parameters") for name in compared["numbers"])
    assert compared["headline"]["detector/course.json:map50"]["agrees"] is True
    assert compared["headline"]["keypoints/heatmap.json:pck.pck_05"]["agrees"] is False
    assert compared["missing"] == ["keypoints/regression.json:pck.pck_05"]
    unknown = agreement(ran, committed, {})
    assert unknown["headline"]["detector/course.json:map50"]["agrees"] is None
