"""Figures of ``hashpower fleet plan``: the hourly run/curtail plan of a fleet beside running always on.

The model is :mod:`hashpower.models.plan`; the fleet file is read by
:func:`hashpower.store.files.load_fleet` and hourly prices by :mod:`hashpower.store.prices`.

The span is whole UTC days from ``start`` (00:00 UTC) for ``days`` days. Each site's price in each
hour: its flat price or 24-hour tariff (by UTC hour) every day, or its hourly prices (the fleet's
``hourly_prices``, or a file given for every site: ``prices``; the site's
``price_adder_usd_per_kwh`` is added to either), which must then cover every hour of the span. The
hashprice of each UTC day: the store's history (the day's USD per TH/s per day, with the estimated
fees of the days without fee data); after the store's last day, the median (p50) of the outlook's
mean hashprice of the day's month (:func:`hashpower.figures.outlook.outlook`: 2,000 paths, seed 0,
the baseline preset). ``hashprice_source`` says which.

Defaults: a fleet with hourly prices plans the last whole UTC calendar year the prices of every such
site cover (2024 for the embedded ERCOT prices), else all the whole days they cover (at most
:data:`MAX_DAYS`); with ``start`` given, :data:`DEFAULT_DAYS` days, cut at the end of the prices.
A fleet of flat prices and tariffs plans :data:`DEFAULT_DAYS` days from the day after the store's
last day (on the outlook's hashprice).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.models import fleet as fl
from hashpower.models import hashprice as hpm
from hashpower.models import plan as pm

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "MAX_GROUP_HOURS", "OUTLOOK_PATHS", "OUTLOOK_SEED", "plan_figures"]

#: Days planned when not given [d]: a year.
DEFAULT_DAYS = 365
#: Longest plan [d]: three years (the embedded ERCOT prices' length).
MAX_DAYS = 1096
#: Largest plan [group-hours]: machine groups x hours; bounds memory (about 8 bytes per group-hour per
#: array) and the hourly CSV (one row per group-hour).
MAX_GROUP_HOURS = 5_000_000
#: The outlook behind the hashprice after the store's last day: its default paths and seed
#: (:func:`hashpower.figures.outlook.outlook`).
OUTLOOK_PATHS, OUTLOOK_SEED = 2000, 0
H = 24


def _day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--{name} must be a day YYYY-MM-DD, got {value!r}") from None


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= MAX_DAYS:
        raise ValueError(f"--days must be a whole number of days in [1, {MAX_DAYS:,}], got {value!r}")
    return int(value)


def _iso(hour: np.datetime64) -> str:
    return str(np.datetime64(hour, "h")) + ":00Z"


def _hours_of(hp: fl.HourlyPrices) -> tuple[np.datetime64, np.datetime64]:
    """First hour and the hour after the last."""
    return hp.start, hp.start + hp.usd_per_kwh.size


def _site_prices(f: fl.Fleet, override: fl.HourlyPrices | None) -> list[tuple[str, fl.HourlyPrices | None]]:
    """Per site: (price_source, hourly prices with the adder or None for a flat price or tariff)."""
    out = []
    for s in f.sites:
        if override is not None:
            hp = fl.HourlyPrices(override.start, override.usd_per_kwh + s.price_adder_usd_per_kwh, override.source)
        else:
            hp = s.hourly
            if hp is None and s.hourly_prices_ref is not None:
                raise ValueError(f"site {s.name!r}: its hourly prices {s.hourly_prices_ref!r} are not read "
                                 "(read the fleet with hashpower.store.files.load_fleet)")
        if hp is not None:
            add = f" + {s.price_adder_usd_per_kwh:g} USD/kWh adder" if s.price_adder_usd_per_kwh else ""
            out.append((f"hourly: {hp.source}{add}", hp))
        elif s.flat:
            out.append((f"flat {float(s.tariff_usd_per_kwh[0]):g} USD/kWh", None))
        else:
            out.append((f"24-hour tariff by UTC hour (mean {float(np.mean(s.tariff_usd_per_kwh)):.4f} USD/kWh)", None))
    return out


def _span(hourly: list[tuple[str, fl.HourlyPrices]], start: Any, days: Any, last: dt.date) -> tuple[dt.date, int]:
    if not hourly:
        s = _day(start, "from") if start is not None else last + dt.timedelta(days=1)
        return s, DEFAULT_DAYS if days is None else _days(days)
    lo = max(_hours_of(hp)[0] for _, hp in hourly)
    hi = min(_hours_of(hp)[1] for _, hp in hourly)
    first = (lo + H - 1).astype("datetime64[D]").astype(object)  # the first whole UTC day
    end = hi.astype("datetime64[D]").astype(object)  # the day after the last whole day
    if start is None and days is None:
        year = end.year - 1
        if dt.date(year, 1, 1) >= first:
            return dt.date(year, 1, 1), (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        n = min((end - first).days, MAX_DAYS)
        if n < 1:
            raise ValueError(f"the hourly prices ({hourly[0][0]}) cover no whole UTC day together "
                             f"({_iso(lo)} .. {_iso(hi - 1)})")
        return end - dt.timedelta(days=n), n
    if start is None:
        n = _days(days)
        return end - dt.timedelta(days=n), n
    s = _day(start, "from")
    return s, _days(days) if days is not None else max(1, min(DEFAULT_DAYS, (end - s).days))


def _hashprice(first: dt.date, days: int) -> tuple[np.ndarray, dict[str, Any]]:
    """The hashprice of each day [USD/(TH/s)/day] and where it came from."""
    h = series.history()
    h0, last = h.index[0].date(), h.index[-1].date()
    end = first + dt.timedelta(days=days - 1)
    if first < h0:
        raise ValueError(f"--from {first} is before the store's first day {h0}")
    out = np.empty(days)
    n_hist = max(0, min(days, (last - first).days + 1))
    info: dict[str, Any] = {"hashprice_days_history": n_hist, "hashprice_days_outlook": days - n_hist,
                            "hashprice_fees_estimated_days": 0}
    parts = []
    if n_hist:
        w = h.loc[str(first): str(first + dt.timedelta(days=n_hist - 1))]
        hp = hpm.history_usd_per_th_day(w["difficulty"], w["price_usd"], w["subsidy_btc"], w["fees_btc"],
                                        w["blocks"])
        if not np.all(np.isfinite(hp)):
            bad = w.index[int(np.argmin(np.isfinite(hp)))].date()
            raise ValueError(f"--from: the store has no hashprice on {bad} (no price or no block that day); "
                             f"choose a later --from")
        out[:n_hist] = hp
        est = int(w["fees_estimated"].to_numpy(bool).sum())
        info["hashprice_fees_estimated_days"] = est
        parts.append(f"the store's daily history ({first} .. {first + dt.timedelta(days=n_hist - 1)}"
                     + (f"; {est} days with estimated fees" if est else "") + ")")
    if n_hist < days:
        from hashpower.figures.outlook import outlook
        from hashpower.sim.outlook import MAX_MONTHS, month_ends

        offset = (end - last).days
        months = next((m for m in range(1, MAX_MONTHS + 1) if month_ends(last, m)[1][-1] >= offset), None)
        if months is None:
            raise ValueError(f"--from {first} --days {days} ends {end}, past the outlook's {MAX_MONTHS} months after "
                             f"the store's last day {last}; choose an earlier --from or fewer --days")
        o = outlook(months=months, paths=OUTLOOK_PATHS, seed=OUTLOOK_SEED)
        ends = np.array([(dt.date.fromisoformat(r["end_date"]) - last).days for r in o["months"]])
        p50 = np.array([r["hashprice_usd_per_ph_day"]["p50"] for r in o["months"]]) / 1000.0
        k = np.arange(n_hist, days) + (first - last).days  # days after the store's last day
        out[n_hist:] = p50[np.searchsorted(ends, k)]
        a = max(first, last + dt.timedelta(days=1))
        parts.append(f"the outlook's median monthly hashprice ({a} .. {end}; {OUTLOOK_PATHS:,} paths, seed "
                     f"{OUTLOOK_SEED}, preset {o['preset']}, from the store's last day {last})")
    info["hashprice_source"] = ", then ".join(parts)
    return out, info


def _spells(on: np.ndarray, h0: np.datetime64) -> list[dict[str, Any]]:
    cut = np.flatnonzero(np.diff(on.astype(np.int8))) + 1
    starts = np.r_[0, cut]
    ends = np.r_[cut, on.size]
    return [{"from": _iso(h0 + int(a)), "to": _iso(h0 + int(b)), "on": bool(on[a]), "hours": int(b - a)}
            for a, b in zip(starts, ends, strict=True)]


def _group_sums(p: pm.Plan, price_by_group: np.ndarray) -> dict[str, np.ndarray]:
    """Each group's sums over the hours: energy [MWh], money [USD], price x energy [USD], hours off [h]."""
    e, ae = p.energy_mwh, p.always_on_energy_mwh
    return {"energy_mwh": e.sum(axis=1), "revenue_usd": p.revenue_usd.sum(axis=1),
            "power_cost_usd": p.power_cost_usd.sum(axis=1), "credit_usd": p.credit_usd.sum(axis=1),
            "paid": (e * price_by_group).sum(axis=1) * 1000.0, "hours_off": (~p.on).sum(axis=1),
            "a_energy_mwh": ae.sum(axis=1), "a_revenue_usd": p.always_on_revenue_usd.sum(axis=1),
            "a_power_cost_usd": p.always_on_power_cost_usd.sum(axis=1),
            "a_paid": (ae * price_by_group).sum(axis=1) * 1000.0, "count": p.count}


