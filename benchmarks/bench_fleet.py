"""Fleet benchmarks, each workload beside its reference in one run (results: benchmarks/results/bench_fleet.json).

Sections (one function each, one key each in the results; ``main`` runs them all, or those named):

- ``plan``: the hourly run/curtail plan (:func:`hashpower.models.plan.plan`) of a year (UTC 2024, 8,784 h)
  for 10 sites with 3 models each on the embedded ERCOT prices (5 on HB_WEST, 5 on LZ_WEST, each with
  its adder and terms), once hour by hour and once with minimum spells (2 .. 8 h on, 1 .. 6 h off) and
  a curtailment credit, beside a plain Python loop over groups, hours and states that computes the
  same optimum. Target: <= 1 s for each case; the loop's value equal to 1e-9.

- ``forward``: the forward P&L (:func:`hashpower.figures.fleet.fleet_figures` with ``forward_months=24``,
  the outlook's 2,000 paths, engine run included, warm) of 10,000 units on 10 sites (4 flat, 3 on a
  24-hour tariff, 3 on ERCOT hourly prices; 3 models each, every group with a price, two hedges),
  beside the engine run alone (:func:`hashpower.figures.outlook.month_paths`), and the P&L part
  (:func:`hashpower.models.forward.fleet_pnl`) beside a plain Python loop over paths, months and
  groups that computes the same margins. Target: <= 2 s for the whole; the loop equal to 1e-9.

    python benchmarks/bench_fleet.py [plan forward ...]
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

os.environ.setdefault("HASHPOWER_HOME", tempfile.mkdtemp(prefix="hashpower-bench-fleet-"))

from hashpower.figures import series  # noqa: E402
from hashpower.figures.fleet_plan import plan_figures  # noqa: E402
from hashpower.models import fleet as fl  # noqa: E402
from hashpower.models import hashprice  # noqa: E402
from hashpower.models import plan as pm  # noqa: E402
from hashpower.store.catalog import catalog  # noqa: E402
from hashpower.store.files import with_hourly_prices  # noqa: E402

OUT = Path(__file__).parent / "results" / "bench_fleet.json"
MODELS = ("Antminer S21", "Antminer S19j Pro 100T", "Whatsminer M30S++")
TARGET_S = 1.0


def best_of(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fleet(spells: bool) -> fl.Fleet:
    rng = np.random.default_rng(2024)
    sites = []
    for k in range(10):
        s = {"name": f"site-{k}", "hourly_prices": "ercot:HB_WEST" if k % 2 == 0 else "ercot:LZ_WEST",
             "price_adder_usd_per_kwh": round(float(rng.uniform(0.0, 0.015)), 4),
             "pue": round(float(rng.uniform(1.02, 1.15)), 3), "pool_fee_rate": 0.02,
             "uptime": round(float(rng.uniform(0.95, 1.0)), 3),
             "machines": [{"model": m, "count": int(rng.integers(50, 2000))} for m in MODELS]}
        if spells:
            s |= {"min_run_hours": int(rng.integers(2, 9)), "min_off_hours": int(rng.integers(1, 7)),
                  "curtailment_credit_usd_per_mwh": round(float(rng.uniform(0, 15)), 2)}
        sites.append(s)
    return with_hourly_prices(fl.parse({"site": sites}, catalog(), "bench"), None, "bench")


def _inputs(f: fl.Fleet) -> tuple[np.ndarray, np.ndarray]:
    h = series.history().loc["2024-01-01":"2024-12-31"]
    hp = hashprice.history_usd_per_th_day(h["difficulty"], h["price_usd"], h["subsidy_btc"], h["fees_btc"],
                                          h["blocks"])
    h0 = np.datetime64("2024-01-01T00", "h")
    price = np.stack([s.hourly.usd_per_kwh[int((h0 - s.hourly.start).astype(int)):][:8784] for s in f.sites])
    return price, np.repeat(hp, 24)


def loop_optimum(f: fl.Fleet, price: np.ndarray, hp: np.ndarray) -> float:
    """The best margin of every group by a plain loop: hour by hour, or over (on/off, spell so far) states."""
    total = 0.0
    for g in range(len(f.group_count)):
        s = f.sites[int(f.group_site[g])]
        kwh = float(f.group_power_w[g]) * s.pue * s.uptime / 1000
        rate = float(f.group_hashrate_ths[g]) * s.uptime * (1 - s.pool_fee_rate) / 24
        credit = s.curtailment_credit_usd_per_mwh / 1000 * kwh
        p = price[int(f.group_site[g])].tolist()
        on_v = [rate * x - kwh * (q + s.hosting_fee_usd_per_kwh) for x, q in zip(hp.tolist(), p, strict=True)]
        run, off = s.min_run_hours, s.min_off_hours
        if run == off == 1:
            best = sum(v if v > credit else credit for v in on_v)
        else:
            state = {(True, run): on_v[0], (False, off): credit}
            for v in on_v[1:]:
                new: dict = {}
                for (on, k), val in state.items():
                    cap = run if on else off
                    moves = [((on, min(k + 1, cap)), val + (v if on else credit))]
                    if k == cap:
                        moves.append(((not on, 1), val + (credit if on else v)))
                    for st, x in moves:
                        if x > new.get(st, -np.inf):
                            new[st] = x
                state = new
            best = max(state.values())
        total += best * int(f.group_count[g])
    return total


def plan_section() -> dict:
    out = {}
    for name, spells in (("hour_by_hour", False), ("min_spells_and_credit", True)):
        f = _fleet(spells)
        price, hp = _inputs(f)
        vec = best_of(lambda f=f, price=price, hp=hp: pm.plan(f, price, hp), 5)
        p = pm.plan(f, price, hp)
        ours = float(p.margin_usd.sum())
        t0 = time.perf_counter()
        ref = loop_optimum(f, price, hp)
        loop_s = time.perf_counter() - t0
        assert abs(ours - ref) <= 1e-9 * abs(ref), (name, ours, ref)
        out[name] = {"sites": len(f.sites), "groups": len(f.group_count), "units": f.units, "hours": int(hp.size),
                     "min_run_off_h": " ".join(f"{s.min_run_hours}/{s.min_off_hours}" for s in f.sites),
                     "vectorised_s": round(vec, 4), "python_loop_s": round(loop_s, 2),
                     "speedup": round(loop_s / vec, 1), "margin_usd": round(ours, 2),
                     "loop_margin_usd": round(ref, 2), "hours_off_group_hours": int((~p.on).sum()),
                     "target_s": TARGET_S, "met": vec <= TARGET_S}
    example = Path(__file__).parents[1] / "examples" / "fleet-ercot.toml"
    out["plan_figures_example_fleet_s"] = round(best_of(lambda: plan_figures(example), 3), 4)
    return out


def _forward_fleet() -> fl.Fleet:
    rng = np.random.default_rng(10_000)
    counts = rng.multinomial(10_000 - 30, np.full(30, 1 / 30)) + 1  # 10,000 units over 30 groups
    shape = [0.03 + 0.02 * (7 <= h < 22) for h in range(24)]
    sites = []
    for k in range(10):
        s = {"name": f"site-{k}", "pue": 1.05, "pool_fee_rate": 0.02, "uptime": 0.97,
             "machines": [{"model": m, "count": int(counts[3 * k + j]), "usd_per_th": 12.0 + 2 * j}
                          for j, m in enumerate(MODELS)]}
        if k < 4:
            s["power_price_usd_per_kwh"] = round(0.035 + 0.005 * k, 3)
        elif k < 7:
            s["tariff_usd_per_kwh"] = shape
        else:
            s |= {"hourly_prices": "ercot:HB_WEST", "price_adder_usd_per_kwh": 0.01}
        sites.append(s)
    hedges = [{"side": "sell", "quantity_phs": 200.0, "strike_usd_per_ph_day": 40.0, "tenor_months": 6},
              {"side": "buy", "quantity_phs": 50.0, "strike_usd_per_ph_day": 45.0, "tenor_months": 12}]
    return with_hourly_prices(fl.parse({"site": sites, "hedge": hedges}, catalog(), "bench"), None, "bench")


def _loop_margin(f: fl.Fleet, hp: np.ndarray, days: np.ndarray, tables: list[list[np.ndarray]]) -> float:
    """The fleet's total margin over paths and months by plain loops (hour table by hour table)."""
    total = 0.0
    for g in range(len(f.group_count)):
        s = f.sites[int(f.group_site[g])]
        kw = float(f.group_power_w[g]) * s.pue * s.uptime / 1000
        n = int(f.group_count[g])
        for m in range(hp.shape[1]):
            table = tables[int(f.group_site[g])][m].tolist()
            for p in range(hp.shape[0]):
                rev = float(hp[p, m]) / 1000 * float(f.group_hashrate_ths[g]) * s.uptime * (1 - s.pool_fee_rate)
                be = rev / 24 / kw
                on = [x for x in table if x + s.hosting_fee_usd_per_kwh < be] if s.curtail else table
                cost = 24 * kw * (sum(on) + len(on) * s.hosting_fee_usd_per_kwh) / len(table)
                day = rev * len(on) / len(table) - cost
                total += n * day * float(days[m])
    return total


