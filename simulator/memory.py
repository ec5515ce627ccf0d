"""Resident memory of this process, for the benchmarks and the sentence model's own report."""

from __future__ import annotations

import sys


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