def _money(rows: np.ndarray, gs: dict[str, np.ndarray]) -> dict[str, Any]:
    """The sums over the groups ``rows``; ``hours_curtailed`` is unit-weighted."""
    t = {k: float(v[rows].sum()) for k, v in gs.items() if k not in ("count", "hours_off")}
    units = int(gs["count"][rows].sum())
    unit_hours = float((gs["count"][rows] * gs["hours_off"][rows]).sum())
    margin = t["revenue_usd"] - t["power_cost_usd"] + t["credit_usd"]
    a_margin = t["a_revenue_usd"] - t["a_power_cost_usd"]
    return {
        "units": units, "unit_hours_curtailed": unit_hours,
        "hours_curtailed": unit_hours / units if units else 0.0,
        "energy_mwh": t["energy_mwh"], "revenue_usd": t["revenue_usd"], "power_cost_usd": t["power_cost_usd"],
        "credit_usd": t["credit_usd"], "margin_usd": margin,
        "power_price_paid_usd_per_kwh": t["paid"] / (t["energy_mwh"] * 1000.0) if t["energy_mwh"] > 0 else None,
        "always_on": {"energy_mwh": t["a_energy_mwh"], "revenue_usd": t["a_revenue_usd"],
                      "power_cost_usd": t["a_power_cost_usd"], "credit_usd": 0.0, "margin_usd": a_margin,
                      "power_price_paid_usd_per_kwh": (t["a_paid"] / (t["a_energy_mwh"] * 1000.0)
                                                       if t["a_energy_mwh"] > 0 else None)},
        "savings_usd": margin - a_margin,
    }


