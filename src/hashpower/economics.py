"""Figures for the ``hashprice``, ``machines`` and ``fleet`` commands (and the API), as plain dicts.

This layer reads the store and calls the numeric core; every number it
returns is traced to a core function with its reference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from hashpower import chain, hashprice
from hashpower import machines as mc

#: Default power price [USD/kWh]: the reference price of the industry press's cost-rate
#: figures of February 2026 (F2Pool, via the press; see docs/economics.md).
DEFAULT_POWER_PRICE_USD_PER_KWH = 0.06


def _day(date: Any) -> dt.date:
    from hashpower import analytics

    return analytics.check_day(date)


def _positive(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    return v


def hashprice_figures(
    date: Any = None,
    *,
    price_usd: float | None = None,
    difficulty: float | None = None,
    hashrate_hs: float | None = None,
    fees_btc_per_block: float | None = None,
) -> dict[str, Any]:
    """Hashprice on a day, from the data or from the given price, difficulty or network hashrate.

    With ``hashrate_hs`` the hashprice follows from the hashrate (144 blocks a
    day shared pro rata), otherwise from the difficulty (Luxor's formula).
    Fees default to the day's mean fees per block; the subsidy is that of the
    next block after the day's last.
    """
    from hashpower import analytics

    day = _day(date)
    full = analytics.history()
    i = int(full.index.searchsorted(np.datetime64(day, "ns")))
    h = full.iloc[max(i - 6, 0): i + 1]
    row = h.iloc[-1]
    price = _positive("price_usd", price_usd) or float(row["price_usd"])
    if not np.isfinite(price):
        raise ValueError(f"there is no price for {day}; give price_usd")
    if fees_btc_per_block is None:
        fees = float(row["fees_btc"]) / float(row["blocks"]) if row["blocks"] else 0.0
    else:
        fees = float(fees_btc_per_block)
        if not np.isfinite(fees) or not 0 <= fees <= 21e6:
            raise ValueError(f"fees_btc_per_block must be a number in [0, 21e6] BTC, got {fees_btc_per_block!r}")
    subsidy = int(chain.subsidy_sat(int(row["height_end"]) + 1)) / chain.SAT_PER_BTC
    spacing = chain.TARGET_SPACING_S
    if hashrate_hs is not None:
        hs = _positive("hashrate", hashrate_hs)
        btc_th = float(hashprice.btc_per_th_day_from_hashrate(hs / 1e12, subsidy, fees))
        diff = _positive("difficulty", difficulty) or hs * spacing / 2**32
        method, hashrate_ehs = "hashrate", hs / 1e18
    else:
        diff = _positive("difficulty", difficulty) or float(row["difficulty"])
        btc_th = float(hashprice.btc_per_th_day(diff, subsidy, fees))
        method = "difficulty"
        if difficulty is not None:
            hashrate_ehs = diff * 2**32 / spacing / 1e18
        else:
            hashrate_ehs = float(h["hashrate_ths"].mean()) / 1e6
    usd_th = btc_th * price
    if not np.isfinite(usd_th) or usd_th <= 0:
        raise ValueError("the inputs give a hashprice too large or too small to represent; "
                         "check price, difficulty and fees")
    return {
        "date": day.isoformat(),
        "method": method,
        "price_usd": price,
        "difficulty": diff,
        "hashrate_ehs": hashrate_ehs,
        "subsidy_btc": subsidy,
        "fees_btc_per_block": fees,
        "usd_per_th_day": usd_th,
        "usd_per_ph_day": usd_th * 1e3,
        "btc_per_th_day": btc_th,
        "btc_per_ph_day": btc_th * 1e3,
    }


def machine_figures(
    date: Any = None,
    *,
    power_price_usd_per_kwh: float = DEFAULT_POWER_PRICE_USD_PER_KWH,
    price_usd: float | None = None,
    difficulty: float | None = None,
    hashprice_usd_per_th_day: float | None = None,
    pue: float = 1.0,
    pool_fee_rate: float = 0.0,
    hosting_fee_usd_per_kwh: float = 0.0,
    uptime: float = 1.0,
    capex_usd_per_th: float | None = None,
    difficulty_growth_rate_per_month: float = 0.0,
    machines_csv: str | Path | None = None,
    generation: str | None = None,
    all_models: bool = False,
) -> dict[str, Any]:
    """Unit economics of every catalog model released by ``date``, at a power price."""
    hp = hashprice_figures(date, price_usd=price_usd, difficulty=difficulty)
    hp_th = _positive("hashprice_usd_per_th_day", hashprice_usd_per_th_day) or hp["usd_per_th_day"]
    if generation is not None and generation not in mc.GENERATIONS:
        raise ValueError(f"generation must be one of {', '.join(mc.GENERATIONS)}, got {generation!r}")
    if capex_usd_per_th is not None and (not np.isfinite(capex_usd_per_th) or capex_usd_per_th < 0):
        raise ValueError(f"capex_usd_per_th must be a number >= 0, got {capex_usd_per_th!r}")
    if not np.isfinite(difficulty_growth_rate_per_month) or difficulty_growth_rate_per_month <= -1:
        raise ValueError(f"difficulty_growth_rate_per_month must be > -1, got {difficulty_growth_rate_per_month!r}")
    cat = mc.catalog(machines_csv)
    keep = np.ones(len(cat), dtype=bool)
    if not all_models:
        keep &= cat.release_date <= np.datetime64(hp["date"], "D")
    if generation:
        keep &= cat.generation == generation
    idx = np.flatnonzero(keep)
    eff, ths, w = cat.efficiency_j_per_th[idx], cat.hashrate_ths[idx], cat.power_w[idx]
    terms = {"pue": pue, "pool_fee_rate": pool_fee_rate, "hosting_fee_usd_per_kwh": hosting_fee_usd_per_kwh}
    rate = mc.cost_rate(eff, power_price_usd_per_kwh, hp_th, **terms)
    revenue = mc.revenue_usd_per_day(ths, hp_th, uptime=uptime, pool_fee_rate=pool_fee_rate)
    cost = mc.power_cost_usd_per_day(w, power_price_usd_per_kwh, pue=pue, uptime=uptime,
                                     hosting_fee_usd_per_kwh=hosting_fee_usd_per_kwh)
    margin = revenue - cost
    be_price = mc.breakeven_power_price(eff, hp_th, **terms)
    be_hp = mc.breakeven_hashprice(eff, power_price_usd_per_kwh, **terms)
    shutdown = mc.shutdown_price_usd(hp["price_usd"], rate) * (hp_th / hp["usd_per_th_day"])
    payback = (mc.payback_months(capex_usd_per_th * ths, margin, revenue,
                                 difficulty_growth_rate_per_month=difficulty_growth_rate_per_month)
               if capex_usd_per_th is not None else None)
    rows = []
    for j, i in enumerate(idx):
        r = {
            "model": str(cat.model[i]), "manufacturer": str(cat.manufacturer[i]),
            "generation": str(cat.generation[i]), "release": str(cat.release[i]), "cooling": str(cat.cooling[i]),
            "hashrate_ths": float(ths[j]), "power_w": float(w[j]), "efficiency_j_per_th": float(eff[j]),
            "revenue_usd_per_day": float(revenue[j]), "power_cost_usd_per_day": float(cost[j]),
            "cost_rate": float(rate[j]), "margin_usd_per_day": float(margin[j]),
            "breakeven_power_price_usd_per_kwh": float(be_price[j]),
            "breakeven_hashprice_usd_per_ph_day": float(be_hp[j]) * 1e3,
            "shutdown_price_usd": float(shutdown[j]),
        }
        if payback is not None:
            p = float(payback[j])
            r["payback_months"] = p if np.isfinite(p) else "never"
        rows.append(r)
    summary = {}
    for gname in mc.GENERATIONS:
        sel = [r for r in rows if r["generation"] == gname]
        if sel:
            summary[gname] = {"models": len(sel), "median_cost_rate": float(np.median([r["cost_rate"] for r in sel])),
                              "min_cost_rate": min(r["cost_rate"] for r in sel),
                              "max_cost_rate": max(r["cost_rate"] for r in sel)}
    return {
        "date": hp["date"],
        "price_usd": hp["price_usd"],
        "difficulty": hp["difficulty"],
        "hashprice_usd_per_ph_day": hp_th * 1e3,
        "power_price_usd_per_kwh": float(power_price_usd_per_kwh),
        "pue": pue, "pool_fee_rate": pool_fee_rate, "hosting_fee_usd_per_kwh": hosting_fee_usd_per_kwh,
        "uptime": uptime,
        "generations": summary,
        "machines": rows,
    }


def fleet_figures(path: str | Path, start: Any = None, end: Any = None,
                  csv_path: str | Path | None = None) -> dict[str, Any]:
    """Daily P&L of a fleet over a span of the history; optionally write it as CSV (day x site)."""
    from hashpower import fleet as fl

    f = fl.load(path)
    from hashpower import analytics

    full = analytics.history()
    last = full.index[-1].date()
    s = analytics.check_day(start, "from") if start is not None else last - dt.timedelta(days=364)
    e = analytics.check_day(end, "to") if end is not None else last
    if s > e:
        raise ValueError(f"from {s} is after to {e}")
    h = full.loc[str(s): str(e)]
    hp = hashprice.history_usd_per_th_day(h["difficulty"], h["price_usd"], h["subsidy_btc"], h["fees_btc"],
                                          h["blocks"])
    hp = np.nan_to_num(hp, nan=0.0)
    res = fl.daily_pnl(f, hp)
    days = [d.date().isoformat() for d in h.index]
    if csv_path is not None:
        import pandas as pd

        frames = []
        for k, name in enumerate(res.site_names):
            frames.append(pd.DataFrame({
                "date": days, "site": name, "hashprice_usd_per_th_day": hp,
                "revenue_usd": res.revenue_usd[:, k], "power_cost_usd": res.power_cost_usd[:, k],
                "hosting_cost_usd": res.hosting_cost_usd[:, k], "profit_usd": res.profit_usd[:, k],
                "curtailed_unit_days": res.curtailed_unit_days[:, k],
            }))
        pd.concat(frames).sort_values(["date", "site"]).to_csv(csv_path, index=False)
    sites = [{
        "site": name, "revenue_usd": float(res.revenue_usd[:, k].sum()),
        "power_cost_usd": float(res.power_cost_usd[:, k].sum()),
        "hosting_cost_usd": float(res.hosting_cost_usd[:, k].sum()),
        "profit_usd": float(res.profit_usd[:, k].sum()),
        "curtailed_unit_days": float(res.curtailed_unit_days[:, k].sum()),
    } for k, name in enumerate(res.site_names)]
    return {
        "from": days[0], "to": days[-1], "days": len(days), "units": f.units,
        "revenue_usd": float(res.revenue_usd.sum()), "power_cost_usd": float(res.power_cost_usd.sum()),
        "hosting_cost_usd": float(res.hosting_cost_usd.sum()), "profit_usd": float(res.profit_usd.sum()),
        "curtailed_unit_days": float(res.curtailed_unit_days.sum()),
        "sites": sites,
        "csv": str(csv_path) if csv_path is not None else None,
    }
