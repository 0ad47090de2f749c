"""The fleet's P&L ahead on simulated monthly hashprice paths: per path, month and machine model.

Numbers in, numbers out. The inputs are a fleet (:class:`hashpower.models.fleet.Fleet`), the mean
hashprice of each month on each path [USD/(PH/s)/day] and the days of each month;
:func:`hashpower.figures.fleet.fleet_figures` takes them from the calibrated outlook. The work is
vectorised over paths x months x machine models; the only Python loops run over sites, a site's
distinct price tables and the hedges.

A month is its days at the month's mean hashprice, and a unit runs in the hours of the site's price
table where it earns more than it costs: the rule of :func:`hashpower.models.fleet.daily_pnl`, on
the month's table instead of the day's. The machine groups of one model at one site are merged
(:func:`pairs`): their units have the same economics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models import fleet as fl

__all__ = ["IRR_MONTHLY_MAX", "IRR_MONTHLY_MIN", "QUANTILES", "Pairs", "fair_strikes", "first_month_at_or_above",
           "fleet_pnl", "hedge_months", "hedge_payoff", "irr_per_year", "npv", "pairs", "payback_months",
           "price_tables", "quantiles", "site_pnl"]

#: Percentiles of every reported distribution [%].
QUANTILES = (5, 50, 95)
#: Bracket of the monthly IRR searched [decimal per month]: -99 % to +10,000 % a month (an assumption
#: wide enough for any machine; a rate outside it is reported as no IRR).
IRR_MONTHLY_MIN, IRR_MONTHLY_MAX = -0.99, 100.0
#: Bisection steps of the IRR: the bracket of 1/(1 + rate) shrinks to below 1e-16 of its width.
_IRR_STEPS = 60
HOURS = fl.HOURS
_KEYS = ("revenue_usd", "power_cost_usd", "hosting_cost_usd", "curtailed_unit_days", "cost_rate_always")


@dataclass(frozen=True)
class Pairs:
    """The machine groups merged by (site, model), in the order of their first group: arrays of shape (pairs,).

    ``capex_usd`` is the total purchase price of the ``capex_units`` units whose groups give one
    (``Fleet.group_capex_usd`` not NaN) [USD]; 0 with 0 units when none does.
    """

    site: np.ndarray  # index into Fleet.sites
    model: np.ndarray  # model names
    units: np.ndarray  # units
    hashrate_ths: np.ndarray  # per unit [TH/s]
    power_w: np.ndarray  # per unit [W]
    capex_units: np.ndarray  # units with a purchase price
    capex_usd: np.ndarray  # their total price [USD]


def pairs(fleet: fl.Fleet) -> Pairs:
    """The fleet's (site, model) pairs with their units, unit specs and purchase prices."""
    keys: dict[tuple[int, str], int] = {}
    for g, (s, m) in enumerate(zip(fleet.group_site.tolist(), fleet.group_model.tolist(), strict=True)):
        keys.setdefault((int(s), str(m)), g)
    first = np.array(list(keys.values()), dtype=np.int64)
    k_of = {key: i for i, key in enumerate(keys)}
    idx = np.array([k_of[(int(s), str(m))] for s, m in zip(fleet.group_site.tolist(), fleet.group_model.tolist(),
                                                             strict=True)], dtype=np.int64)
    n = fleet.group_count.astype(np.int64)
    capex = fleet.group_capex_usd if fleet.group_capex_usd.size == n.size else np.full(n.size, np.nan)
    has = ~np.isnan(capex)
    k = first.size
    return Pairs(site=fleet.group_site[first].astype(np.int64), model=fleet.group_model[first],
                 units=np.bincount(idx, weights=n, minlength=k).astype(np.int64),
                 hashrate_ths=fleet.group_hashrate_ths[first].astype(float),
                 power_w=fleet.group_power_w[first].astype(float),
                 capex_units=np.bincount(idx, weights=np.where(has, n, 0), minlength=k).astype(np.int64),
                 capex_usd=np.bincount(idx, weights=np.where(has, capex * n, 0.0), minlength=k))


