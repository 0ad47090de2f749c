"""The briefing: the state of Bitcoin mining on one day, as a plain dict.

It composes the figures of every capability (hashprice, machines, the index,
the network, security, the AI pivot and the scenarios); each number comes
from a function that names its method and reference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from hashpower import store
from hashpower.figures import series
from hashpower.figures.data import freshness
from hashpower.figures.hashprice import DEFAULT_POWER_PRICE_USD_PER_KWH, hashprice_figures
from hashpower.figures.index import index_figures
from hashpower.figures.machines import machine_figures
from hashpower.figures.network import network_figures
from hashpower.figures.notable import notable_block
from hashpower.figures.security import security_figures
from hashpower.models import machines as mc
from hashpower.models import network
from hashpower.models import pivot as pv
from hashpower.store.catalog import catalog, lease_table

#: Scenario runs in the briefing: paths and years per preset (bounded so the briefing stays fast).
BRIEF_SIM_PATHS, BRIEF_SIM_YEARS, BRIEF_SIM_SEED = 300, 5, 20260201


def latest_figures(date: Any = None) -> dict[str, Any]:
    """Date, price, 7-day mean hashrate, difficulty and hashprice (the briefing's headline)."""
    hp = hashprice_figures(date)
    s = series.series()
    i = int(np.searchsorted(s["dates"].values, np.datetime64(hp["date"], "ns")))
    return {
        "date": hp["date"],
        "price_usd": hp["price_usd"],
        "hashrate_ehs_7d": float(s["hashrate_7d"][0][i]) / 1e18,
        "difficulty": hp["difficulty"],
        "subsidy_btc": hp["subsidy_btc"],
        "fees_btc_per_block": hp["fees_btc_per_block"],
        "hashprice": {k: hp[k] for k in ("usd_per_th_day", "usd_per_ph_day", "btc_per_ph_day", "sat_per_th_day")},
    }


def hashprice_context(day: dt.date) -> dict[str, Any]:
    """The day's hashprice (7-day mean) against its history: record low to date, the lowest since, what is notable.

    ``lowest_since`` is kept as it was; ``notable`` applies the 30-day rule (:mod:`hashpower.figures.notable`).
    """
    s = series.series()
    hp = np.asarray(s["hashprice_usd_per_th_day"]) * 1e3
    valid = np.isfinite(hp)
    hp7 = np.full(hp.shape, np.nan)
    idx = np.flatnonzero(valid)
    c = np.concatenate([[0.0], np.cumsum(hp[idx])])
    hp7[idx[6:]] = (c[7:] - c[:-7]) / 7
    i = int(np.searchsorted(s["dates"].values, np.datetime64(day, "ns")))
    ls = network.lowest_since(hp7[: i + 1])[-1]
    prior = hp7[:i]
    record = float(np.nanmin(prior)) if np.isfinite(prior).any() else None
    return {
        "usd_per_ph_day_7d": float(hp7[i]),
        "record_low_before_usd_per_ph_day": record,
        "record_low_date": s["dates"][int(np.nanargmin(prior))].date().isoformat() if record is not None else None,
        "is_record_low": bool(record is not None and hp7[i] <= record),
        "lowest_since": s["dates"][int(ls)].date().isoformat() if ls >= 0 else None,
        "notable": notable_block(hp7[: i + 1], s["dates"], change="rate"),
    }


def _pivot_per_mw(hp_usd_per_th_day: float, power_price: float) -> dict[str, Any]:
    cat = catalog()
    leases = [r["usd_per_mw_year"] for r in lease_table()]
    ratio = pv.Site().it_to_grid_ratio
    out: dict[str, Any] = {"mining_usd_per_mw_year": {}, "mining_margin_usd_per_mw_year": {}}
    for g in mc.GENERATIONS:
        e = float(np.median(cat.efficiency_j_per_th[cat.generation == g]))
        rev = float(pv.energy_value_usd_per_mwh(hp_usd_per_th_day, e)) * 8766
        out["mining_usd_per_mw_year"][g] = rev
        out["mining_margin_usd_per_mw_year"][g] = rev - power_price * 1000 * 8766
    out["ai_usd_per_mw_year_of_grid"] = {
        "low": min(leases) * ratio,
        "median": float(np.median(leases)) * ratio,
        "high": max(leases) * ratio,
    }
    out["it_to_grid_ratio"] = ratio
    return out


def scenario_medians(years: int = BRIEF_SIM_YEARS, paths: int = BRIEF_SIM_PATHS) -> dict[str, Any]:
    """The median of each preset's outcomes ``years`` out (seeded, bounded runs of the simulator)."""
    from hashpower.figures.simulate import PRESETS, run

    out = {}
    for preset in PRESETS:
        r = run(preset, paths=paths, years=years, seed=BRIEF_SIM_SEED)
        out[preset] = {
            k: r[k]["p50"][-1]
            for k in ("hashrate_ehs", "security_budget_usd_per_day", "attack_cost_hardware_usd")
            if k in r
        }
        for k in ("hashprice_usd_per_ph_day", "hhi", "ai_converted_share"):
            if k in r:
                out[preset][k] = r[k]["p50"][-1]
        out[preset]["fan"] = {k: r[k] for k in ("hashrate_ehs", "security_budget_usd_per_day") if k in r}
    return {"years": years, "paths": paths, "seed": BRIEF_SIM_SEED, "presets": out,
            "engine": "the calibrated scenario engine of hashpower simulate, outlook and backtest (docs/backtest.md)"}


def brief_figures(
    date: Any = None, power_price_usd_per_kwh: float = DEFAULT_POWER_PRICE_USD_PER_KWH, scenarios: bool = True
) -> dict[str, Any]:
    """Every figure of the briefing for one day (default: the latest in the store)."""
    if not np.isfinite(power_price_usd_per_kwh) or power_price_usd_per_kwh <= 0:
        raise ValueError(f"power_price_usd_per_kwh must be > 0, got {power_price_usd_per_kwh!r}")
    day = series.check_day(date)
    hp = hashprice_figures(day)
    hp["history"] = hashprice_context(day)
    m = machine_figures(day, power_price_usd_per_kwh=power_price_usd_per_kwh)
    machines = {
        "power_price_usd_per_kwh": power_price_usd_per_kwh,
        "hashprice_usd_per_ph_day": m["hashprice_usd_per_ph_day"],
        "generations": m["generations"],
        "models": sorted(
            (
                {
                    k: r[k]
                    for k in (
                        "model",
                        "generation",
                        "efficiency_j_per_th",
                        "cost_rate",
                        "breakeven_power_price_usd_per_kwh",
                    )
                }
                for r in m["machines"]
                if r["generation"] != "obsolete"
            ),
            key=lambda r: r["efficiency_j_per_th"],
        ),
    }
    net = network_figures(day)
    idx = index_figures(day)
    _, last_block_day = series.block_day_range()
    sec_day = min(day, last_block_day)
    sec = security_figures(sec_day)
    security = {
        k: sec[k]
        for k in (
            "date",
            "security_budget_usd_per_day",
            "security_budget_share_of_market_cap_per_year",
            "fee_share",
            "attack_cost",
            "hhi",
            "nakamoto_coefficient",
        )
    }
    security["note"] = None if sec_day == day else f"pool data ends {last_block_day}; security is for that day"
    out = {
        "date": day.isoformat(),
        "hashprice": hp,
        "machines": machines,
        "network": net,
        "index": idx,
        "security": security,
        "pivot": _pivot_per_mw(hp["usd_per_th_day"], power_price_usd_per_kwh),
        "scenarios": scenario_medians() if scenarios else None,
        "freshness": freshness(),
        "data": {
            "last_date": store.date_range()[1].isoformat(),
            "attribution": "Source: Coin Metrics Community Data (coinmetrics.io), CC BY-NC 4.0",
        },
    }
    return out
