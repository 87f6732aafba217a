"""Run one stage module as ``python -m`` would and record its peak memory beside it.

``python -m benchmarks.stage_peak RECORD MODULE [ARG ...]`` runs ``MODULE`` with ``ARG ...``
as its command line, then writes ``RECORD`` (JSON): the exit status, the peak CUDA memory
allocated by PyTorch in MiB (null when the stage never used CUDA) and the peak resident set
of the process in MiB. Exits with the stage's status.
"""

import json
import resource
import runpy
import sys
from pathlib import Path

import torch

MIB = 2**20


def _exit_status(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    return stop.code if isinstance(stop.code, int) else 1


def peak_record(status: int) -> dict:
    """The exit ``status`` with this process's peak CUDA memory and resident set (MiB)."""
    device = round(torch.cuda.max_memory_allocated() / MIB, 1) if torch.cuda.is_initialized() else None
    resident = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {"exit": status, "peak_device_mib": device, "peak_resident_mib": resident}


def main(arguments: list[str]) -> int:
    record, module, *stage_arguments = arguments
    sys.argv = [module, *stage_arguments]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as stop:
        status = _exit_status(stop)
    Path(record).write_text(json.dumps(peak_record(status)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