def price_tables(site: fl.Site, months: Sequence[str]) -> tuple[list[np.ndarray], dict[str, str]]:
    """The sorted price table of each forward month [USD/kWh], and the calendar month -> year used.

    Parameters
    ----------
    site : Site
        A site; one on hourly prices needs them read (``Site.hourly``).
    months : sequence of str
        The forward months, ``YYYY-MM``.

    Returns
    -------
    tables : list of ndarray
        One sorted array per month: the site's 24 hourly prices (a flat price or a tariff, the same
        array every month), or the hours of a calendar month of the hourly prices.
    years : dict
        For hourly prices, ``"MM"`` -> the year whose hours were taken ("YYYY", "YYYY (partial)" or
        "all hours"); empty otherwise.

    Notes
    -----
    The "price year" assumption: a forward month takes the hours of the same calendar month in the
    latest year in which the prices cover that whole month (UTC); failing that, the latest year
    with some hours of that month; failing that, every hour of the prices. It carries the market's
    pattern of the season, not a forecast of its level.
    """
    if site.hourly is None:
        t = np.sort(np.asarray(site.tariff_usd_per_kwh, dtype=float))
        if t.size != HOURS or not np.all(np.isfinite(t)):
            raise ValueError(f"site {site.name!r}: tariff_usd_per_kwh must be 24 finite prices (hourly prices not "
                             "read: load the fleet with hashpower.store.files.load_fleet)")
        return [t] * len(months), {}
    h = site.hourly
    usd = np.asarray(h.usd_per_kwh, dtype=float)
    month_of = h.hours.astype("datetime64[M]")
    um, first, count = np.unique(month_of, return_index=True, return_counts=True)
    full = count == ((um + 1).astype("datetime64[h]") - um.astype("datetime64[h]")).astype(np.int64)
    cal = um.astype(np.int64) % 12 + 1
    chosen: dict[int, np.ndarray] = {}
    years: dict[str, str] = {}
    tables = []
    for label in months:
        c = int(label[5:7])
        if c not in chosen:
            for mask, note in ((full & (cal == c), ""), (cal == c, " (partial)")):
                if mask.any():
                    j = int(np.flatnonzero(mask)[-1])
                    chosen[c] = np.sort(usd[first[j]:first[j] + count[j]])
                    years[f"{c:02d}"] = str(um[j].astype("datetime64[Y]")) + note
                    break
            else:
                chosen[c] = np.sort(usd)
                years[f"{c:02d}"] = "all hours"
        tables.append(chosen[c])
    return tables, years


def _table_groups(tables: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The distinct tables (by identity) and the month indices using each."""
    out: dict[int, tuple[np.ndarray, list[int]]] = {}
    for m, t in enumerate(tables):
        out.setdefault(id(t), (t, []))[1].append(m)
    return [(t, np.array(ms, dtype=np.int64)) for t, ms in out.values()]


def _hashprice(hashprice_usd_per_ph_day: ArrayLike, days: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    hp = np.asarray(hashprice_usd_per_ph_day, dtype=float)
    d = np.asarray(days, dtype=float)
    if hp.ndim != 2 or not np.all(np.isfinite(hp)) or np.any(hp < 0):
        raise ValueError("hashprice_usd_per_ph_day must be a 2-D array (paths, months) of finite values >= 0 "
                         "[USD/(PH/s)/day]")
    if d.shape != (hp.shape[1],) or not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError(f"days must be {hp.shape[1]} values >= 0 (one per month) [days]")
    return hp, d


def site_pnl(site: fl.Site, hashrate_ths: ArrayLike, power_w: ArrayLike, units: ArrayLike,
             hashprice_usd_per_ph_day: ArrayLike, days: ArrayLike,
             tables: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Revenue, power and hosting cost of one site's machine models per path and month.

    Parameters
    ----------
    site : Site
        The site's terms (PUE, pool fee, uptime, hosting fee, curtailment).
    hashrate_ths, power_w, units : array_like, shape (k,)
        Per machine model: one unit's hashrate [TH/s] and power [W], and the units [-].
    hashprice_usd_per_ph_day : array_like, shape (paths, months)
        The mean hashprice of each month on each path [USD/(PH/s)/day], >= 0.
    days : array_like, shape (months,)
        Days of each month [days].
    tables : sequence of ndarray
        The sorted price table of each month [USD/kWh] (:func:`price_tables`).

    Returns
    -------
    dict
        ``revenue_usd``, ``power_cost_usd``, ``hosting_cost_usd`` [USD] and ``curtailed_unit_days``
        [unit-days] of all the model's units, and ``cost_rate_always`` (power and hosting over
        revenue of a unit running every hour [-]; inf without revenue), each of shape
        (paths, months, k).

    Notes
    -----
    With h the month's hashprice [USD/(TH/s)/day], a unit earns ``r = t x h x uptime x (1 - pool
    fee)`` a day; it draws ``kw = w x PUE x uptime / 1000`` kWh per running hour. With curtailment
    it runs in the ``n`` hours of the month's table of H prices where ``p + hosting < r / 24 / kw``
    (:func:`hashpower.models.fleet.daily_pnl`); a day then brings ``r x n / H`` of revenue and
    ``24 x kw x (sum of the n cheapest prices) / H`` of power cost. Per month: times the units and
    the days.
    """
    hp, d = _hashprice(hashprice_usd_per_ph_day, days)
    ths, w, n = (np.asarray(x, dtype=float) for x in (hashrate_ths, power_w, units))
    if len(tables) != hp.shape[1]:
        raise ValueError(f"tables must hold one price table per month ({hp.shape[1]}), got {len(tables)}")
    keep = 1.0 - site.pool_fee_rate
    fee = site.hosting_fee_usd_per_kwh
    kw = w * site.pue * site.uptime / 1000.0  # kWh per running hour
    shape = (hp.shape[0], hp.shape[1], ths.size)
    out = {k: np.empty(shape) for k in _KEYS}
    for table, ms in _table_groups(tables):
        n_h = table.size
        cum = np.concatenate([[0.0], np.cumsum(table)])  # cost of the k cheapest hours
        rev_day = hp[:, ms, None] / 1000.0 * ths * site.uptime * keep  # (paths, m, k)
        if site.curtail:
            with np.errstate(divide="ignore", invalid="ignore"):
                breakeven = np.where(kw > 0, rev_day / HOURS / np.where(kw > 0, kw, 1.0), np.inf)
            on = np.searchsorted(table, breakeven - fee, side="left")
        else:
            on = np.full(rev_day.shape, n_h)
        frac = on / n_h
        dd = d[ms][None, :, None]
        out["revenue_usd"][:, ms] = n * rev_day * frac * dd
        out["power_cost_usd"][:, ms] = n * kw * HOURS * cum[on] / n_h * dd
        out["hosting_cost_usd"][:, ms] = n * kw * HOURS * frac * fee * dd
        out["curtailed_unit_days"][:, ms] = n * (1.0 - frac) * dd
        cost_day = kw * HOURS * (cum[-1] / n_h + fee)  # one unit running every hour [USD/day]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["cost_rate_always"][:, ms] = np.where(rev_day > 0, cost_day / rev_day,
                                                      np.where(cost_day > 0, np.inf, 0.0))
    return out


