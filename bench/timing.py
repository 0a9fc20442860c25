"""What the bench scripts share: the median time of a call (run as `python3 bench/x.py`,
each script finds this module beside it)."""

from __future__ import annotations

import statistics
import time


def median_time(fn, runs=5, clock=time.perf_counter):
    """Return the median of `runs` timings of fn() on `clock` (perf_counter: wall seconds)."""
    times = []
    for _ in range(runs):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)
