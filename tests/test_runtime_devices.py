"""Where a stage computes, on every platform: the device choice (CUDA, then Apple's GPU, then the CPU), the
precision each device runs, the params check, the CPU fallbacks on MPS, and the cores a process may use where
Python has no ``os.sched_getaffinity`` (macOS, Windows). No Mac or GPU is needed: their presence is faked."""

import os

import pytest
import torch

from locate import cores, runtime
from locate.detection.config import DetectorParams, read_detector_eval
from locate.detection.model import Detector
from locate.detection.prediction import predictor_of
from locate.errors import UserError
from locate.runtime import Runtime, RuntimeParams, chosen_device, chosen_precision, make_runtime
from tests.stage_runner import repo_params
from tools.tiny import tiny_params


@pytest.fixture
def gpus(monkeypatch):
    """Fake which GPUs PyTorch finds: ``gpus(cuda=..., mps=...)``."""

    def fake(cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(runtime, "mps_available", lambda: mps)

    return fake


@pytest.mark.parametrize(("cuda", "mps", "expected"),
                         [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_auto_picks_cuda_then_mps_then_the_cpu(gpus, cuda, mps, expected):
    gpus(cuda=cuda, mps=mps)
    assert chosen_device("auto") == expected


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_device_that_is_not_here_is_refused_in_one_line(gpus, device):
    gpus(cuda=False, mps=False)
    with pytest.raises(UserError, match=f"params key 'runtime.device': got '{device}'") as error:
        chosen_device(device)
    assert "\n" not in str(error.value)


def test_mps_runs_fp32_only():
    assert chosen_precision("auto", "mps") == "fp32" and chosen_precision("fp32", "mps") == "fp32"
    for precision in ("bf16", "fp16"):
        with pytest.raises(UserError, match="runtime.precision"):
            chosen_precision(precision, "mps")


def test_the_params_check_takes_mps_and_refuses_mixed_precision_there():
    assert RuntimeParams("mps", "auto", 0).device == "mps"
    with pytest.raises(UserError, match="runtime.precision"):
        RuntimeParams("mps", "bf16", 0)
    with pytest.raises(UserError, match="runtime.device"):
        RuntimeParams("metal", "auto", 0)


def test_an_mps_runtime_runs_in_fp32_and_says_so_first(gpus, monkeypatch):
    gpus(cuda=False, mps=True)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    made = make_runtime("auto", "auto", 1)
    assert made.device == torch.device("mps") and made.precision == "fp32"
    assert made.where() == f"runs on mps ({cores.cpu_name()}), precision fp32, 1 thread"
    assert made.describe()["device"] == "mps"


def test_torchrun_on_mps_is_refused(gpus, monkeypatch):
    gpus(cuda=False, mps=True)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(UserError, match="torchrun needs cuda or cpu"):
        make_runtime("mps", "auto", 1)


def test_on_mps_the_detections_are_decoded_and_suppressed_on_the_cpu():
    mps = Runtime(torch.device("mps"), "fp32", 1)
    assert mps.postprocess_device == torch.device("cpu")
    assert Runtime(torch.device("cpu"), "fp32", 1).postprocess_device == torch.device("cpu")
    params = tiny_params(repo_params())
    config = DetectorParams(**params["detector"]).model_config(3)
    predictor = predictor_of(Detector(config).eval(), config, read_detector_eval().postprocess, mps)
    assert predictor.anchors.device.type == "cpu" and predictor.levels.device.type == "cpu"


def test_the_where_line_holds_what_the_speed_records_hold():
    here = Runtime(torch.device("cpu"), "bf16", 3, world_size=2)
    facts = here.describe()
    assert here.where() == (f"runs on cpu ({facts['device_name']}), precision bf16, 3 threads, 2 processes")


def test_the_cores_without_affinity_are_every_core(monkeypatch):
    monkeypatch.delenv(cores.SHARE_VARIABLE, raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert cores.core_ids() == list(range(os.cpu_count() or 1))
    assert cores.usable_cores() == (os.cpu_count() or 1)


def test_a_runners_share_of_the_cores_wins(monkeypatch):
    monkeypatch.setenv(cores.SHARE_VARIABLE, "1")
    assert cores.usable_cores() == 1
    monkeypatch.setenv(cores.SHARE_VARIABLE, "zero")
    assert cores.usable_cores() == len(cores.core_ids())