def fleet_pnl(fleet: fl.Fleet, hashprice_usd_per_ph_day: ArrayLike, days: ArrayLike,
              months: Sequence[str]) -> tuple[Pairs, dict[str, np.ndarray]]:
    """:func:`site_pnl` of every site, as arrays of shape (paths, months, pairs) in :func:`pairs` order.

    ``months`` are the ``YYYY-MM`` labels (they choose the hourly prices' calendar months,
    :func:`price_tables`).
    """
    pr = pairs(fleet)
    hp, d = _hashprice(hashprice_usd_per_ph_day, days)
    out = {k: np.empty((hp.shape[0], hp.shape[1], pr.site.size)) for k in _KEYS}
    for si, site in enumerate(fleet.sites):
        ks = np.flatnonzero(pr.site == si)
        if ks.size == 0:
            continue
        res = site_pnl(site, pr.hashrate_ths[ks], pr.power_w[ks], pr.units[ks], hp, d,
                       price_tables(site, months)[0])
        for k in _KEYS:
            out[k][:, :, ks] = res[k]
    return pr, out


def quantiles(x: ArrayLike, axis: int = 0) -> np.ndarray:
    """The p5, p50 and p95 of ``x`` along ``axis`` (linear interpolation), stacked first."""
    return np.percentile(np.asarray(x, dtype=float), QUANTILES, axis=axis)


def first_month_at_or_above(x: ArrayLike, level: float = 1.0) -> int | None:
    """Index of the first value of the 1-D ``x`` at or above ``level``; None if none is."""
    hit = np.flatnonzero(np.asarray(x, dtype=float) >= level)
    return int(hit[0]) if hit.size else None


def payback_months(capex_usd: ArrayLike, margin_usd: ArrayLike) -> np.ndarray:
    """Months until the cumulative margin covers the purchase price; inf if it never does within them.

    Parameters
    ----------
    capex_usd : array_like, shape (...)
        Purchase price [USD], >= 0.
    margin_usd : array_like, shape (..., months)
        The margin of each month [USD].

    Returns
    -------
    ndarray, shape (...)
        The number of whole months (1 = the first) at whose end the cumulative margin first reaches
        the price [months]; inf when it does not within the months given.
    """
    c = np.asarray(capex_usd, dtype=float)
    m = np.asarray(margin_usd, dtype=float)
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise ValueError("capex_usd must be finite and >= 0 [USD]")
    reached = np.cumsum(m, axis=-1) >= c[..., None]
    return np.where(reached.any(axis=-1), reached.argmax(axis=-1) + 1.0, np.inf)


def npv(rate_per_month: ArrayLike, capex_usd: ArrayLike, margin_usd: ArrayLike) -> np.ndarray:
    """Net present value of ``-capex`` now and the margins at the end of months 1, 2, ... [USD].

    ``rate_per_month`` [decimal per month] broadcasts with ``capex_usd`` (shape (...)) and the
    leading axes of ``margin_usd`` (shape (..., months)).
    """
    v = 1.0 / (1.0 + np.asarray(rate_per_month, dtype=float))
    return _npv_v(v, np.asarray(capex_usd, dtype=float), _months_first(margin_usd))