def plan_figures(fleet: str | Path | fl.Fleet, prices: str | Path | None = None, start: Any = None,
                 days: Any = None, csv_path: str | Path | None = None) -> dict[str, Any]:
    """The hourly run/curtail plan of a fleet over whole UTC days, beside always on (the defaults: module notes).

    Parameters
    ----------
    fleet : path or Fleet
        A fleet TOML file (:func:`hashpower.store.files.load_fleet`) or a parsed fleet.
    prices : path or str, optional
        Hourly prices for every site, overriding their own: a CSV (relative to the working folder) or
        "ercot:HB_WEST" / "ercot:LZ_WEST" (:func:`hashpower.store.prices.resolve`).
    start : date or str YYYY-MM-DD, optional
        The first UTC day.
    days : int, optional
        Days planned, in [1, 1096].
    csv_path : path, optional
        Write the hourly schedule there: one row per hour and machine group.

    Returns
    -------
    dict
        ``from``, ``to`` (UTC days), ``hours``, ``hashprice_source``, ``sites`` (each with its money,
        ``always_on``, ``savings_usd``, its ``models`` with their ``spells``), ``total``. Money in USD,
        energy in MWh; ``hours_curtailed`` of a model is the hours its group is off, of a site or
        the fleet the unit-weighted mean of its groups' (``unit_hours_curtailed`` / ``units``).
    """
    from hashpower.figures.fleet import read_fleet
    from hashpower.store import prices as store_prices

    f = read_fleet(fleet)
    override = None
    if prices is not None:
        try:
            override = store_prices.resolve(str(prices), Path.cwd())
        except ValueError as exc:
            raise ValueError(f"--prices: {exc}") from None
    site_prices = _site_prices(f, override)
    last = series.history().index[-1].date()
    first, n_days = _span([(src, hp) for (src, hp) in site_prices if hp is not None], start, days, last)
    n = n_days * H
    groups = len(f.group_count)
    if groups * n > MAX_GROUP_HOURS:
        raise ValueError(f"the plan has {groups:,} machine groups x {n:,} hours; the limit is "
                         f"{MAX_GROUP_HOURS:,} group-hours: plan fewer --days")
    h0 = np.datetime64(first, "h")
    price = np.empty((len(f.sites), n))
    for i, (s, (_, hp)) in enumerate(zip(f.sites, site_prices, strict=True)):
        if hp is None:
            price[i] = np.tile(s.tariff_usd_per_kwh, n_days)
            continue
        a, b = _hours_of(hp)
        if h0 < a or h0 + n > b:
            ha, hb = (a + H - 1).astype("datetime64[D]"), b.astype("datetime64[D]") - 1
            raise ValueError(f"site {s.name!r}: its hourly prices ({hp.source}) cover {_iso(a)} .. {_iso(b - 1)}; "
                             f"the plan {first} .. {first + dt.timedelta(days=n_days - 1)} needs every hour of its "
                             f"days: choose --from and --days within the whole UTC days {ha} .. {hb}")
        k = int((h0 - a).astype(np.int64))
        price[i] = hp.usd_per_kwh[k:k + n]
    hp_day, info = _hashprice(first, n_days)
    hp_hour = np.repeat(hp_day, H)
    p = pm.plan(f, price, hp_hour)
    site_of = f.group_site
    gs = _group_sums(p, price[site_of])
    sites = []
    for i, s in enumerate(f.sites):
        rows = np.flatnonzero(site_of == i)
        models = []
        for g in rows:
            r = _money(np.array([g]), gs)
            r["hours_curtailed"] = float(gs["hours_off"][g])  # the group's: its units move together
            models.append({"model": str(f.group_model[g]), **r, "spells": _spells(p.on[g], h0)})
        sites.append({"name": s.name, "price_source": site_prices[i][0],
                      "price_mean_usd_per_kwh": float(price[i].mean()), "curtail": s.curtail,
                      "min_run_hours": s.min_run_hours, "min_off_hours": s.min_off_hours,
                      "curtailment_credit_usd_per_mwh": s.curtailment_credit_usd_per_mwh,
                      **_money(rows, gs), "models": models})
    if csv_path is not None:
        _write_csv(csv_path, f, p, price, hp_hour, h0)
    return {
        "from": first.isoformat(), "to": (first + dt.timedelta(days=n_days - 1)).isoformat(), "days": n_days,
        "hours": n, "units": f.units, "groups": groups,
        **info, "hashprice_mean_usd_per_ph_day": float(hp_day.mean() * 1000.0),
        "prices": override.source if override is not None else None,
        "sites": sites, "total": _money(np.arange(groups), gs),
        "csv": str(csv_path) if csv_path is not None else None,
        "method": ("each machine group on or off as a whole in each UTC hour, maximising revenue - power cost "
                   "(hosting included) + curtailment credit; exact (hour by hour, or a dynamic programme with "
                   "minimum spells); docs/plan.md"),
    }


