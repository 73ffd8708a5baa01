"""Figures the benchmarks share."""

import math
from pathlib import Path


def percentile(values, share):
    """The nearest-rank percentile of `values` (any order): the smallest value with at least `share`
    (0 < share <= 1) of the values at or below it. None when there are no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    # The tolerance keeps a product such as 0.07 * 100 = 7.000000000000001 at rank 7.
    rank = math.ceil(share * len(ordered) - 1e-9)
    return ordered[min(len(ordered), max(1, rank)) - 1]


def status_mb(field, pid="self"):
    """Return one memory field of a process's /proc status (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)
