"""The state of Bitcoin mining on one day, as a plain dict (the briefing's figures)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hashpower import hashprice, store


def latest_figures(date: Any = None) -> dict[str, Any]:
    """Date, price, 7-day mean hashrate, difficulty and hashprice from the store.

    Parameters
    ----------
    date : date or str, optional
        The day (default the latest day in the store).
    """
    day = store.check_date(date) if date is not None else store.date_range()[1]
    import datetime as dt

    h = store.history(start=day - dt.timedelta(days=6), end=day)
    row = h.iloc[-1]
    blocks = float(row["blocks"])
    subsidy = float(row["subsidy_btc"]) / blocks if blocks else float("nan")
    fees = float(row["fees_btc"]) / blocks if blocks else 0.0
    usd_th = float(hashprice.usd_per_th_day(row["difficulty"], row["price_usd"], subsidy, fees))
    btc_th = float(hashprice.btc_per_th_day(row["difficulty"], subsidy, fees))
    return {
        "date": day.isoformat(),
        "price_usd": float(row["price_usd"]),
        "hashrate_ehs_7d": float(np.mean(h["hashrate_ths"])) / 1e6,
        "difficulty": float(row["difficulty"]),
        "subsidy_btc": subsidy,
        "fees_btc_per_block": fees,
        "hashprice": {
            "usd_per_th_day": usd_th,
            "usd_per_ph_day": usd_th * 1e3,
            "btc_per_ph_day": btc_th * 1e3,
        },
    }
