"""Economics benchmarks, each beside its reference in one run.

1. Hashprice and cost rate for the whole history x the whole catalog, one
   vectorised call each (target <= 20 ms), beside a plain per-row Python loop
   of the same formulas.
2. Daily P&L of a fleet of 10,000 units (10,000 machine groups of one unit,
   on 10 sites, half on hourly tariffs) over 5 years (target <= 1 s), beside a
   plain Python loop over units, days and hours on 100 of the units, scaled.

Results go to ``benchmarks/results/bench_economics.json``.
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

import hashpower  # noqa: E402
from hashpower.models import fleet as fl
from hashpower.models import hashprice
from hashpower.models import machines as mc
from hashpower.store.catalog import catalog

OUT = Path(__file__).parent / "results" / "bench_economics.json"


def best_of(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_grid() -> dict:
    h = hashpower.history()
    h = h[h["price_usd"].notna() & (h["blocks"] > 0)]
    cols = [h[c].to_numpy(float) for c in ("difficulty", "price_usd", "subsidy_btc", "fees_btc", "blocks")]
    cat = catalog()
    eff = cat.efficiency_j_per_th

    def vectorised():
        hp = hashprice.history_usd_per_th_day(*cols)
        return mc.cost_rate(eff[None, :], 0.06, hp[:, None])

    def loop():
        out = []
        d, p, s, f, b = (c.tolist() for c in cols)
        for i in range(len(d)):
            hp = (s[i] / b[i] + f[i] / b[i]) * 86400 * 1e12 / (d[i] * 2**32) * p[i]
            out.append([e * 24 * 0.06 / 1000 / hp for e in eff.tolist()])
        return out

    ref = np.array(loop())
    assert np.allclose(vectorised(), ref, rtol=1e-12)
    return {"days": len(h), "models": len(cat), "cells": len(h) * len(cat),
            "vectorised_ms": round(best_of(vectorised, 20) * 1e3, 2),
            "python_loop_ms": round(best_of(loop, 3) * 1e3, 1),
            "target_ms": 20}


def make_fleet(n_units: int, rng: np.random.Generator) -> fl.Fleet:
    cat = catalog()
    modern = np.flatnonzero(cat.efficiency_j_per_th < 40)
    sites = []
    for k in range(10):
        if k % 2:
            tariff = 0.03 + 0.05 * (1 + np.sin(np.arange(24) / 24 * 2 * math.pi)) * rng.uniform(0.5, 1.5)
            sites.append(fl.Site(f"tou-{k}", tariff, flat=False, pue=1.1, pool_fee_rate=0.02, uptime=0.97))
        else:
            sites.append(fl.Site(f"flat-{k}", np.full(24, rng.uniform(0.03, 0.08)), flat=True, pue=1.05))
    pick = rng.choice(modern, n_units)
    return fl.Fleet(tuple(sites), rng.integers(0, 10, n_units), cat.model[pick], np.ones(n_units, dtype=np.int64),
                    cat.hashrate_ths[pick], cat.power_w[pick])


def loop_pnl(f: fl.Fleet, hp: np.ndarray, units: int) -> float:
    total = 0.0
    hpl = hp.tolist()
    for g in range(units):
        site = f.sites[int(f.group_site[g])]
        kw = f.group_power_w[g] * site.pue * site.uptime / 1000
        tariff = site.tariff_usd_per_kwh.tolist()
        for x in hpl:
            rev_h = f.group_hashrate_ths[g] * x * site.uptime * (1 - site.pool_fee_rate) / 24
            for p in tariff:
                if rev_h > kw * (p + site.hosting_fee_usd_per_kwh):
                    total += rev_h - kw * (p + site.hosting_fee_usd_per_kwh)
    return total


def bench_fleet() -> dict:
    rng = np.random.default_rng(20260201)
    f = make_fleet(10_000, rng)
    h = hashpower.history("2021-06-02", "2026-06-01")
    hp = hashprice.history_usd_per_th_day(h["difficulty"], h["price_usd"], h["subsidy_btc"], h["fees_btc"],
                                          h["blocks"])
    vec = best_of(lambda: fl.daily_pnl(f, hp), 5)
    sub = 100
    t0 = time.perf_counter()
    ref = loop_pnl(f, hp, sub)
    loop_s = time.perf_counter() - t0
    small = fl.Fleet(f.sites, f.group_site[:sub], f.group_model[:sub], f.group_count[:sub],
                     f.group_hashrate_ths[:sub], f.group_power_w[:sub])
    assert math.isclose(fl.daily_pnl(small, hp).profit_usd.sum(), ref, rel_tol=1e-9)
    return {"units": f.units, "days": len(hp), "vectorised_ms": round(vec * 1e3, 1),
            "python_loop_100_units_ms": round(loop_s * 1e3, 1),
            "python_loop_scaled_to_all_units_s": round(loop_s * f.units / sub, 1), "target_ms": 1000}


if __name__ == "__main__":
    res = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
           "date": time.strftime("%Y-%m-%d"), "grid": bench_grid(), "fleet": bench_fleet()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    json.dump(res, sys.stdout, indent=2)
    print()
