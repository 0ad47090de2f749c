"""Figures of ``hashpower fleet``: the P&L of the user's sites with curtailment, over the history and ahead.

The past: :func:`hashpower.models.fleet.daily_pnl` on the store's daily hashprice, per site and per
machine model. Ahead (``forward_months``): :func:`hashpower.models.forward.site_pnl` on the paths of
the calibrated outlook (:func:`hashpower.figures.outlook.month_paths`), with the switch-off month,
payback and IRR per model, the hedges' payoffs and the fair strikes. The fleet file is read by
:func:`hashpower.store.files.load_fleet`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.models import fleet as fl
from hashpower.models import forward as fw
from hashpower.models import hashprice
from hashpower.store.files import load_fleet

__all__ = ["DEFAULT_PATHS", "FAIR_STRIKE_MONTHS", "fleet_figures", "read_fleet"]


def read_fleet(fleet: Any) -> fl.Fleet:
    """A :class:`~hashpower.models.fleet.Fleet` from a fleet TOML path, a parsed document or a Fleet.

    A document (a request body) may use only the embedded catalog and prices
    (:func:`hashpower.store.files.fleet_from_doc`).
    """
    if isinstance(fleet, fl.Fleet):
        return fleet
    if isinstance(fleet, dict):
        from hashpower.store.files import fleet_from_doc

        return fleet_from_doc(fleet)
    if isinstance(fleet, str | Path):
        return load_fleet(fleet)
    raise ValueError(f"fleet must be a fleet TOML path, a fleet document or a Fleet, got {type(fleet).__name__}")

#: Paths of the forward view [-]: the outlook's default (``hashpower outlook --paths``).
DEFAULT_PATHS = 2000
#: Horizon of ``fair_strikes`` without ``forward_months`` [months]: an assumption, a year of tenors.
FAIR_STRIKE_MONTHS = 12
_MONEY = ("revenue_usd", "power_cost_usd", "hosting_cost_usd")
LABEL = ("model forecast, not a market quote: the fleet's P&L on the outlook's simulated monthly mean hashprice "
         "(hashpower outlook, same paths and seed)")
ASSUMPTIONS = (
    "each month is its days at the path's mean hashprice of the month; the first month runs from the day "
    "after the start to its end",
    "a unit runs in the hours of its site's price table where it earns more than it costs (the past P&L's "
    "rule); the curtailment credit and the hourly plan's minimum on/off spells are not counted",
    "price year: a site on hourly prices takes the hours of the same calendar month in the latest year its "
    "prices cover in full (price_basis); flat prices and tariffs stay as given",
    "payback and IRR: the purchase price paid at the start, the monthly margins after it, no salvage value; "
    "the groups of one model at one site are merged",
)


def _check_forward(forward_months: Any, fair_strikes: bool, paths: Any, seed: Any, preset: str) -> int | None:
    """The forward horizon [months] (None: no forward view), after checking every forward argument."""
    if forward_months is None and not fair_strikes:
        return None
    from hashpower.figures.outlook import MAX_PATHS
    from hashpower.sim.outlook import MAX_MONTHS
    from hashpower.sim.scenario import check_run_size, get_preset

    m = FAIR_STRIKE_MONTHS if forward_months is None else forward_months
    if isinstance(m, bool) or not isinstance(m, int | float) or int(m) != m or not 1 <= m <= MAX_MONTHS:
        raise ValueError(f"forward months (--forward-months) must be a whole number of months in [1, {MAX_MONTHS}], "
                         f"got {forward_months!r}")
    p, _, _ = check_run_size(paths, 1, seed)
    if p > MAX_PATHS:
        raise ValueError(f"paths must be in [1, {MAX_PATHS:,}] for the forward view, got {p:,}")
    get_preset(preset)
    return int(m)


def _per_model(f: fl.Fleet, res: fl.FleetResult, si: int) -> list[dict[str, Any]]:
    """The past P&L of one site split per machine model (groups of one model merged)."""
    acc: dict[str, list[float]] = {}
    for g in np.flatnonzero(f.group_site == si).tolist():
        a = acc.setdefault(str(f.group_model[g]), [0.0] * 5)
        for i, x in enumerate((f.group_count[g], res.group_revenue_usd[g], res.group_power_cost_usd[g],
                               res.group_hosting_cost_usd[g], res.group_curtailed_unit_days[g])):
            a[i] += float(x)
    out = []
    for model, (units, rev, pw, host, curt) in acc.items():
        out.append({"model": model, "units": int(units), "revenue_usd": rev, "power_cost_usd": pw,
                    "hosting_cost_usd": host, "profit_usd": rev - pw - host, "curtailed_unit_days": curt,
                    "cost_rate": (pw + host) / rev if rev > 0 else None})
    return out


def fleet_figures(fleet: str | Path | fl.Fleet, start: Any = None, end: Any = None,
                  csv_path: str | Path | None = None, *, forward_months: int | None = None,
                  paths: int = DEFAULT_PATHS, seed: int = 0, preset: str = "baseline", fair_strikes: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The fleet's P&L over a span of the history and, with ``forward_months``, ahead on the outlook's paths.

    Parameters
    ----------
    fleet : str, Path or Fleet
        A fleet TOML file (:func:`hashpower.store.files.load_fleet`) or a parsed fleet.
    start, end : date-like, optional
        The span of the past P&L (default: the year to the store's last day).
    csv_path : path, optional
        Write the past daily P&L (day x site) there.
    forward_months : int, optional
        Months of the forward view [months], 1 to 60; None: no forward view and no engine run.
    paths, seed : int
        Monte Carlo paths [-] (default 2000, the outlook's) and seed [-] of the forward view.
    preset : str, default "baseline"
        The scenario preset of the outlook's engine.
    fair_strikes : bool, default False
        Add the model's fair strike per tenor; without ``forward_months`` the forward view runs
        over :data:`FAIR_STRIKE_MONTHS` months.
    progress : callable, optional
        ``progress(done, total)`` during the engine run.
    """
    horizon = _check_forward(forward_months, fair_strikes, paths, seed, preset)
    f = read_fleet(fleet)

    full = series.history()
    last = full.index[-1].date()
    s = series.check_day(start, "from") if start is not None else last - dt.timedelta(days=364)
    e = series.check_day(end, "to") if end is not None else last
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
        "models": _per_model(f, res, k),
    } for k, name in enumerate(res.site_names)]
    out = {
        "from": days[0], "to": days[-1], "days": len(days), "units": f.units,
        "revenue_usd": float(res.revenue_usd.sum()), "power_cost_usd": float(res.power_cost_usd.sum()),
        "hosting_cost_usd": float(res.hosting_cost_usd.sum()), "profit_usd": float(res.profit_usd.sum()),
        "curtailed_unit_days": float(res.curtailed_unit_days.sum()),
        "sites": sites,
        "csv": str(csv_path) if csv_path is not None else None,
    }
    if horizon is not None:
        out["forward"] = _forward(f, horizon, paths, seed, preset, fair_strikes, progress)
    return out


