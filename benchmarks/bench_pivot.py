"""LSMC speed and memory: 100,000 paths x 120 monthly steps (target <= 1 s on 2 cores), beside a straightforward
implementation (per-step ``numpy.polyfit`` on the in-the-money paths).

The problem is a 10-year American put on monthly dates (S0 = 36, K = 40, r = 0.06, sigma = 0.2), the
benchmark case of Longstaff & Schwartz (2001) stretched to 120 exercise dates; both implementations see the
same paths. Memory: peak resident set of the process (``ru_maxrss``) around each run, and the size of the
path array. Results go to ``benchmarks/results/bench_pivot.json``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from hashpower.models import lsmc

OUT = Path(__file__).parent / "results" / "bench_pivot.json"
S0, K, R, SIGMA, T, STEPS, PATHS = 36.0, 40.0, 0.06, 0.2, 10.0, 120, 100_000


def straightforward(paths: np.ndarray, disc: float) -> float:
    """Per-step polyfit of degree 3 on the in-the-money paths, as textbooks write it."""
    n, m = paths.shape
    cash = np.maximum(K - paths[:, -1], 0.0)
    for t in range(m - 2, 0, -1):
        cash = cash * disc
        itm = np.flatnonzero(K - paths[:, t] > 0)
        if itm.size > 4:
            coef = np.polyfit(paths[itm, t], cash[itm], 3)
            cont = np.polyval(coef, paths[itm, t])
            ex = (K - paths[itm, t]) > cont
            cash[itm[ex]] = K - paths[itm[ex], t]
    return float(cash.mean() * disc)


def main() -> dict:
    rng = np.random.default_rng(2001)
    paths = lsmc.gbm_paths(S0, R, SIGMA, T, STEPS, PATHS, rng)
    disc = math.exp(-R * T / STEPS)
    payoff = np.maximum(K - paths, 0.0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    res = lsmc.lsmc_stop(payoff[:, 1:], None, disc, paths[:, 1:], 3, itm_only=True)
    fast = time.perf_counter() - t0
    _, peak_fast = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    t0 = time.perf_counter()
    ref = straightforward(paths, disc)
    slow = time.perf_counter() - t0
    _, peak_slow = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    value = res.value * disc  # date 1 .. 120 cash flows, discounted once more to date 0
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"), "paths": PATHS, "steps": STEPS,
        "lsmc_s": round(fast, 3), "straightforward_polyfit_s": round(slow, 3), "target_s": 1.0,
        "value_lsmc": round(value, 4), "value_straightforward": round(ref, 4), "std_error": round(res.std_error, 4),
        "peak_traced_mb_lsmc": round(peak_fast / 2**20, 1),
        "peak_traced_mb_straightforward": round(peak_slow / 2**20, 1),
        "paths_array_mb": round(paths.nbytes / 2**20, 1), "max_rss_mb": round(max(rss0, rss1) / 1024, 1),
    }


if __name__ == "__main__":
    out = main()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    json.dump(out, sys.stdout, indent=2)
    print()
