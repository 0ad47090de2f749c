"""Network analytics for the whole history (target <= 100 ms once the store is open), beside a plain Python loop.

Vectorised: :func:`hashpower.figures.series.series` (hashrate over 1/3/7/30 days with
intervals, hashprice, CBECI bounds for every day x every model, drawdown
episodes of the 7- and 30-day means, the sustainability index), with the
history already read from the store. Reference: the same formulas as
per-day Python loops (rolling sums, the profitable set, the index).
Results go to ``benchmarks/results/bench_network.json``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HASHPOWER_HOME", tempfile.mkdtemp(prefix="hashpower-bench-"))

from hashpower.figures import series as analytics  # noqa: E402
from hashpower.store.catalog import hardware  # noqa: E402

OUT = Path(__file__).parent / "results" / "bench_network.json"


def median_time(fn, runs):
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def loop_version(h, rel, eff, price=0.05):
    d = h["difficulty"].tolist()
    b = h["blocks"].tolist()
    hr = h["hashrate_ths"].tolist()
    p = h["price_usd"].tolist()
    s = h["subsidy_btc"].tolist()
    f = h["fees_btc"].tolist()
    rev = h["revenue_usd"].tolist()
    days = h.index.values.astype("datetime64[D]").astype(np.int64).tolist()
    n = len(d)
    out = {}
    for w in (1, 3, 7, 30):
        est = [math.nan] * n
        for i in range(w - 1, n):
            est[i] = sum(d[j] * 2**32 * b[j] for j in range(i - w + 1, i + 1)) / (w * 86400)
        out[w] = est
    best = []
    for i in range(n):
        hp = (s[i] + f[i]) / b[i] * 86400e12 / (d[i] * 2**32) * p[i] if b[i] and p[i] == p[i] else math.nan
        thr = hp * 1000 / (24 * price) if hp == hp else math.inf
        prof = [e for r, e in zip(rel, eff, strict=True) if r <= days[i] and e < thr]
        best.append(sum(prof) / len(prof) * hr[i] * 1.10 if prof else math.nan)
    x = [rev[i] / d[i] for i in range(n)]
    idx = []
    for i in range(n):
        if i < 365 or x[i - 364] != x[i - 364]:
            idx.append(math.nan)
            continue
        r = math.log(sum(x[i - 29:i + 1]) / 30 / (sum(x[i - 364:i + 1]) / 365))
        idx.append(r)
    return out, best, idx


if __name__ == "__main__":
    h = analytics.history()  # open the store and read the history once (not timed)
    vec = median_time(analytics.series, 15)
    rel, eff = hardware()
    t0 = time.perf_counter()
    loop_version(h, rel.tolist(), eff.tolist())
    loop = time.perf_counter() - t0
    res = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
           "date": time.strftime("%Y-%m-%d"), "days": len(h), "hardware_models": int(eff.size),
           "vectorised_ms": round(vec * 1e3, 1), "python_loop_ms": round(loop * 1e3, 1), "target_ms": 100}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    json.dump(res, sys.stdout, indent=2)
    print()