# --------------------------------------------------------------------------- the forward view


def _q(x: np.ndarray) -> dict[str, float]:
    """p5/p50/p95 of ``x`` over its first axis (paths)."""
    return dict(zip(("p5", "p50", "p95"), fw.quantiles(x).tolist(), strict=True))


def _qs(x: np.ndarray) -> list[dict[str, float]]:
    """p5/p50/p95 over paths of ``x`` (paths, months): one dict per month."""
    q = fw.quantiles(x)
    return [dict(zip(("p5", "p50", "p95"), col, strict=True)) for col in q.T.tolist()]


def _money(rev: np.ndarray, pw: np.ndarray, host: np.ndarray) -> tuple[dict[str, list], np.ndarray]:
    """Per month: the quantiles of revenue, power, hosting and margin, and prob_loss; and the margin."""
    margin = rev - pw - host
    return {"revenue_usd": _qs(rev), "power_cost_usd": _qs(pw), "hosting_cost_usd": _qs(host),
            "margin_usd": _qs(margin), "prob_loss": (margin < 0).mean(axis=0).tolist()}, margin


def _pick(d: dict[str, list], m: int) -> dict[str, Any]:
    return {k: v[m] for k, v in d.items()}


def _payback(months: np.ndarray, labels: list[str]) -> dict[str, Any]:
    q = np.percentile(months, fw.QUANTILES, method="inverted_cdf")
    out: dict[str, Any] = {f"p{p}": (int(v) if np.isfinite(v) else None) for p, v in zip(fw.QUANTILES, q,
                                                                                        strict=True)}
    out["p50_month"] = labels[out["p50"] - 1] if out["p50"] is not None else None
    out["prob_never"] = float(np.isinf(months).mean())
    out["note"] = ("whole months of the forward view at whose end the cumulative margin covers the price "
                   "(1 = the first); a quantile among the paths that never pay back within the horizon is null")
    return out


