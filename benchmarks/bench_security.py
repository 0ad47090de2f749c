"""Concentration series over all blocks (target <= 100 ms for 7- and 30-day windows), beside a per-window
pandas groupby.

Vectorised: :func:`hashpower.models.security.concentration` on the ~282,000 blocks (shares, Wilson intervals, HHI,
Nakamoto coefficient for every day, 7- and 30-day windows), blocks already read from the store.
Reference: for each window, ``groupby(pool).size()`` on the blocks of the window, then the same statistics.
Results go to ``benchmarks/results/bench_security.json``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HASHPOWER_HOME", tempfile.mkdtemp(prefix="hashpower-bench-"))

from hashpower.figures import series as risk  # noqa: E402
from hashpower.models import security as sec

OUT = Path(__file__).parent / "results" / "bench_security.json"


def groupby_version(df: pd.DataFrame, window: int) -> list[tuple[float, int]]:
    out = []
    days = np.arange(df["day"].min() + window - 1, df["day"].max() + 1)
    for d in days:
        w = df[(df["day"] > d - window) & (df["day"] <= d)]
        counts = w[w["pool"] != "unknown"].groupby("pool").size()
        shares = counts / len(w)
        sec.wilson_interval(counts.to_numpy(), len(w))
        out.append((float(((100 * shares) ** 2).sum()), int(sec.nakamoto_coefficient(shares.to_numpy()))))
    return out


if __name__ == "__main__":
    day, pools = risk._blocks_arrays()
    codes, labels = risk._pool_codes(pools, False, False)

    def vectorised():
        return [sec.concentration(day, codes, w) for w in (7, 30)]

    ts = []
    for _ in range(10):
        t0 = time.perf_counter()
        res = vectorised()
        ts.append(time.perf_counter() - t0)
    df = pd.DataFrame({"day": day, "pool": pools})
    t0 = time.perf_counter()
    ref = {w: groupby_version(df, w) for w in (7, 30)}
    loop = time.perf_counter() - t0
    for k, w in enumerate((7, 30)):
        assert np.allclose([r[0] for r in ref[w]], res[k]["hhi"])
        assert (np.array([r[1] for r in ref[w]]) == res[k]["nakamoto_coefficient"]).all()
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
           "date": time.strftime("%Y-%m-%d"), "blocks": int(day.size), "pools": len(labels),
           "windows": [7, 30], "days_per_window": [int(r["days"].size) for r in res],
           "vectorised_ms": round(statistics.median(ts) * 1e3, 1), "pandas_groupby_per_window_ms": round(loop * 1e3),
           "target_ms": 100}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    json.dump(out, sys.stdout, indent=2)
    print()
