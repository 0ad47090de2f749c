"""Figures of ``hashpower hashprice`` (and ``/v1/hashprice``): hashprice on a day, in USD, BTC and sats (hashvalue).

Reads the store through :mod:`hashpower.figures.series`; the model is :mod:`hashpower.models.hashprice`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from hashpower.models import chain, hashprice
from hashpower.models.units import parse_hashrate

#: Default power price [USD/kWh]: the reference price of the industry press's cost-rate
#: figures of February 2026 (F2Pool, via the press; see docs/economics.md).
DEFAULT_POWER_PRICE_USD_PER_KWH = 0.06

__all__ = ["DEFAULT_POWER_PRICE_USD_PER_KWH", "hashprice_figures", "parse_hashrate"]


def _day(date: Any) -> dt.date:
    from hashpower.figures import series

    return series.check_day(date)


def _positive(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    return v


_WEEK_COLUMNS = ("price_usd", "fees_btc", "blocks", "height_end", "difficulty", "hashrate_ths")


def _week(date: Any) -> tuple[dt.date, dict[str, float], np.ndarray]:
    """The day, its row and the 7-day hashrate up to it [TH/s].

    From the in-process cached history when it is loaded (a server), else straight from the store as
    numpy arrays, so that one command in a fresh process loads neither pandas nor the whole history.
    """
    import sys

    s = sys.modules.get("hashpower.figures.series")
    if s is not None and s._history.cache_info().currsize:
        day = s.check_day(date)
        full = s.history()
        i = int(full.index.searchsorted(np.datetime64(day, "ns")))
        h = full.iloc[max(i - 6, 0): i + 1]
        row = {c: float(h[c].iloc[-1]) for c in _WEEK_COLUMNS}
        row["fees_estimated"] = bool(h["fees_estimated"].iloc[-1])
        return day, row, h["hashrate_ths"].to_numpy(float)
    from hashpower import store

    day, a = store.recent(date, 7, _WEEK_COLUMNS)
    return day, {c: float(a[c][-1]) for c in _WEEK_COLUMNS}, a["hashrate_ths"]


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
    day, row, hashrate_week_ths = _week(date)
    price = _positive("price_usd", price_usd) or float(row["price_usd"])
    if not np.isfinite(price):
        from hashpower.figures import series

        first = series.history()["price_usd"].first_valid_index().date()
        raise ValueError(f"there is no price for {day} (the first is on {first}); give one with --price USD "
                         f"(the API's price)")
    fees_estimated, fees_note = False, None
    if fees_btc_per_block is None:
        fees = float(row["fees_btc"]) / float(row["blocks"]) if row["blocks"] else 0.0
        if not np.isfinite(fees) or row.get("fees_estimated"):
            # no fee data for the day (public fee data ends before the rest): the labelled estimate
            from hashpower import store

            e = store.fee_estimate(day)
            fees, fees_estimated = e["fees_btc_per_block"], True
            fees_note = (f"estimated: no fee data after {e['fees_last_day']}; the median fees per block of the "
                         f"{e['days']} days with fee data to then")
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
            ok = ~np.isnan(hashrate_week_ths)
            hashrate_ehs = float(np.sum(hashrate_week_ths[ok]) / np.count_nonzero(ok)) / 1e6 if ok.any() else np.nan
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
        # False on a day without fee data: the fees are then the median of the last 30 days with fee data
        "fees_included": not fees_estimated,
        "fees_estimated": fees_estimated,
        "fees_note": fees_note,
        "usd_per_th_day": usd_th,
        "usd_per_ph_day": usd_th * 1e3,
        "btc_per_th_day": btc_th,
        "btc_per_ph_day": btc_th * 1e3,
        # hashvalue: the same in satoshis (1 BTC = 1e8 sat)
        "sat_per_th_day": btc_th * 1e3 * chain.SAT_PER_BTC / 1e3,
        "sat_per_ph_day": btc_th * 1e3 * chain.SAT_PER_BTC,
    }
