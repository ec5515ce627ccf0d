"""Resident memory of this process: how much (for the benchmarks and the sentence model's own report), and
giving freed audio buffers back to the system during a voice session."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

#: glibc ``mallopt`` parameters: above this size a block is its own mapping, returned to the system when freed
#: (glibc raises its default, 128 KiB, as large blocks are freed, and then keeps freed audio buffers); and
#: free memory at the top of the heap above this size is returned too
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 256 * 1024
TRIM_THRESHOLD = 128 * 1024


def rss_mb() -> float:
    """Resident memory in MB (the peak where the current figure is not available, as on macOS)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


@functools.lru_cache(maxsize=1)
def return_freed_memory() -> bool:
    """Make glibc give large freed blocks (audio, model buffers) back to the system at once instead of keeping
    them for later: a voice session's peak resident memory drops by about 50 MB.  True when it applied (glibc
    on Linux); elsewhere nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
