"""Host memory for training loops: freed tensors' memory kept by the allocator for the next step.

glibc's malloc serves each large block (activations, their gradients) with a fresh ``mmap``
and returns it to the system on ``free``; the next step's block of the same size then
faults in and zeroes every page again. A training step allocates and frees the same large
blocks over and over, and the CPU trainers spend time on that page work every step
(docs/performance.md gives how much, from the allocator study of commit d2a4727). Serving every
block from the heap and never trimming it lets the next step reuse the pages. Values computed are
unchanged; the peak resident set grows by about a sixth.
"""

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_MMAP_MAX = -4
NEVER_TRIM = 2**31 - 1


def keep_freed_memory() -> bool:
    """Serve every allocation from malloc's heap and keep what is freed there; False where the C library is
    not glibc (nothing changed)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, TypeError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, NEVER_TRIM))
