"""Figures of ``hashpower outlook`` (and ``/v1/outlook``): the months ahead from the store's latest day.

The engine run is :func:`hashpower.sim.outlook.outlook`; this module calibrates it on the store
(:func:`hashpower.figures.simulate.snapshot`), turns a user's view of the price (a growth per year
or a CSV path) into a daily path, and puts the backtest's coverage at the matching horizons beside
the bands (``src/hashpower/data/backtest.json``, recorded by ``scripts/record_backtest.py`` from the
default backtest on the embedded data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures.simulate import snapshot
from hashpower.sim import calibrate
from hashpower.sim import outlook as O
from hashpower.sim.calibrate import FEE_START_DAYS
from hashpower.sim.scenario import check_run_size, get_preset
from hashpower.store.catalog import backtest_summary

__all__ = ["MAX_PATHS", "PRICE_GROWTH_MAX", "PRICE_GROWTH_MIN", "month_paths", "outlook", "read_price_path"]

PRICE_GROWTH_MIN, PRICE_GROWTH_MAX = O.PRICE_GROWTH_MIN, O.PRICE_GROWTH_MAX

#: Largest number of paths of one outlook [-].
MAX_PATHS = 20_000


def read_price_path(path: str | Path, start: str, days: int) -> np.ndarray:
    """Daily prices from a CSV of ``date, price_usd`` covering every day from the day after ``start``.

    Every day of the outlook must be given once (in any order), with a positive price; a day
    outside the outlook is refused rather than ignored.
    """
    from hashpower.store.bounded import read_bounded

    text = read_bounded(path, "price path")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",") if text.strip() else []
    if not {"date", "price_usd"} <= {h.strip() for h in header}:
        raise ValueError(f"price path {path}: needs the columns date, price_usd")
    if not rows:
        raise ValueError(f"price path {path}: has no rows (every day of the outlook needs a price)")
    first = dt.date.fromisoformat(start) + dt.timedelta(days=1)
    last = first + dt.timedelta(days=days - 1)
    out = np.empty(days)
    seen = np.zeros(days, dtype=bool)
    for n, r in enumerate(rows, 2):
        try:
            d = dt.date.fromisoformat(str(r["date"]).strip())
        except ValueError:
            raise ValueError(f"price path {path} line {n}: date must be YYYY-MM-DD, got {r['date']!r}") from None
        try:
            p = float(r["price_usd"])
        except (TypeError, ValueError):
            raise ValueError(f"price path {path} line {n}: price_usd must be a number, got {r['price_usd']!r}") \
                from None
        if not math.isfinite(p) or p <= 0:
            raise ValueError(f"price path {path} line {n}: price_usd must be > 0 USD, got {r['price_usd']!r}")
        if not first <= d <= last:
            raise ValueError(f"price path {path} line {n}: {d} is outside the outlook ({first} .. {last})")
        k = (d - first).days
        if seen[k]:
            raise ValueError(f"price path {path} line {n}: {d} is given twice")
        seen[k] = True
        out[k] = p
    if not seen.all():
        gap = first + dt.timedelta(days=int(np.argmin(seen)))
        raise ValueError(f"price path {path}: no price for {gap} (every day {first} .. {last} is needed)")
    return out


def _coverage(summary: dict[str, Any] | None, months: int) -> dict[str, Any] | None:
    """The scored horizon nearest ``months`` (within the scored ones), with its coverage per series."""
    if not summary:
        return None
    hs = [int(h) for h in summary["horizons_months"]]
    if months > max(hs):
        return None
    h = min(hs, key=lambda x: (abs(x - months), x))
    m = summary["metrics"]
    return {"horizon_months": h, **{s: {"coverage_90": m[s][str(h)]["coverage_90"],
                                        "coverage_50": m[s][str(h)]["coverage_50"]}
                                    for s in ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day")}}


def _run_size(months: Any, paths: Any, seed: Any) -> tuple[int, int, int]:
    """``(months, paths, seed)`` as ints, or ``ValueError`` naming the bound."""
    if isinstance(months, bool) or not isinstance(months, int | float) or int(months) != months \
            or not 1 <= months <= O.MAX_MONTHS:
        raise ValueError(f"months must be a whole number in [1, {O.MAX_MONTHS}], got {months!r}")
    paths, _, seed = check_run_size(paths, 1, seed)
    if paths > MAX_PATHS:
        raise ValueError(f"paths must be in [1, {MAX_PATHS:,}] for the outlook, got {paths:,}")
    return int(months), paths, seed


def _backtest(summary: dict[str, Any] | None) -> dict[str, Any]:
    """Where the recorded backtest comes from, as the outlook reports it."""
    return {
        "source": "default backtest on the embedded data (docs/backtest.md)" if summary else None,
        "data_last_day": summary.get("data_last_day") if summary else None,
        "origins": len(summary["origins"]) if summary else 0,
        "metrics": summary["metrics"] if summary else None,
    }


def month_paths(months: Any = 24, paths: Any = 2000, seed: Any = 0, preset: str = "baseline", *,
                progress: Any = None) -> dict[str, Any]:
    """The outlook's engine run per path: the month rows behind :func:`outlook`'s bands (simulated price).

    The same calibration, month ends and engine call as :func:`outlook` without a given price, so
    the same ``paths`` and ``seed`` give the same numbers. ``outputs`` has shape (paths, months,
    len(columns)) with ``columns`` = :data:`hashpower.sim.engine.OUTPUTS` (flows are means over
    the month's days); ``days`` are the days of each month in the run (the first month may be
    partial); ``backtest_coverage`` is the recorded coverage at the nearest scored horizon per
    month, as in :func:`outlook`. ``progress(done, total)`` is called after each chunk of paths.
    """
    from hashpower.sim import engine

    months, paths, seed = _run_size(months, paths, seed)
    sc = get_preset(preset)
    model = calibrate.build(sc, snapshot())
    start = model.info["start_date"]
    labels, ends = O.month_ends(start, months)
    out = engine.simulate(model, paths, 1, seed, ends=ends, progress=progress)
    summary = backtest_summary()
    end_dates = [str(np.datetime64(start, "D") + int(e)) for e in ends]
    return {
        "start": start, "months": labels, "end_dates": end_dates,
        "days": np.diff(np.concatenate([[0], ends])), "outputs": out, "columns": engine.OUTPUTS,
        "paths": paths, "seed": seed, "preset": sc.name, "backtest": _backtest(summary),
        "backtest_coverage": [_coverage(summary, max(1, round(int(e) / 30.4375))) for e in ends],
        "calibration": model.info,
    }


def outlook(months: Any = 24, paths: Any = 2000, seed: Any = 0, preset: str = "baseline",
            price_growth_per_year: float | None = None, price_path: str | Path | None = None) -> dict[str, Any]:
    """The outlook calibrated on the store's latest day (see :func:`hashpower.sim.outlook.outlook`)."""
    months, paths, seed = _run_size(months, paths, seed)
    if price_growth_per_year is not None and price_path is not None:
        raise ValueError("give either price_growth_per_year or price_path, not both")
    sc = get_preset(preset)
    snap = snapshot()
    model = calibrate.build(sc, snap)
    _, ends = O.month_ends(snap.date, int(months))
    given, view = None, "simulated (the preset's price model)"
    if price_growth_per_year is not None:
        given = O.price_path_from_growth(snap.price_usd, float(price_growth_per_year), int(ends[-1]))
        view = f"given: {float(price_growth_per_year):+.1%} a year from ${snap.price_usd:,.0f}"
    elif price_path is not None:
        given = read_price_path(price_path, snap.date, int(ends[-1]))
        view = f"given: the daily path of {Path(price_path).name}"
    res = O.outlook(model, sc, int(months), paths, seed, price_path_usd=given, price_view=view)
    summary = backtest_summary()
    res["backtest"] = _backtest(summary)
    from hashpower.figures import series

    est = series.history()["fees_estimated"].to_numpy(bool)[-FEE_START_DAYS:]
    # the start's fees are the mean of its last FEE_START_DAYS days: say when those are estimates
    res["start_fees_estimated"] = bool(est.any())
    for row in res["months"]:
        k = (dt.date.fromisoformat(row["end_date"]) - dt.date.fromisoformat(snap.date)).days
        row["backtest_coverage"] = _coverage(summary, max(1, round(k / 30.4375)))
    return res