def forward_section() -> dict:
    from hashpower.figures.fleet import fleet_figures
    from hashpower.figures.outlook import month_paths
    from hashpower.models import forward as fw

    f = _forward_fleet()
    fleet_figures(f, forward_months=24)  # warm: numba's kernel, the history, the calibration
    whole = best_of(lambda: fleet_figures(f, forward_months=24), 3)
    engine = best_of(lambda: month_paths(24), 3)
    rows = month_paths(24)
    hp = rows["outputs"][:, :, list(rows["columns"]).index("hashprice_usd_per_ph_day")]
    days, months = rows["days"], rows["months"]
    pnl = best_of(lambda: fw.fleet_pnl(f, hp, days, months), 3)
    _, out = fw.fleet_pnl(f, hp, days, months)
    ours = float((out["revenue_usd"] - out["power_cost_usd"] - out["hosting_cost_usd"]).sum())
    tables = [fw.price_tables(s, months)[0] for s in f.sites]
    n = 200  # the loop on the first 200 paths (it is linear in the paths), scaled to all for the side by side
    t0 = time.perf_counter()
    ref = _loop_margin(f, hp[:n], days, tables)
    loop_s = (time.perf_counter() - t0) * hp.shape[0] / n
    _, sub = fw.fleet_pnl(f, hp[:n], days, months)
    ours_n = float((sub["revenue_usd"] - sub["power_cost_usd"] - sub["hosting_cost_usd"]).sum())
    assert abs(ours_n - ref) <= 1e-9 * abs(ref), (ours_n, ref)
    return {"units": f.units, "sites": len(f.sites), "groups": len(f.group_count), "months": 24,
            "paths": int(hp.shape[0]), "whole_s": round(whole, 3), "engine_alone_s": round(engine, 3),
            "pnl_vectorised_s": round(pnl, 4), "pnl_python_loop_s": round(loop_s, 2),
            "pnl_loop_measured_on_paths": n, "speedup": round(loop_s / pnl, 1),
            "fleet_margin_usd_all_paths_sum": round(ours, 2), "target_s": 2.0, "met": whole <= 2.0}


SECTIONS = {"plan": plan_section, "forward": forward_section}


def main(names: list[str] | None = None) -> dict:
    chosen = names or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    res = json.loads(OUT.read_text()) if OUT.exists() else {}
    res |= {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "date": time.strftime("%Y-%m-%d")}
    for n in chosen:
        res[n] = SECTIONS[n]()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    json.dump(res, sys.stdout, indent=2)
    print()
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
