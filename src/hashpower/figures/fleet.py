"""Figures of ``hashpower fleet``: the daily P&L of the user's sites with curtailment.

The model is :mod:`hashpower.models.fleet`; the fleet file is read by :func:`hashpower.store.files.load_fleet`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.models import hashprice
from hashpower.store.files import load_fleet


def fleet_figures(path: str | Path, start: Any = None, end: Any = None,
                  csv_path: str | Path | None = None) -> dict[str, Any]:
    """Daily P&L of a fleet over a span of the history; optionally write it as CSV (day x site)."""
    from hashpower.models import fleet as fl

    f = load_fleet(path)

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
    } for k, name in enumerate(res.site_names)]
    return {
        "from": days[0], "to": days[-1], "days": len(days), "units": f.units,
        "revenue_usd": float(res.revenue_usd.sum()), "power_cost_usd": float(res.power_cost_usd.sum()),
        "hosting_cost_usd": float(res.hosting_cost_usd.sum()), "profit_usd": float(res.profit_usd.sum()),
        "curtailed_unit_days": float(res.curtailed_unit_days.sum()),
        "sites": sites,
        "csv": str(csv_path) if csv_path is not None else None,
    }