def _write_csv(path: str | Path, f: fl.Fleet, p: pm.Plan, price: np.ndarray, hp_hour: np.ndarray,
               h0: np.datetime64) -> None:
    import pandas as pd

    g, n = p.on.shape
    hours = (h0 + np.arange(n)).astype("datetime64[h]")
    site_names = np.array([s.name for s in f.sites], dtype=object)
    df = pd.DataFrame({
        "hour_utc": np.tile(np.char.add(hours.astype(str), ":00Z"), g),
        "site": np.repeat(site_names[f.group_site], n), "model": np.repeat(f.group_model, n),
        "units": np.repeat(p.count, n), "units_on": p.units_on.ravel(),
        "price_usd_per_kwh": price[f.group_site].ravel(), "hashprice_usd_per_th_day": np.tile(hp_hour, g),
        "energy_mwh": p.energy_mwh.ravel(), "revenue_usd": p.revenue_usd.ravel(),
        "power_cost_usd": p.power_cost_usd.ravel(), "credit_usd": p.credit_usd.ravel(),
        "margin_usd": p.margin_usd.ravel(),
    })
    try:
        df.sort_values(["hour_utc", "site"], kind="stable").to_csv(path, index=False)
    except OSError as exc:
        raise ValueError(f"--csv {path}: cannot write: {exc.strerror or type(exc).__name__}") from None