def _irr(irr: np.ndarray) -> dict[str, Any]:
    ok = ~np.isnan(irr)
    q = np.percentile(irr[ok], fw.QUANTILES) if ok.any() else [None] * 3
    return {**{f"p{p}": (float(v) if v is not None else None) for p, v in zip(fw.QUANTILES, q, strict=True)},
            "paths_without_irr": int((~ok).sum()), "share_without_irr": float((~ok).mean()),
            "note": "per year (decimal), from -price now and the monthly margins, no salvage value; quantiles over "
                    "the paths with an IRR (cash flows that never change sign have none)"}


def _site_block(f: fl.Fleet, pr: fw.Pairs, si: int, hp: np.ndarray, days: np.ndarray, labels: list[str],
                acc: dict[str, np.ndarray], capex: list) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                                  dict[str, Any]]:
    """One site's month rows, its model rows and its price basis; adds its totals to ``acc``."""
    site = f.sites[si]
    ks = np.flatnonzero(pr.site == si)
    tables, years = fw.price_tables(site, labels)
    basis = {"site": site.name, "kind": "hourly" if site.hourly else ("flat" if site.flat else "tariff"),
             "source": site.hourly.source if site.hourly else None, "price_years": years or None}
    r = fw.site_pnl(site, pr.hashrate_ths[ks], pr.power_w[ks], pr.units[ks], hp, days, tables)
    tot = {k: r[k].sum(axis=2) for k in _MONEY}
    for k in _MONEY:
        acc[k] += tot[k]
    site_q, _ = _money(tot["revenue_usd"], tot["power_cost_usd"], tot["hosting_cost_usd"])
    curt = _qs(r["curtailed_unit_days"].sum(axis=2))
    per = []
    model_rows = []
    for j, k in enumerate(ks.tolist()):
        q, margin = _money(r["revenue_usd"][:, :, j], r["power_cost_usd"][:, :, j], r["hosting_cost_usd"][:, :, j])
        cr = np.median(r["cost_rate_always"][:, :, j], axis=0)
        q["cost_rate_p50"] = [float(x) if np.isfinite(x) else None for x in cr]
        per.append(q)
        m100 = fw.first_month_at_or_above(cr, 1.0)
        row: dict[str, Any] = {"site": site.name, "model": str(pr.model[k]), "units": int(pr.units[k]),
                               "cost_rate_p50_first_month": q["cost_rate_p50"][0],
                               "cost_rate_100_month": labels[m100] if m100 is not None else None,
                               "capex_usd": float(pr.capex_usd[k]) if pr.capex_units[k] else None,
                               "capex_units": int(pr.capex_units[k]), "payback_months": None, "irr_per_year": None}
        if pr.capex_units[k] > 0:
            capex.append((row, float(pr.capex_usd[k] / pr.capex_units[k]), margin / float(pr.units[k])))
        model_rows.append(row)
    months = []
    for m in range(len(labels)):
        months.append({"name": site.name, **_pick(site_q, m), "curtailed_unit_days": curt[m],
                       "models": [{"model": str(pr.model[k]), "units": int(pr.units[k]), **_pick(per[j], m)}
                                  for j, k in enumerate(ks.tolist())]})
    return months, model_rows, basis


