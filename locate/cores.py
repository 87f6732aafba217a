"""The CPU a process runs on, on every OS: the one count of its cores the library, tools and benchmarks share,
and its name."""

import os
import platform
import subprocess
import sys

SHARE_VARIABLE = "LOCATE_CORES"  # set by a runner that gives each of its stages a share of the cores


def core_ids() -> list[int]:
    """The ids of the CPU cores this process may run on: its affinity where the OS keeps one (Linux), else every
    core of the machine (macOS and Windows have no ``os.sched_getaffinity``)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def usable_cores() -> int:
    """How many CPU cores this process may use: the share a runner gave it (``LOCATE_CORES``) when set, else
    :func:`core_ids`'s count."""
    share = os.environ.get(SHARE_VARIABLE, "")
    if share.isdigit() and int(share) > 0:
        return int(share)
    return len(core_ids())


def cpu_name() -> str:
    """The processor's model name: /proc/cpuinfo on Linux, sysctl on macOS (``Apple M2``), else what Python
    knows."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            found = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True,
                                   timeout=5)
            if found.returncode == 0 and found.stdout.strip():
                return found.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or "cpu"


def cpu_line(processes: int) -> str:
    """The first line of a stage that runs no model: ``runs on cpu (Intel Xeon ...), no model, 2 processes``."""
    return f"runs on cpu ({cpu_name()}), no model, {processes} process{'es' * (processes != 1)}"
