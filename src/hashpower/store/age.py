"""How current the store is, and the fees of the days that have no fee data.

Public daily fee data ends before the other columns (``SOURCES.md``); the figures of the later days use
:func:`fee_estimate` and say so, and every output says how old the data is (:func:`freshness`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hashpower.store.db import _as_date, connect, embedded_path

__all__ = ["FEE_ESTIMATE_DAYS", "STALE_AFTER_DAYS", "fee_estimate", "freshness"]

#: Days of fee data the estimate of a later day's fees takes its median over [days].
FEE_ESTIMATE_DAYS = 30
#: The data is called stale when its last day is more than this many days before today (UTC) [days].
STALE_AFTER_DAYS = 2


def fee_estimate(date: Any = None) -> dict[str, Any]:
    """The fees per block [BTC] to assume on a day without fee data.

    The median of the last :data:`FEE_ESTIMATE_DAYS` days with fee data up to ``date`` (default: the
    latest such days).

    Public daily fee data ends before the other columns (no source has fees after 2026-06-01, see
    ``SOURCES.md``); the figures of later days use this estimate and say so (``fees_estimated``).
    """
    con = connect()
    try:
        day = _as_date(date, "date") or dt.date.max
        row = con.execute(
            "SELECT median(fees_btc / blocks), max(date), count(*) FROM (SELECT fees_btc, blocks, date FROM daily "
            "WHERE fees_btc IS NOT NULL AND blocks > 0 AND date <= ? ORDER BY date DESC LIMIT ?)",
            [day, FEE_ESTIMATE_DAYS]).fetchall()[0]
    finally:
        con.close()
    return {"fees_btc_per_block": float(row[0]) if row[0] is not None else 0.0,
            "fees_last_day": row[1].isoformat() if row[1] else None, "days": int(row[2])}


def freshness(today: dt.date | None = None) -> dict[str, Any]:
    """How current the store is.

    Its last day, the last day with fee data, the age [days] of the last day against ``today`` (default:
    the clock's UTC date), whether that is stale, and how to refresh.

    A store built by an earlier version of the package can end before the data this version ships
    (``embedded_last_day``): the way to refresh is then ``hashpower data rebuild``, which keeps the
    user's imports.
    """
    con = connect()
    try:
        last, fees_last = con.execute(
            "SELECT max(date), max(CASE WHEN fees_btc IS NOT NULL THEN date END) FROM daily").fetchall()[0]
        path = str(embedded_path("daily.parquet")).replace("'", "''")
        shipped = con.execute(f"SELECT max(date) FROM read_parquet('{path}')").fetchall()[0][0]
    finally:
        con.close()
    today = today or dt.datetime.now(dt.UTC).date()
    age = (today - last).days
    refresh = "hashpower data refresh (needs the network), or hashpower data import FILE.csv"
    if shipped is not None and shipped > last:
        refresh = (f"hashpower data rebuild (this version of hashpower ships data to {shipped.isoformat()}; "
                   f"your imports are kept), then hashpower data refresh (needs the network)")
    return {"data_last_day": last.isoformat(), "data_age_days": age,
            "fees_last_day": fees_last.isoformat() if fees_last else None,
            "data_stale": age > STALE_AFTER_DAYS,
            "embedded_last_day": shipped.isoformat() if shipped is not None else None,
            "data_refresh": refresh}