def _forward(f: fl.Fleet, months: int, paths: int, seed: int, preset: str, want_fair: bool,
             progress: Callable[[int, int], None] | None) -> dict[str, Any]:
    from hashpower.figures.outlook import month_paths

    mp = month_paths(months, paths, seed, preset, progress=progress)
    hp = mp["outputs"][:, :, list(mp["columns"]).index("hashprice_usd_per_ph_day")]
    days = mp["days"].astype(float)
    labels = list(mp["months"])
    pr = fw.pairs(f)
    acc = {k: np.zeros(hp.shape) for k in _MONEY}
    capex: list = []
    site_months, model_rows, basis = [], [], []
    for si in range(len(f.sites)):
        sm, mr, b = _site_block(f, pr, si, hp, days, labels, acc, capex)
        site_months.append(sm)
        model_rows.extend(mr)
        basis.append(b)
    if capex:  # payback and IRR of every model with a price at once: shape (models, paths, months)
        price = np.array([c[1] for c in capex])
        margin = np.stack([c[2] for c in capex])
        pay = fw.payback_months(price[:, None], margin)
        irr = fw.irr_per_year(price[:, None], margin)
        for i, (row, _, _) in enumerate(capex):
            row["payback_months"] = _payback(pay[i], labels)
            row["irr_per_year"] = _irr(irr[i])
    fleet_q, margin = _money(acc["revenue_usd"], acc["power_cost_usd"], acc["hosting_cost_usd"])
    hedge_total = np.zeros(hp.shape)
    hedges = []
    for hd in f.hedges:
        pay = fw.hedge_payoff(hd, labels, hp, days)
        covered, outside = fw.hedge_months(hd, labels)
        hedge_total += pay
        hedges.append({"name": hd.name, "side": hd.side, "quantity_phs": hd.quantity_phs,
                       "strike_usd_per_ph_day": hd.strike_usd_per_ph_day, "tenor_months": hd.tenor_months,
                       "start_month": hd.start_month or labels[0],
                       "months_covered": [lab for lab, c in zip(labels, covered.tolist(), strict=True) if c],
                       "months_outside": outside, "payoff_usd": _q(pay.sum(axis=1)),
                       "mean_payoff_usd": float(pay.sum(axis=1).mean()),
                       "prob_negative": float((pay.sum(axis=1) < 0).mean()),
                       "months": [{"month": lab, "payoff_usd": q} for lab, q, c in
                                  zip(labels, _qs(pay), covered.tolist(), strict=True) if c]})
    hedged = margin + hedge_total
    hq = {"hedge_payoff_usd": _qs(hedge_total), "hedged_margin_usd": _qs(hedged),
          "hedged_prob_loss": (hedged < 0).mean(axis=0).tolist()} if f.hedges else {}
    q_hp = fw.quantiles(hp)
    rows = []
    for m, lab in enumerate(labels):
        fleet_m = _pick(fleet_q, m)
        if hq:
            fleet_m.update(_pick(hq, m))
            fleet_m["p5_improvement_usd"] = fleet_m["hedged_margin_usd"]["p5"] - fleet_m["margin_usd"]["p5"]
        cov = (mp["backtest_coverage"][m] or {}).get("hashprice_usd_per_ph_day")
        rows.append({"month": lab, "end_date": mp["end_dates"][m], "days": int(days[m]),
                     "hashprice_usd_per_ph_day": {"p5": float(q_hp[0, m]), "p50": float(q_hp[1, m]),
                                                  "p95": float(q_hp[2, m]), "mean": float(hp[:, m].mean())},
                     "backtest_coverage": ({"horizon_months": mp["backtest_coverage"][m]["horizon_months"], **cov}
                                           if cov else None),
                     "fleet": fleet_m, "sites": [sm[m] for sm in site_months]})
    total_margin = margin.sum(axis=1)
    total = {**{k: _q(acc[k].sum(axis=1)) for k in _MONEY}, "margin_usd": _q(total_margin),
             "prob_loss": float((total_margin < 0).mean())}
    total["margin_spread_usd"] = total["margin_usd"]["p95"] - total["margin_usd"]["p5"]
    if f.hedges:
        th = hedged.sum(axis=1)
        total.update({"hedge_payoff_usd": _q(hedge_total.sum(axis=1)), "hedged_margin_usd": _q(th),
                      "hedged_prob_loss": float((th < 0).mean())})
        total["p5_improvement_usd"] = total["hedged_margin_usd"]["p5"] - total["margin_usd"]["p5"]
        total["hedged_margin_spread_usd"] = total["hedged_margin_usd"]["p95"] - total["hedged_margin_usd"]["p5"]
    out: dict[str, Any] = {
        "label": LABEL, "start": mp["start"], "months_ahead": months, "paths": mp["paths"], "seed": mp["seed"],
        "preset": mp["preset"], "assumptions": list(ASSUMPTIONS), "price_basis": basis,
        "backtest": {k: mp["backtest"][k] for k in ("source", "data_last_day", "origins")},
        "backtest_note": "backtest_coverage: the share of actual 30-day mean hashprices inside the p5-p95 "
                         "(coverage_90) and p25-p75 (coverage_50) bands in the recorded backtest at the nearest "
                         "scored horizon",
        "months": rows, "total": total, "models": model_rows, "hedges": hedges,
        "hedges_note": ("a hedge settles on the view's days of each month of its tenor; months of a tenor outside the "
                        "forward view are not counted (months_outside)"),
    }
    if want_fair:
        fs = fw.fair_strikes(hp, days)
        out["fair_strikes"] = {
            "label": "model value, not a market quote: the day-weighted mean of the outlook's mean hashprice "
                     "over the first tenor months (a forward at this strike is worth 0 on the paths' mean)",
            "tenors": [{"tenor_months": k + 1, "from": labels[0], "to": labels[k], "usd_per_ph_day": float(v)}
                       for k, v in enumerate(fs.tolist())]}
    return out
