"""Figures of ``hashpower machines`` (and ``/v1/machines``): every ASIC's cost rate, margin, breakevens, payback.

The model is :mod:`hashpower.models.machines`; the catalog is :func:`hashpower.store.catalog.catalog`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures.hashprice import DEFAULT_POWER_PRICE_USD_PER_KWH, _positive, hashprice_figures
from hashpower.models import machines as mc
from hashpower.store.catalog import catalog

#: The orders of ``machines --sort``: name -> (row key, descending).
SORTS: dict[str, tuple[str, bool]] = {
    "efficiency": ("efficiency_j_per_th", False), "cost-rate": ("cost_rate", False),
    "margin": ("margin_usd_per_day", True), "breakeven": ("breakeven_power_price_usd_per_kwh", True),
    "hashrate": ("hashrate_ths", True), "release": ("release", True), "name": ("model", False),
}


def _select(rows: list[dict[str, Any]], model: str | None, sort: str | None, top: int | None) -> list[dict[str, Any]]:
    if model is not None:
        key = str(model).strip().lower()
        exact = [r for r in rows if r["model"].lower() == key]
        picked = exact or [r for r in rows if key in r["model"].lower()]
        if not picked:
            import difflib

            close = difflib.get_close_matches(str(model), [r["model"] for r in rows], n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"--model {model!r}: no model of the catalog (released by the day) has it in its "
                             f"name{hint}")
        rows = picked
    if sort is None and top is None:
        return rows  # the catalog's order, as the JSON has always given it
    k, desc = SORTS[sort or "efficiency"]
    rows = sorted(rows, key=lambda r: (r[k], r["model"]), reverse=desc)
    return rows[:top] if top is not None else rows


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
    tariff: Any = None,
    tariff_base: str | Path | None = None,
    model: str | None = None,
    sort: str | None = None,
    top: int | None = None,
) -> dict[str, Any]:
    """Unit economics of every catalog model released by ``date``, at a power price.

    ``tariff`` adds each model's day under an hourly tariff, curtailed in its hours at a loss
    (:func:`hashpower.models.plan.tariff_economics`): 24 prices [USD/kWh] by UTC hour (a list or the
    text "0.03,0.03,..."), "ercot:HB_WEST" / "ercot:LZ_WEST", or a file of hourly prices
    (:func:`hashpower.store.prices.read_csv`) relative to ``tariff_base`` (None refuses files). Of a
    series of hours, the last 365 whole UTC days are used (all of them when fewer), at the day's hashprice.

    ``model`` keeps the models whose name contains it (case-insensitive; an exact name keeps that one
    only), ``sort`` orders them (:data:`SORTS`; default: by efficiency, best first) and ``top`` keeps the
    first N of that order. The generation summary is of every model, before this selection.
    """
    if sort is not None and sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    if model is not None and not str(model).strip():
        raise ValueError("model must be a name or a part of one, got an empty text")
    hp = hashprice_figures(date, price_usd=price_usd, difficulty=difficulty)
    hp_th = _positive("hashprice_usd_per_th_day", hashprice_usd_per_th_day) or hp["usd_per_th_day"]
    if generation is not None and generation not in mc.GENERATIONS:
        raise ValueError(f"generation must be one of {', '.join(mc.GENERATIONS)}, got {generation!r}")
    if capex_usd_per_th is not None and (not np.isfinite(capex_usd_per_th) or capex_usd_per_th < 0):
        raise ValueError(f"capex_usd_per_th must be a number >= 0, got {capex_usd_per_th!r}")
    if not np.isfinite(difficulty_growth_rate_per_month) or difficulty_growth_rate_per_month <= -1:
        raise ValueError(f"difficulty_growth_rate_per_month must be > -1, got {difficulty_growth_rate_per_month!r}")
    cat = catalog(machines_csv)
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
    tariff_info, under = None, None
    if tariff is not None:
        from hashpower.models.plan import tariff_economics

        hours, tariff_info = _tariff(tariff, tariff_base)
        under = tariff_economics(ths, w, hp_th, hours, pue=pue, pool_fee_rate=pool_fee_rate,
                                 hosting_fee_usd_per_kwh=hosting_fee_usd_per_kwh, uptime=uptime)
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
        if under is not None:
            r.update({f"tariff_{k}": float(v[j]) for k, v in under.items()})
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
        "machines": _select(rows, model, sort, top),
        "models_total": len(rows),
        "selection": {"model": model, "sort": sort or "efficiency", "top": top},
        **({"difficulty_growth_rate_per_month": float(difficulty_growth_rate_per_month),
            "payback_note": ("payback at the hashprice of the day shrinking by the given difficulty growth each month "
                             "(a deterministic what-if, default 0); for the engine's view of difficulty month by "
                             "month see hashpower outlook (not run here: the engine's cold start takes seconds)")}
           if capex_usd_per_th is not None else {}),
        **({"tariff": tariff_info} if tariff_info is not None else {}),
    }


#: Days of an hourly price series used by ``tariff`` [d]: the last year.
TARIFF_DAYS = 365


def _tariff(tariff: Any, base: str | Path | None) -> tuple[np.ndarray, dict[str, Any]]:
    """The tariff's hours [USD/kWh] and what they are."""
    from hashpower.models.fleet import HOURS

    shape = None
    if isinstance(tariff, list | tuple | np.ndarray):
        shape = list(tariff)
    elif isinstance(tariff, str) and not tariff.strip().lower().startswith("ercot:"):
        parts = tariff.split(",")
        try:
            shape = [float(x) for x in parts]
        except ValueError:
            shape = None if len(parts) == 1 else parts
    if shape is not None:
        try:
            a = np.array(shape, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"--tariff must be {HOURS} prices in USD/kWh separated by commas, got {tariff!r}") \
                from None
        if a.shape != (HOURS,) or not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 10):
            raise ValueError(f"--tariff must be {HOURS} prices in [0, 10] USD/kWh (hour 0 = 00:00-01:00 UTC), got "
                             f"{a.size} value{'s' if a.size != 1 else ''}" + ("" if a.size != HOURS else
                                                                            " with one out of range"))
        return a, {"source": "24-hour shape by UTC hour", "hours": HOURS, "from": None, "to": None,
                   "mean_usd_per_kwh": float(a.mean()), "note": "the 24 prices of every day, at the day's hashprice"}
    from hashpower.store import prices

    try:
        hp = prices.resolve(str(tariff), Path(base) if base is not None else None)
    except ValueError as exc:
        raise ValueError(f"--tariff: {exc}") from None
    first = int((hp.start.astype(np.int64) + HOURS - 1) // HOURS)  # the first whole UTC day
    end = int((hp.start.astype(np.int64) + hp.usd_per_kwh.size) // HOURS)  # the day after the last whole one
    if end <= first:
        raise ValueError(f"--tariff: the hourly prices ({hp.source}) cover no whole UTC day")
    d0 = max(first, end - TARIFF_DAYS)
    k = d0 * HOURS - int(hp.start.astype(np.int64))
    a = np.asarray(hp.usd_per_kwh[k:k + (end - d0) * HOURS], dtype=float)
    return a, {"source": hp.source, "hours": int(a.size), "from": str(np.datetime64(d0, "D")),
               "to": str(np.datetime64(end - 1, "D")), "mean_usd_per_kwh": float(a.mean()),
               "note": f"the last {end - d0} whole UTC days of the hourly prices (at most {TARIFF_DAYS}), at the "
                       f"day's hashprice in every hour"}
