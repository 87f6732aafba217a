"""Device, precision, threads and seeding: the few facts every trainer and evaluator share.

Devices: the CPU, CUDA and Apple's GPU (MPS). On MPS the models run in fp32 only (PyTorch's mixed
precision there depends on the macOS release and the chip), decoding, NMS and box voting run on the
CPU (:attr:`Runtime.postprocess_device`), and there is no torchrun (no MPS backend for collectives).
"""

import os
import random
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import torch

from locate.cores import cpu_name, usable_cores
from locate.errors import UserError
from locate.host_memory import keep_freed_memory
from locate.params import read_section, require

DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
THREADS_PER_CORE = 4  # the most runtime.threads per CPU core


@dataclass(frozen=True)
class Runtime:
    """Where and how tensors are computed.

    device: torch device (cpu, cuda or mps); precision: "fp32", "bf16" or "fp16" (autocast dtype, fp16 on
    CUDA only, with a gradient scaler; fp32 only on mps); threads: CPU threads used by intra-op parallelism.
    """

    device: torch.device
    precision: str
    threads: int
    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """True in the one process that writes outputs (rank 0)."""
        return self.rank == 0

    def barrier(self) -> None:
        """Wait for every process (a no-op in a single process)."""
        if self.world_size > 1:
            torch.distributed.barrier()

    def autocast(self) -> AbstractContextManager:
        """Autocast context for forward passes (a no-op in fp32)."""
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    @property
    def postprocess_device(self) -> torch.device:
        """Where detections are decoded, suppressed (NMS) and voted: the model's device, but the CPU on MPS,
        where some of their ops (``cummax``, ``searchsorted``, ``bincount``) have no kernel in every PyTorch."""
        return torch.device("cpu") if self.device.type == "mps" else self.device

    def describe(self) -> dict:
        """JSON-able summary for metrics files."""
        return {
            "device": self.device.type,
            "device_name": device_name(self.device),
            "precision": self.precision,
            "threads": self.threads,
            "processes": self.world_size,
        }

    def where(self) -> str:
        """The line a stage prints first: ``runs on cpu (Intel Xeon ...), precision bf16, 2 threads``, from the
        same facts as :meth:`describe` (which the speed records hold)."""
        facts = self.describe()
        processes = f", {facts['processes']} processes" if facts["processes"] > 1 else ""
        return (f"runs on {facts['device']} ({facts['device_name']}), precision {facts['precision']}, "
                f"{facts['threads']} thread{'s' * (facts['threads'] != 1)}{processes}")


def device_name(device: torch.device) -> str:
    """The GPU's name on CUDA, the chip's on MPS and the CPU's otherwise."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return cpu_name()


def mps_available() -> bool:
    """True where PyTorch can use Apple's GPU (an MPS build on macOS 12.3 or newer with a Metal GPU)."""
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def cpu_has_fast_bf16() -> bool:
    """True when oneDNN runs bf16 natively (AVX-512 BF16 or AMX), where it beats fp32."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _join_process_group(device: str) -> tuple[int, int, int]:
    """Rank, world size and local rank; joins the process group when run by torchrun."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return 0, 1, 0
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if device == "cuda" else "gloo")
    return torch.distributed.get_rank(), world_size, int(os.environ.get("LOCAL_RANK", "0"))


def make_runtime(device: str = "auto", precision: str = "auto", threads: int = 0) -> Runtime:
    """Resolve the ``device``/``precision``/``threads`` params (``auto``/0 pick the best here).

    Under ``torchrun`` each process joins the process group (NCCL on CUDA, gloo on CPU),
    takes the GPU of its local rank, and by default an equal share of the CPU cores. Freed host
    memory is kept for reuse (:mod:`locate.host_memory`).
    """
    if device not in DEVICES:
        raise UserError(f"params key 'runtime.device': got {device!r}, expected one of {', '.join(DEVICES)}")
    if precision not in PRECISIONS:
        raise UserError(f"params key 'runtime.precision': got {precision!r}, expected one of {', '.join(PRECISIONS)}")
    device = chosen_device(device)
    precision = chosen_precision(precision, device)
    keep_freed_memory()
    if device == "mps" and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise UserError("params key 'runtime.device': torchrun needs cuda or cpu; on mps run one process")
    rank, world_size, local_rank = _join_process_group(device)
    local_processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    threads = threads or max(1, usable_cores() // local_processes)
    torch.set_num_threads(threads)
    if device == "cuda":
        _tune_cuda(local_rank)
    where = torch.device("cuda", local_rank) if device == "cuda" else torch.device(device)
    return Runtime(where, precision, threads, rank, world_size)


def chosen_device(device: str) -> str:
    """The device that ``runtime.device`` names; ``auto`` picks CUDA, then Apple's GPU (MPS), then the CPU."""
    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("params key 'runtime.device': got 'cuda', but no CUDA device is available "
                        "(a CPU build of torch? `make install TORCH_BUILD=cuda` installs the CUDA build)")
    if device == "mps" and not mps_available():
        raise UserError("params key 'runtime.device': got 'mps', but Apple's GPU is not available here "
                        "(it needs macOS 12.3+ on a Mac with a Metal GPU)")
    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if mps_available() else "cpu"


def chosen_precision(precision: str, device: str) -> str:
    """The precision that ``runtime.precision`` names on ``device``; ``auto`` picks bf16 on a CUDA GPU that has
    it (else fp16), bf16 on a CPU that runs it natively (else fp32), and fp32 on MPS."""
    if precision == "auto":
        if device == "cuda":
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return "bf16" if device == "cpu" and cpu_has_fast_bf16() else "fp32"
    if device == "mps" and precision != "fp32":
        raise UserError(f"params key 'runtime.precision': got {precision!r}, but on mps the models run in fp32 "
                        "only; use fp32 or auto")
    if precision == "fp16" and device != "cuda":
        raise UserError("params key 'runtime.precision': 'fp16' needs a CUDA device; use fp32 or bf16 on CPU")
    return precision


def _tune_cuda(local_rank: int) -> None:
    """Take the GPU of ``local_rank`` and let cuDNN time its convolution algorithms once per shape (the
    shapes are fixed) and fp32 matrix products use TF32."""
    torch.cuda.set_device(local_rank)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


@dataclass(frozen=True)
class RuntimeParams:
    """The ``runtime`` section of params.yaml: device, precision, threads (0 = all cores)."""

    device: str
    precision: str
    threads: int

    def __post_init__(self) -> None:
        require(self.device in DEVICES, "runtime.device", self.device, "one of " + ", ".join(DEVICES))
        require(self.precision in PRECISIONS, "runtime.precision", self.precision, "one of " + ", ".join(PRECISIONS))
        require(self.device != "mps" or self.precision in ("auto", "fp32"), "runtime.precision", self.precision,
                "fp32 or auto on mps (the models run in fp32 there)")
        most = THREADS_PER_CORE * (os.cpu_count() or 1)
        require(0 <= self.threads <= most, "runtime.threads", self.threads,
                f"an integer in [0, {most}] (0 = all cores; at most {THREADS_PER_CORE} per core of this machine)")


def runtime_from_params() -> Runtime:
    """The Runtime that params.yaml's ``runtime`` section asks for; the main process says where it runs first,
    on stdout (:meth:`Runtime.where`)."""
    params = read_section("runtime", RuntimeParams)
    runtime = make_runtime(params.device, params.precision, params.threads)
    if runtime.is_main:
        print(runtime.where(), flush=True)
    return runtime


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; returns a CPU generator for shuffling."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
