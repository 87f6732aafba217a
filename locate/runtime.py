"""Device, precision, threads and seeding: the few facts every trainer and evaluator share."""

import os
import random
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import torch

from locate.cores import usable_cores
from locate.errors import UserError
from locate.host_memory import keep_freed_memory
from locate.params import read_section, require

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
THREADS_PER_CORE = 4  # the most runtime.threads per CPU core


@dataclass(frozen=True)
class Runtime:
    """Where and how tensors are computed.

    device: torch device; precision: "fp32", "bf16" or "fp16" (autocast dtype, fp16 on CUDA
    only, with a gradient scaler); threads: CPU threads used by intra-op parallelism.
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

    def describe(self) -> dict:
        """JSON-able summary for metrics files."""
        name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else _cpu_name()
        return {
            "device": self.device.type,
            "device_name": name,
            "precision": self.precision,
            "threads": self.threads,
            "processes": self.world_size,
        }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "cpu"


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
    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("params key 'runtime.device': got 'cuda', but no CUDA device is available")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if precision == "auto":
        if device == "cuda":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            precision = "bf16" if cpu_has_fast_bf16() else "fp32"
    if precision == "fp16" and device != "cuda":
        raise UserError("params key 'runtime.precision': 'fp16' needs a CUDA device; use fp32 or bf16 on CPU")
    keep_freed_memory()
    rank, world_size, local_rank = _join_process_group(device)
    local_processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    threads = threads or max(1, usable_cores() // local_processes)
    torch.set_num_threads(threads)
    if device == "cuda":
        _tune_cuda(local_rank)
    where = torch.device("cuda", local_rank) if device == "cuda" else torch.device("cpu")
    return Runtime(where, precision, threads, rank, world_size)


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
        most = THREADS_PER_CORE * (os.cpu_count() or 1)
        require(0 <= self.threads <= most, "runtime.threads", self.threads,
                f"an integer in [0, {most}] (0 = all cores; at most {THREADS_PER_CORE} per core of this machine)")


def runtime_from_params() -> Runtime:
    """The Runtime that params.yaml's ``runtime`` section asks for."""
    params = read_section("runtime", RuntimeParams)
    return make_runtime(params.device, params.precision, params.threads)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; returns a CPU generator for shuffling."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
