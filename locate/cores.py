"""The CPU cores a process may use, on every OS: the one count the library, tools and benchmarks share."""

import os

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