def _months_first(margin_usd: ArrayLike) -> np.ndarray:
    """The margins with the month axis first, contiguous (each month's slice is then one block)."""
    return np.ascontiguousarray(np.moveaxis(np.asarray(margin_usd, dtype=float), -1, 0))


def _npv_v(v: np.ndarray, capex: np.ndarray, m: np.ndarray) -> np.ndarray:
    """NPV at discount factor ``v`` of ``-capex`` and the margins ``m`` of shape (months, ...)."""
    acc = np.zeros(np.broadcast_shapes(v.shape, m.shape[1:]))
    for k in range(m.shape[0] - 1, -1, -1):  # Horner's rule in the discount factor v
        acc *= v
        acc += m[k]
    return acc * v - capex


def irr_per_year(capex_usd: ArrayLike, margin_usd: ArrayLike) -> np.ndarray:
    """The internal rate of return per year of ``-capex`` now and the monthly margins; NaN without one.

    Parameters
    ----------
    capex_usd : array_like, shape (...)
        Purchase price [USD] (the cash flow at month 0 is its negative).
    margin_usd : array_like, shape (..., months)
        The margin at the end of each month [USD]; no salvage value is added.

    Returns
    -------
    ndarray, shape (...)
        ``(1 + r)^12 - 1`` [decimal per year] where r [decimal per month] sets :func:`npv` to 0;
        NaN where the cash flows never change sign, or no r in [``IRR_MONTHLY_MIN``,
        ``IRR_MONTHLY_MAX``] does.

    Notes
    -----
    Bisection on the discount factor v = 1/(1 + r) between the bracket's ends, where the NPV
    (a polynomial in v) has opposite signs; with several sign changes of the cash flows it
    returns one of the rates.
    """
    c = np.asarray(capex_usd, dtype=float)
    m = _months_first(margin_usd)
    shape = np.broadcast_shapes(c.shape, m.shape[1:])
    lo = np.full(shape, 1.0 / (1.0 + IRR_MONTHLY_MAX))  # v at the highest rate
    hi = np.full(shape, 1.0 / (1.0 + IRR_MONTHLY_MIN))
    f_lo = _npv_v(lo, c, m)
    f_hi = _npv_v(hi, c, m)
    ok = np.sign(f_lo) * np.sign(f_hi) < 0
    rising = f_lo < 0
    for _ in range(_IRR_STEPS):
        mid = 0.5 * (lo + hi)
        below = (_npv_v(mid, c, m) < 0) == rising  # the root lies above mid
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    v = 0.5 * (lo + hi)
    return np.where(ok, v ** -12.0 - 1.0, np.nan)


def hedge_months(hedge: fl.Hedge, months: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Which forward months the hedge settles in (bool, shape (months,)), and its months outside them.

    The tenor runs ``tenor_months`` months from ``start_month``, by default the first forward month.
    """
    labels = np.array(list(months), dtype="datetime64[M]")
    start = np.datetime64(hedge.start_month, "M") if hedge.start_month else labels[0]
    tenor = start + np.arange(hedge.tenor_months)
    covered = (labels >= start) & (labels < start + hedge.tenor_months)
    return covered, [str(t) for t in tenor if t not in labels]


def hedge_payoff(hedge: fl.Hedge, months: Sequence[str], hashprice_usd_per_ph_day: ArrayLike,
                 days: ArrayLike) -> np.ndarray:
    """The hedge's cash flow to the fleet per path and month [USD], shape (paths, months).

    Notes
    -----
    A sale receives ``(strike - h) x quantity x days`` in every month of its tenor, h being the
    month's mean hashprice [USD/(PH/s)/day], quantity in PH/s; a purchase pays it. Months outside
    the tenor are 0.
    """
    hp, d = _hashprice(hashprice_usd_per_ph_day, days)
    covered, _ = hedge_months(hedge, months)
    if covered.size != hp.shape[1]:
        raise ValueError(f"months must hold one label per month ({hp.shape[1]}), got {covered.size}")
    return hedge.sign * (hedge.strike_usd_per_ph_day - hp) * hedge.quantity_phs * (d * covered)


def fair_strikes(hashprice_usd_per_ph_day: ArrayLike, days: ArrayLike) -> np.ndarray:
    """The strike of a forward over months 1..k that the paths value at 0, for every k [USD/(PH/s)/day].

    The day-weighted mean over the first k months of the mean hashprice across paths: at that
    strike the paths' mean payoff is 0. A model value, not a market quote.
    """
    hp, d = _hashprice(hashprice_usd_per_ph_day, days)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.cumsum(d * hp.mean(axis=0)) / np.cumsum(d)
