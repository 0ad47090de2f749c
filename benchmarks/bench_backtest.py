"""Backtest and outlook speed, each beside its reference in one run (results: benchmarks/results/backtest_speed.json).

1. The default backtest through :func:`hashpower.figures.backtest.backtest` (both modes, 38 origins,
   1,000 paths, horizons 3/6/12 months), warm: the kernel is compiled (or its cache loaded) and the
   history read by a one-origin backtest first. Target <= 90 s.
2. Its reference: the same origins one at a time in a plain loop, rebuilding everything per origin the
   naive way: ``hashpower.figures.simulate.history()``, ``snapshot_at``, ``calibrate.build``, the actual
   series (``Actuals(history)``) and one kernel call per horizon (``ends = [n - 30, n]``), then the same
   case figures as :func:`hashpower.sim.backtest.score_origin`. Its cases are checked equal to (1)'s.
   ``history()`` is cached by the store file's mtime, as for any caller; the cost of one uncached rebuild
   (the store's derived series and the History arrays) is measured once and reported beside it.
3. The outlook, :func:`hashpower.figures.outlook.outlook` (24 months, 2,000 paths): median of 5 warm runs,
   and cold as a whole process (``python -c`` importing and running it) median of 3, beside the process
   that only imports it. Target <= 2 s (cold; the warm figure is reported beside it).

    python benchmarks/bench_backtest.py          # writes benchmarks/results/backtest_speed.json
    python benchmarks/bench_backtest.py --quick  # origins from 2023-01-01 only, nothing written
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_OWN_HOME = None if os.environ.get("HASHPOWER_HOME") else tempfile.mkdtemp(prefix="hashpower-bench-backtest-")
if _OWN_HOME:
    os.environ["HASHPOWER_HOME"] = _OWN_HOME  # a store built from the embedded data, removed at the end

import numba  # noqa: E402
import numpy as np  # noqa: E402

from hashpower.figures import backtest as FB  # noqa: E402
from hashpower.figures import outlook as FO  # noqa: E402
from hashpower.figures import series  # noqa: E402
from hashpower.figures import simulate as FS  # noqa: E402
from hashpower.models.pivot import REFERENCE_LEASE_USD_PER_MW_YEAR  # noqa: E402
from hashpower.sim import backtest as B  # noqa: E402
from hashpower.sim import calibrate, engine  # noqa: E402
from hashpower.sim.history import snapshot_at  # noqa: E402
from hashpower.sim.scenario import get_preset  # noqa: E402

OUT = Path(__file__).parent / "results" / "backtest_speed.json"
TARGETS = {"backtest_s": 90.0, "outlook_s": 2.0}
PATHS, SEED, HORIZONS = 1000, 0, (3, 6, 12)
OUTLOOK_MONTHS, OUTLOOK_PATHS = 24, 2000
COLUMNS = {"hashrate_ehs": "hashrate_mean_ehs", "difficulty": "difficulty",
           "hashprice_usd_per_ph_day": "hashprice_usd_per_ph_day"}


def naive_backtest(origins: list[str], modes: list[str], preset: str) -> list[dict]:
    """The reference: every origin rebuilt from the store, one kernel call per horizon."""
    sc = get_preset(preset)
    k = engine.OUTPUTS.index
    cases = []
    for mode in modes:
        n_paths = min(PATHS, B.CONDITIONAL_PATHS) if mode == "conditional" else PATHS
        for origin in origins:
            h = FS.history()
            o = np.datetime64(origin, "D")
            snap = snapshot_at(h, o, reference_lease_usd_per_mw_year=REFERENCE_LEASE_USD_PER_MW_YEAR)
            model = calibrate.build(sc, snap)
            act = B.Actuals(h)
            i = h.index_of(o)
            for hz in HORIZONS:
                n = int((B.add_months(o, hz) - o).astype(int))
                kw = {}
                if mode == "conditional":
                    kw = {"price_path_usd": act.price_usd[i + 1:i + 1 + n],
                          "fee_path_btc_per_block": act.fees_btc_per_block[i + 1:i + 1 + n]}
                out = engine.simulate(model, n_paths, 1, SEED, ends=[n - 30, n], chunk_paths=n_paths, **kw)
                for name in B.SERIES:
                    x = out[:, 1, k(COLUMNS[name])]
                    y = act.at(name, i + n)
                    nv = act.naive(name, i, n)
                    q = np.percentile(x, (5, 25, 50, 75, 95))
                    ly = math.log(y)
                    cases.append({
                        "origin": origin, "horizon_months": hz, "series": name, "mode": mode, "actual": y,
                        **{f"p{p}": float(v) for p, v in zip((5, 25, 50, 75, 95), q, strict=True)},
                        "mean": float(x.mean()), "persistence": math.exp(nv["persistence"]),
                        "trend": math.exp(nv["trend"]), "err_log": abs(math.log(q[2]) - ly),
                        "err_log_persistence": abs(nv["persistence"] - ly), "err_log_trend": abs(nv["trend"] - ly),
                        "pit": float((x < y).mean() + 0.5 * (x == y).mean()),
                        "crps_log": B._crps_samples(np.log(np.maximum(x, 1e-300)), ly),
                        "crps_log_random_walk": B._crps_normal(nv["rw_mean"], nv["rw_sd"], ly)})
    return cases


def max_rel_diff(a: list[dict], b: list[dict]) -> float:
    """Largest relative difference between the numbers of two lists of cases (inf if they do not pair up)."""
    if len(a) != len(b):
        return math.inf
    worst = 0.0
    for ca, cb in zip(a, b, strict=True):
        if ca.keys() != cb.keys():
            return math.inf
        for key, va in ca.items():
            vb = cb[key]
            if isinstance(va, str) or isinstance(vb, str):
                if va != vb:
                    return math.inf
                continue
            if va != vb:
                worst = max(worst, abs(va - vb) / max(abs(va), abs(vb), 1e-300))
    return worst


def uncached_history_s() -> float:
    """One rebuild of the History from the store with every cache on the way cleared [s]."""
    series._history.cache_clear()
    series._concentration_cached.cache_clear()
    FS._history.cache_clear()
    t0 = time.perf_counter()
    FS.history()
    return time.perf_counter() - t0


def cold_outlook(env: dict[str, str], runs: int = 3) -> tuple[float, float]:
    """Median wall time of a process running the outlook, and of one only importing it [s]."""
    run = f"from hashpower.figures.outlook import outlook; outlook(months={OUTLOOK_MONTHS}, paths={OUTLOOK_PATHS})"
    out = []
    for code in (run, "import hashpower.figures.outlook"):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - t0)
        out.append(statistics.median(times))
    return out[0], out[1]


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="origins from 2023-01-01 only; nothing written")
    ap.add_argument("--json", action="store_true", help="print the JSON record instead of the table")
    a = ap.parse_args()
    start = "2023-01-01" if a.quick else None
    load0 = os.getloadavg()[0]

    t0 = time.perf_counter()
    FB.backtest(origin="2020-01-01", horizons=(3,), paths=16)  # store, history, kernel compile or cache
    warmup_s = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    res = FB.backtest(start=start, horizons=HORIZONS, paths=PATHS, seed=SEED, mode="both")
    fast_s, fast_cpu = time.perf_counter() - t0, time.process_time() - c0

    modes = list(B.MODES)
    t0, c0 = time.perf_counter(), time.process_time()
    ref_cases = naive_backtest(res["origins"], modes, res["preset"])
    ref_s, ref_cpu = time.perf_counter() - t0, time.process_time() - c0
    diff = max_rel_diff(res["cases"], ref_cases)
    rebuild_s = uncached_history_s()
    tasks = len(res["origins"]) * len(modes)

    FO.outlook(months=OUTLOOK_MONTHS, paths=OUTLOOK_PATHS)  # warm
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        FO.outlook(months=OUTLOOK_MONTHS, paths=OUTLOOK_PATHS)
        times.append(time.perf_counter() - t0)
    warm_s = statistics.median(times)
    cold_s, import_s = cold_outlook(dict(os.environ))

    rec = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"numba {numba.__version__} ({numba.get_num_threads()} threads)",
        "date": time.strftime("%Y-%m-%d"),
        "quick": a.quick,
        # other work on the machine inflates the wall times (the CPU seconds are reported beside them)
        "load_average_1min": {"start": round(load0, 2), "end": round(os.getloadavg()[0], 2)},
        "backtest": {
            "origins": len(res["origins"]), "first_origin": res["origins"][0], "last_origin": res["origins"][-1],
            "modes": modes, "horizons_months": list(HORIZONS), "paths": PATHS,
            "conditional_paths": min(PATHS, B.CONDITIONAL_PATHS), "cases": len(res["cases"]),
            "warmup_s": round(warmup_s, 3),
            "s": round(fast_s, 3), "cpu_s": round(fast_cpu, 3),
            "reference_s": round(ref_s, 3), "reference_cpu_s": round(ref_cpu, 3),
            "speedup_vs_reference": round(ref_s / fast_s, 2),
            "reference_same_cases_max_rel_diff": diff,
            "uncached_history_rebuild_s": round(rebuild_s, 3),
            # the reference if each of its origin x mode tasks also rebuilt the history uncached
            "reference_with_uncached_history_s_estimate": round(ref_s + tasks * rebuild_s, 3),
        },
        "outlook": {"months": OUTLOOK_MONTHS, "paths": OUTLOOK_PATHS, "warm_s_median_of_5": round(warm_s, 3),
                    "cold_process_s_median_of_3": round(cold_s, 3),
                    "reference_import_only_process_s_median_of_3": round(import_s, 3)},
        "targets": TARGETS,
        "meets": {"backtest_s": fast_s <= TARGETS["backtest_s"], "outlook_cold_s": cold_s <= TARGETS["outlook_s"],
                  "outlook_warm_s": warm_s <= TARGETS["outlook_s"]},
    }
    if not a.quick:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(rec, indent=2) + "\n")
    if a.json:
        print(json.dumps(rec))
    else:
        bt = rec["backtest"]
        rows = [
            ("workload", "measured", "reference", "target"),
            (f"backtest ({bt['origins']} origins x 2 modes, warm)", f"{bt['s']:.2f} s",
             f"{bt['reference_s']:.2f} s (loop)", f"<= {TARGETS['backtest_s']:g} s"),
            ("  same cases as the loop (max rel diff)", f"{diff:.1e}", "", "0"),
            ("  uncached history rebuild, per origin", f"{bt['uncached_history_rebuild_s']:.3f} s",
             f"{bt['reference_with_uncached_history_s_estimate']:.2f} s (loop)", ""),
            (f"outlook ({OUTLOOK_MONTHS} months, {OUTLOOK_PATHS} paths), warm", f"{warm_s:.3f} s", "",
             f"<= {TARGETS['outlook_s']:g} s"),
            ("outlook, cold process", f"{cold_s:.3f} s", f"{import_s:.3f} s (import only)",
             f"<= {TARGETS['outlook_s']:g} s"),
        ]
        w = [max(len(r[c]) for r in rows) for c in range(4)]
        for r in rows:
            print("  ".join(x.ljust(w[c]) for c, x in enumerate(r)).rstrip())
        if not a.quick:
            print(f"written {OUT}")
    return rec


if __name__ == "__main__":
    try:
        main()
    finally:
        if _OWN_HOME:
            shutil.rmtree(_OWN_HOME, ignore_errors=True)
