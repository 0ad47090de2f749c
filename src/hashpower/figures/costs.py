"""Figures of ``hashpower costs``: the cost to mine one bitcoin, per site, for the fleet and for the network.

The formulas and the default cost terms are in :mod:`hashpower.models.costs`; a site's running hours,
power and hosting cost come from :func:`hashpower.models.fleet.daily_pnl` (with its curtailment); the
network power is the CBECI bounds of :func:`hashpower.figures.series.series`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.figures.series import DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH
from hashpower.models import costs as mcost
from hashpower.models import fleet as fl
from hashpower.models.checks import number
from hashpower.models.machines import generation

__all__ = ["BOUNDS", "MAX_POWER_PRICE_USD_PER_KWH", "PARTS", "costs_figures", "fleet_costs", "network_cost_series"]

#: Highest power price accepted [USD/kWh]: the bound of a fleet file's prices.
MAX_POWER_PRICE_USD_PER_KWH = 10.0
#: The CBECI bounds of the network power.
BOUNDS = ("lower", "best", "upper")
#: The parts of a site's daily cost, in the order they add up (cash after opex, fully loaded last).
PARTS = ("electricity", "pool_fee", "hosting", "opex", "machine_depreciation", "facility_depreciation", "interest",
         "cash", "fully_loaded")
_LEVELS = ("electricity", "cash", "fully_loaded")
#: The parts unknown when a machine has no purchase price.
_NEEDS_CAPEX = ("machine_depreciation", "interest", "fully_loaded")
_BTC_MINED = ("BTC mined counts only the running hours: with curtailment a unit runs in the hours where the day's "
              "hashprice covers its power and hosting cost (models.fleet.daily_pnl); uptime scales the BTC and the "
              "power alike; the pool fee is a cost, so btc_mined is before it")
_METHOD = ("network power [kW] (the CBECI bound, PUE included) x 24 h x power price / BTC issued that day "
           "(subsidy + fees); CCAF's cost of minting without the PUE is this divided by 1.01 / 1.10 / 1.20")


def _power_price(value: Any) -> tuple[float, str]:
    """The network's power price [USD/kWh] and where it comes from; ``ValueError`` naming it."""
    if value is None:
        return DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH, "default: CBECI's 0.05 USD/kWh, as hashpower network"
    bad = ValueError(f"power_price_usd_per_kwh (--power-price) must be a number > 0 and <= "
                     f"{MAX_POWER_PRICE_USD_PER_KWH:g} USD/kWh, got {value!r}")
    if isinstance(value, bool):
        raise bad
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise bad from None
    if not math.isfinite(p) or not 0 < p <= MAX_POWER_PRICE_USD_PER_KWH:
        raise bad
    return p, "given"


def _load(fleet: Any) -> fl.Fleet | None:
    if fleet is None:
        return None
    from hashpower.figures.fleet import read_fleet

    return read_fleet(fleet)


