"""Coin Metrics Community API v4: daily network and market metrics.

``fetch_daily`` does the I/O; ``parse_daily`` is pure. Endpoint
``GET /timeseries/asset-metrics?assets=btc&metrics=...&frequency=1d`` returns
``{"data": [{"asset": "btc", "time": "2026-06-02T00:00:00.000000000Z",
"PriceUSD": "71328.7", ...}], "next_page_token": ...}`` with values as strings.

Data: Coin Metrics Community Data (coinmetrics.io), CC BY-NC 4.0.

References
----------
.. [1] Coin Metrics API v4 reference, "Get asset metrics",
   https://docs.coinmetrics.io/api/v4/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd

from hashpower.store.sources._http import SourceError, json_body, request

#: Community API base URL.
DEFAULT_URL = "https://community-api.coinmetrics.io/v4"
#: Metrics requested: the community set observed in 2026 (BlkCnt, IssTotNtv and
#: SplyCur are no longer served to the community tier; they are derived).
METRICS = ("PriceUSD", "HashRate", "IssTotUSD", "FeeTotNtv", "CapMrktCurUSD", "TxCnt", "AdrActCnt")
#: Our column for each Coin Metrics metric.
COLUMNS = {
    "PriceUSD": "price_usd",
    "HashRate": "hashrate_ths",
    "FeeTotNtv": "fees_btc",
    "CapMrktCurUSD": "market_cap_usd",
    "TxCnt": "tx_count",
    "AdrActCnt": "active_addresses",
    "BlkCnt": "blocks",
    "SplyCur": "supply_btc",
}
PAGE_SIZE = 1000
#: Most pages one fetch follows: the whole history since 2009 is about 6,500 days, 7 pages of
#: :data:`PAGE_SIZE`; a server that keeps handing out tokens past this is looping.
MAX_PAGES = 100
WHAT = "coinmetrics"


def parse_daily(payload: Any) -> tuple[pd.DataFrame, str | None]:
    """Parse one page into daily rows (our column names) and the next page token.

    The subsidy in BTC is ``IssTotNtv`` when served, else ``IssTotUSD / PriceUSD``.
    Trailing days that lack a price (the current, partial day) are dropped.

    Raises
    ------
    SourceError
        When the body does not have the documented shape.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise SourceError(f"{WHAT}: the response has no 'data' list")
    recs = []
    for i, item in enumerate(payload["data"]):
        if not isinstance(item, dict) or "time" not in item:
            raise SourceError(f"{WHAT}: data[{i}] has no 'time'")
        try:
            rec: dict[str, Any] = {"date": dt.date.fromisoformat(str(item["time"])[:10]).isoformat()}
            for metric, col in COLUMNS.items():
                if item.get(metric) is not None:
                    rec[col] = float(item[metric])
            if item.get("IssTotNtv") is not None:
                rec["subsidy_btc"] = float(item["IssTotNtv"])
            elif item.get("IssTotUSD") is not None and rec.get("price_usd"):
                # rounded to whole satoshis: the quotient carries float error
                rec["subsidy_btc"] = round(float(item["IssTotUSD"]) / rec["price_usd"], 8)
        except (TypeError, ValueError) as exc:
            raise SourceError(f"{WHAT}: data[{i}] has an unreadable value ({exc})") from None
        recs.append(rec)
    df = pd.DataFrame.from_records(recs)
    while not df.empty and pd.isna(df.iloc[-1].get("price_usd")):
        df = df.iloc[:-1]
    token = payload.get("next_page_token")
    return df, token if isinstance(token, str) and token else None


def fetch_daily(
    client: httpx.Client,
    start: dt.date,
    end: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Fetch days ``start`` .. ``end`` (inclusive), following the pages."""
    if start > end:
        return pd.DataFrame(columns=["date"])
    params: dict[str, Any] = {
        "assets": "btc",
        "metrics": ",".join(METRICS),
        "frequency": "1d",
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "page_size": PAGE_SIZE,
    }
    total = (end - start).days + 1
    pages = []
    seen: set[str] = set()
    while True:
        if len(pages) >= MAX_PAGES:
            raise SourceError(f"{WHAT}: the pages did not end after {MAX_PAGES} pages (the cap on one fetch)")
        resp = request(client, "GET", "timeseries/asset-metrics", params=params, what=WHAT)
        page, token = parse_daily(json_body(resp, WHAT))
        pages.append(page)
        if progress:
            progress(sum(len(p) for p in pages), total)
        if token is None:
            break
        if token in seen:
            raise SourceError(f"{WHAT}: page {len(pages)} repeats an earlier next_page_token; the pages loop")
        seen.add(token)
        params["next_page_token"] = token
    frames = [p for p in pages if not p.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["date"])
