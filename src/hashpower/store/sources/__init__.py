"""Live sources and the refresh that appends their new data to the store.

Each source module has ``fetch_*`` functions (I/O through an injected
``httpx.Client``) and pure ``parse_*`` functions. :func:`refresh` fetches
everything first and then writes it in one atomic store transaction, so a
failure at any point leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from hashpower.store.sources._http import (
    SourceError,
    check_url,
    make_client,
    redact,
    redact_url,
    refresh_deadline,
    secrets_of,
)

__all__ = ["SOURCES", "SourceError", "default_url", "refresh"]

SOURCES = ("coinmetrics", "mempool", "bitcoind")
#: Largest number of blocks one refresh fetches (about 10 weeks); run again for more.
MAX_BLOCKS_PER_REFRESH = 10_000


def default_url(source: str) -> str:
    """The base URL of a source: ``$HASHPOWER_<SOURCE>_URL`` or the public default."""
    from hashpower.store.sources import bitcoind, coinmetrics, mempool

    defaults = {"coinmetrics": coinmetrics.DEFAULT_URL, "mempool": mempool.DEFAULT_URL,
                "bitcoind": bitcoind.DEFAULT_URL}
    if source not in defaults:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    return os.environ.get(f"HASHPOWER_{source.upper()}_URL", defaults[source])


def refresh(
    source: str,
    url: str | None = None,
    *,
    today: dt.date | None = None,
    timeout: float | None = None,
    auth: Any = None,
    progress: Callable[[int, int], None] | None = None,
    deadline_s: float | None = None,
) -> dict[str, Any]:
    """Append what ``source`` has beyond the store's last day or block; atomic.

    Parameters
    ----------
    source : {"coinmetrics", "mempool", "bitcoind"}
        Which source to fetch from.
    url : str, optional
        Base URL (default :func:`default_url`).
    today : datetime.date, optional
        The current UTC day; days before it are complete (default: now).
    timeout : float, optional
        Per-request timeout [s]: each whole response must arrive within it.
    auth : httpx.Auth, optional
        Credentials (bitcoind).
    progress : callable(done, total), optional
        Called as the fetch advances.
    deadline_s : float, optional
        Deadline of the whole refresh [s] (default ``DEFAULT_REFRESH_DEADLINE_S``).

    Credentials (the URL's user and password, the ``auth`` header, a cookie's
    contents) never appear in the result, in an error or in the store.

    Returns
    -------
    dict
        ``source``, ``days_added``, ``blocks_added`` and the store's new last date and height.
    """
    base = url or default_url(source)
    secrets = secrets_of(base, auth)
    try:
        check_url(base, source)
        with refresh_deadline(deadline_s):
            result = _refresh(source, base, today, timeout, auth, progress)
    except SourceError as exc:
        raise SourceError(redact(str(exc), secrets)) from None
    result["url"] = redact(redact_url(base), secrets)
    return result


def _refresh(source: str, base: str, today: dt.date | None, timeout: float | None, auth: Any,
             progress: Callable[[int, int], None] | None) -> dict[str, Any]:
    from hashpower import store
    from hashpower.store import ingest
    from hashpower.store.sources import bitcoind, coinmetrics, mempool
    from hashpower.store.sources.pools import PoolMatcher

    today = today or dt.datetime.now(dt.UTC).date()
    st = store.status()
    last_date = dt.date.fromisoformat(st["last_date"])
    last_height = st["last_block_height"]
    result: dict[str, Any] = {"source": source, "url": "", "days_added": 0, "blocks_added": 0, "epochs_added": 0}
    with make_client(base, timeout, auth=auth) as client:
        if source == "coinmetrics":
            daily = coinmetrics.fetch_daily(client, last_date - dt.timedelta(days=6),
                                            today - dt.timedelta(days=1), progress)
            with store.transaction() as con:
                if not daily.empty:
                    result["days_added"] = ingest.upsert_daily(con, daily, source)
                ingest.record_source(con, source, result["days_added"])
        else:
            mod = mempool if source == "mempool" else bitcoind
            matcher = PoolMatcher.from_list(store.pools()["pools"])
            tip = mod.fetch_tip(client)
            end = min(tip, last_height + MAX_BLOCKS_PER_REFRESH)
            b, s, e = mod.fetch_blocks(client, last_height + 1, end, matcher, progress)
            with store.transaction() as con:
                result["blocks_added"] = ingest.upsert_blocks(con, b, source) if not b.empty else 0
                if not s.empty:
                    ingest.upsert_block_stats(con, s, source)
                result["epochs_added"] = ingest.upsert_epochs(con, e, source) if not e.empty else 0
                ingest.record_source(con, source, result["blocks_added"], f"tip {tip}")
            result["tip_height"] = tip
    after = store.status()
    result.update(last_date=after["last_date"], last_block_height=after["last_block_height"])
    return result