def _f(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def network_cost_series(power_price_usd_per_kwh: Any = None, start: Any = None, end: Any = None):
    """The network's electricity cost of one bitcoin on every day of the history, at the three CBECI bounds.

    Parameters
    ----------
    power_price_usd_per_kwh : float, optional
        Power price [USD/kWh], > 0 and <= 10; default CBECI's 0.05
        (:data:`hashpower.figures.series.DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH`). It sets the
        profitability threshold of the power bounds as well as the bill.
    start, end : date or str, optional
        First and last day (default: the whole history).

    Returns
    -------
    pandas.DataFrame
        Indexed by day (``date``, a DatetimeIndex): ``price_usd``, ``subsidy_btc``, ``fees_btc``,
        ``btc_issued``, ``fees_estimated`` (the day's fees are the store's estimate),
        ``power_gw_<bound>``, ``electricity_usd_per_btc_<bound>`` for each bound of :data:`BOUNDS`
        (NaN on a day without blocks) and ``power_price_usd_per_kwh``.
    """
    import pandas as pd

    p, _ = _power_price(power_price_usd_per_kwh)
    s = series.series(p)
    h = s["history"]
    first = series.check_day(start, "start") if start is not None else h.index[0].date()
    last = series.check_day(end, "end") if end is not None else h.index[-1].date()
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    btc = (h["subsidy_btc"].to_numpy(float) + np.nan_to_num(h["fees_btc"].to_numpy(float)))
    cols: dict[str, Any] = {
        "price_usd": h["price_usd"].to_numpy(float),
        "subsidy_btc": h["subsidy_btc"].to_numpy(float),
        "fees_btc": h["fees_btc"].to_numpy(float),
        "btc_issued": btc,
        "fees_estimated": h["fees_estimated"].to_numpy(bool),
    }
    for b in BOUNDS:
        w = s["power_w"][b]
        known = np.isfinite(w)  # no power on a day without a hashrate: no cost either
        cols[f"power_gw_{b}"] = w / 1e9
        cols[f"electricity_usd_per_btc_{b}"] = np.where(
            known, mcost.network_electricity_usd_per_btc(np.where(known, w, 0.0), p, btc), np.nan)
    cols["power_price_usd_per_kwh"] = np.full(len(h), p)
    df = pd.DataFrame(cols, index=pd.DatetimeIndex(h.index, name="date"))
    return df.loc[str(first): str(last)]


def _network(s: dict[str, Any], i: int, p: float, source: str, price_usd: float | None) -> dict[str, Any]:
    h = s["history"]
    subsidy, fees = float(h["subsidy_btc"].iloc[i]), float(h["fees_btc"].iloc[i])
    btc = subsidy + (fees if math.isfinite(fees) else 0.0)
    power_w = {b: float(s["power_w"][b][i]) for b in BOUNDS}
    usd_day = {b: power_w[b] / 1000.0 * 24.0 * p for b in BOUNDS}
    per = {b: _f(mcost.network_electricity_usd_per_btc(power_w[b], p, btc)) if math.isfinite(power_w[b]) else None
           for b in BOUNDS}
    margin = {b: (None if per[b] is None or not price_usd else 1.0 - per[b] / price_usd) for b in BOUNDS}
    estimated = bool(h["fees_estimated"].iloc[i])
    return {
        "power_price_usd_per_kwh": p,
        "power_price_from": source,
        "power_gw": {b: power_w[b] / 1e9 for b in BOUNDS},
        "electricity_usd_per_day": usd_day,
        "subsidy_btc": subsidy, "fees_btc": fees, "btc_issued": btc,
        "fees_estimated": estimated,
        "fees_note": ("the day's fees are estimated: blocks x the median fees per block of the 30 days with fee data "
                      "before it" if estimated else None),
        "electricity_usd_per_btc": per,
        "margin_rate": margin,
        "reason": None if btc > 0 else "no BTC was issued that day (no block, or only the genesis block)",
        "method": _METHOD,
    }


def _tariff_of_day(site: fl.Site, day: dt.date | None) -> tuple[fl.Site, str]:
    """The site with the 24 prices it pays on ``day``, and what they are."""
    if site.hourly is None:
        return site, "flat price" if site.flat else "24-hour tariff"
    hp = site.hourly
    k = int((np.datetime64(day, "h") - hp.start.astype("datetime64[h]")).astype(np.int64)) if day else -1
    if day is not None and 0 <= k <= hp.usd_per_kwh.size - fl.HOURS:
        return dataclasses.replace(site, tariff_usd_per_kwh=hp.usd_per_kwh[k:k + fl.HOURS].copy()), \
            f"the day's hourly prices ({hp.source})"
    if day is None:
        return site, f"the mean by UTC hour of the hourly prices ({hp.source})"
    last = (hp.start + hp.usd_per_kwh.size - 1).astype("datetime64[D]")
    return site, (f"the mean by UTC hour of the hourly prices ({hp.source}; {day} is outside "
                  f"{hp.start.astype('datetime64[D]')} .. {last})")


def _machine_capex(f: fl.Fleet, rows: np.ndarray) -> tuple[float, list[dict[str, Any]], list[str]]:
    """Total machine capital of a site's groups [USD], the record of each group, and the models without a price."""
    from hashpower.store.catalog import asic_prices

    prices = asic_prices()
    given = f.group_capex_usd if f.group_capex_usd.size == f.group_count.size else np.full(f.group_count.size, np.nan)
    total, recs, missing = 0.0, [], []
    for g in rows:
        n, ths, w = int(f.group_count[g]), float(f.group_hashrate_ths[g]), float(f.group_power_w[g])
        model = str(f.group_model[g])
        if math.isfinite(float(given[g])):
            unit, where, src = float(given[g]), "file", "capex_usd or usd_per_th of the fleet file"
        else:
            tier = str(np.asarray(generation(w / ths)).reshape(-1)[0]) if ths > 0 and w > 0 else None
            row = prices.get(tier) if tier else None
            if row is None:
                unit, where, src = None, "missing", "no price in the fleet file and no ASIC price tier for this model"
                missing.append(model)
            else:
                unit, where = row["usd_per_th"] * ths, "default"
                src = f"data/asic_prices.csv, tier {tier!r}: ${row['usd_per_th']:g}/TH ({row['source']})"
        if unit is not None:
            total += unit * n
        recs.append({"model": model, "count": n, "capex_usd_per_unit": unit, "from": where, "source": src})
    return total, recs, missing


def _per_btc_block(parts: dict[str, float], btc: float, price_usd: float, reason: str | None,
                   fully_reason: str | None) -> dict[str, Any]:
    """The per-BTC figures, margins and reasons of a site or the fleet from its daily parts [USD]."""
    per = {k: (_f(parts[k] / btc) if btc > 0 else None) for k in PARTS}
    out: dict[str, Any] = {f"{k}_usd_per_btc": per[k] for k in _LEVELS}
    out["usd_per_btc"] = per
    out["margin_usd_per_btc"] = {k: (None if per[k] is None else price_usd - per[k]) for k in _LEVELS}
    out["margin_rate"] = {k: (None if per[k] is None else 1.0 - per[k] / price_usd) for k in _LEVELS}
    out["reason"] = reason
    out["fully_loaded_reason"] = fully_reason
    return out


def fleet_costs(fleet: fl.Fleet, hashprice_usd_per_th_day: float, price_usd: float,
                day: dt.date | None = None) -> dict[str, Any]:
    """The cost to mine one bitcoin of every site and of the fleet, on a day of given hashprice and price.

    Parameters
    ----------
    fleet : Fleet
        Sites and machines (:func:`hashpower.store.files.load_fleet`).
    hashprice_usd_per_th_day : float
        The day's hashprice [USD/(TH/s)/day], >= 0.
    price_usd : float
        The day's bitcoin price [USD/BTC], > 0.
    day : date, optional
        The day, to take a site's hourly prices of that day (else their mean by UTC hour).

    Returns
    -------
    dict
        ``sites`` (one dict per site) and ``fleet`` (the totals), each with ``btc_mined`` (before the
        pool fee, running hours only), ``usd_per_day`` and ``usd_per_btc`` by part (:data:`PARTS`), the
        three levels ``electricity_usd_per_btc``, ``cash_usd_per_btc``, ``fully_loaded_usd_per_btc``
        (None with ``reason`` when nothing is mined; the fully loaded one None with
        ``fully_loaded_reason`` when a machine has no price), ``margin_usd_per_btc`` and ``margin_rate``
        against the price; a site also has its ``assumptions`` (each cost term's value, and whether it
        is from the file or a default).
    """
    hp = float(number("hashprice_usd_per_th_day", hashprice_usd_per_th_day))
    px = float(number("price_usd", price_usd, strict=True))
    sites, tariffs = [], []
    for s in fleet.sites:
        s2, what = _tariff_of_day(s, day)
        sites.append(s2)
        tariffs.append(what)
    res = fl.daily_pnl(dataclasses.replace(fleet, sites=tuple(sites)), np.array([hp]))
    out_sites, totals, btc_total, missing_all = [], dict.fromkeys(PARTS, 0.0), 0.0, []
    for k, s in enumerate(fleet.sites):
        rows = np.flatnonzero(fleet.group_site == k)
        units = int(fleet.group_count[rows].sum())
        mw = float((fleet.group_count[rows] * fleet.group_power_w[rows]).sum()) / 1e6
        keep = 1.0 - s.pool_fee_rate
        btc = float(res.revenue_usd[0, k]) / (keep * px) if keep > 0 else 0.0
        capex, machines, missing = _machine_capex(fleet, rows)
        missing_all += missing
        terms = {key: (s.costs.get(key) if s.costs.get(key) is not None else mcost.DEFAULTS[key])
                 for key in fl.COST_KEYS}
        c = mcost.cost_to_mine(btc, px, float(res.power_cost_usd[0, k]), pool_fee_rate=s.pool_fee_rate,
                               hosting_cost_usd=float(res.hosting_cost_usd[0, k]), capacity_mw=mw,
                               machine_capex_usd=capex, **terms)
        parts = {p: float(c[f"{p}_usd"]) for p in PARTS}
        if missing:  # the capital is not known in full: neither are its depreciation, interest and the total
            parts.update(dict.fromkeys(_NEEDS_CAPEX, math.nan))
        for p in PARTS:
            totals[p] += parts[p]
        btc_total += btc
        curtailed = float(res.curtailed_unit_days[0, k])
        reason = None
        if btc <= 0 and units == 0:
            reason = "no machines"
        elif btc <= 0 and curtailed >= units - 1e-9:
            reason = (f"every unit curtailed: at a hashprice of ${hp:.4f}/TH/day no hour's power price is below the "
                      f"machines' breakeven")
        elif btc <= 0:
            reason = "the machines earn nothing that day (uptime or hashprice is 0)"
        fully_reason = (f"no purchase price for {', '.join(sorted(set(missing)))}: give capex_usd or usd_per_th"
                        if missing else None)
        assumptions: dict[str, Any] = {
            key: {"value": terms[key], "from": "file" if s.costs.get(key) is not None else "default",
                  "source": "the fleet file" if s.costs.get(key) is not None else mcost.SOURCES[key]}
            for key in fl.COST_KEYS}
        assumptions["machines"] = machines
        out_sites.append({
            "name": s.name, "units": units, "capacity_mw": mw,
            "hashrate_phs": float((fleet.group_count[rows] * fleet.group_hashrate_ths[rows]).sum()) / 1000.0,
            "tariff": tariffs[k], "curtail": s.curtail,
            "btc_mined": btc, "btc_received": btc * keep,
            "running_share": (1.0 - curtailed / units) if units else None,
            "curtailed_unit_days": curtailed,
            "machine_capex_usd": capex if not missing else None,
            "usd_per_day": parts,
            **_per_btc_block(parts, btc, px, reason, fully_reason),
            "assumptions": assumptions,
        })
    fleet_reason = None if btc_total > 0 else "no site mines that day"
    fleet_fully = (f"no purchase price for {', '.join(sorted(set(missing_all)))}: give capex_usd or usd_per_th"
                   if missing_all else None)
    total = {"units": fleet.units, "btc_mined": btc_total,
             "capacity_mw": float(sum(x["capacity_mw"] for x in out_sites)),
             "usd_per_day": totals, **_per_btc_block(totals, btc_total, px, fleet_reason, fleet_fully)}
    return {"sites": out_sites, "fleet": total}


def costs_figures(fleet: Any = None, date: Any = None, power_price_usd_per_kwh: Any = None, *,
                  csv_path: str | Path | None = None) -> dict[str, Any]:
    """The cost to mine one bitcoin on a day: per site and for the fleet (with a fleet), and for the network.

    Parameters
    ----------
    fleet : path, dict or Fleet, optional
        A fleet TOML file (:mod:`hashpower.models.fleet`), a parsed fleet document (embedded
        prices only) or a :class:`~hashpower.models.fleet.Fleet`. Without one, only the network part
        (``sites`` is ``[]``, ``fleet`` is None).
    date : date or str, optional
        The day (default: the store's latest).
    power_price_usd_per_kwh : float or str, optional
        The network's power price [USD/kWh], > 0 and <= 10; default CBECI's 0.05, the default of
        ``hashpower network``. The sites pay their own prices.
    csv_path : path, optional
        Write the network's daily series (:func:`network_cost_series`) to this CSV.

    Returns
    -------
    dict
        ``date``, ``price_usd``, ``hashprice_usd_per_th_day``, ``network`` (power price, power,
        ``electricity_usd_per_btc`` at the lower / best / upper bound, BTC issued and whether the day's
        fees are estimated), ``sites`` and ``fleet`` (:func:`fleet_costs`), ``assumptions`` (the
        defaults and conventions used) and ``csv`` (the path written, or None).

    Notes
    -----
    ``csv_path`` writes the network's daily series over the whole history (:func:`network_cost_series`)
    once every input has been checked.
    """
    p, source = _power_price(power_price_usd_per_kwh)
    f = _load(fleet)
    day = series.check_day(date)
    s = series.series(p)
    i = int(np.searchsorted(s["dates"].values, np.datetime64(day, "ns")))
    price = _f(s["history"]["price_usd"].iloc[i])
    hp = _f(s["hashprice_usd_per_th_day"][i])
    out: dict[str, Any] = {
        "date": day.isoformat(), "price_usd": price, "hashprice_usd_per_th_day": hp,
        "network": _network(s, i, p, source, price),
        "sites": [], "fleet": None,
    }
    if f is not None:
        if price is None or price <= 0 or hp is None:
            first = s["history"]["price_usd"].first_valid_index()
            raise ValueError(f"date {day} has no bitcoin price (the price data starts "
                             f"{first.date() if first is not None else 'nowhere'}); a fleet's costs need one")
        out.update(fleet_costs(f, hp, price, day))
    out["assumptions"] = {
        "btc_mined": _BTC_MINED,
        "depreciation": "straight line to zero over the life, every calendar day, curtailed or not",
        "interest_basis": mcost.INTEREST_BASIS,
        "interest_note": "interest on the average outstanding balance: half the machine and facility capital",
        "capacity": "a site's MW is its machines' power (count x watts), the base of opex and facility capital",
        "curtailment_credits": "not netted: a demand-response credit is revenue, not a lower cost",
        "defaults": {k: {"value": mcost.DEFAULTS[k], "source": mcost.SOURCES[k]} for k in fl.COST_KEYS},
    }
    out["csv"] = None
    if csv_path is not None:
        df = network_cost_series(p)
        df.index = df.index.strftime("%Y-%m-%d")
        df.to_csv(csv_path, index_label="date")
        out["csv"] = str(csv_path)
    return out
