"""Figures of ``hashpower data status/refresh/rebuild/import`` and of ``/v1/history``: the store seen by its user.

Each call goes to :mod:`hashpower.store` (the DuckDB file, ingest, the live sources); this module is
the one door the interfaces use for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hashpower import store
from hashpower.figures import series

__all__ = ["bitcoind_auth", "db_path", "history_window", "import_csv", "list_imports", "rebuild", "refresh",
           "remove_import", "source_error", "store_version", "ensure_store",
           "status", "warm", "freshness", "with_freshness"]


def status() -> dict[str, Any]:
    """Rows, date range and the sources with when each was last refreshed (:func:`hashpower.store.status`)."""
    return store.status()


def db_path() -> Path:
    """Path of the store's DuckDB file."""
    return store.db_path()


def rebuild() -> dict[str, Any]:
    """Rebuild the store from the embedded data and replay the kept imports."""
    return store.rebuild()


def import_csv(path: str | Path) -> dict[str, Any]:
    """Import a user's daily rows atomically; what changed."""
    return store.import_csv(Path(path))


def bitcoind_auth(user: str | None, password: str | None, cookie: str | None) -> Any:
    """The RPC credentials of a Bitcoin Core node (:func:`hashpower.store.sources.bitcoind.auth`)."""
    from hashpower.store.sources import bitcoind

    return bitcoind.auth(user, password, cookie)


def refresh(source: str, url: str | None, *, timeout: float | None = None, auth: Any = None,
            progress: Any = None) -> dict[str, Any]:
    """Append new days or blocks from a live source (:func:`hashpower.store.sources.refresh`)."""
    from hashpower.store.sources import refresh as _refresh

    return _refresh(source, url, timeout=timeout, auth=auth, progress=progress)


def source_error() -> type[Exception]:
    """The exception class of a failed live source (so that an interface can report it as bad input)."""
    from hashpower.store.sources._http import SourceError

    return SourceError


def store_version() -> tuple[str, int, int, int] | None:
    """The store file's identity and version (:func:`hashpower.store.paths.version`); None before it exists."""
    from hashpower.store.paths import version

    return version()


def ensure_store() -> Path:
    """Build the store from the embedded data if it does not exist yet; its path."""
    return store.ensure()


def warm() -> None:
    """Build the store if needed and fill the derived-series caches (before a server's first request)."""
    store.ensure()
    series.series()


def history_window(start: Any = None, end: Any = None, columns: Any = None):
    """The daily history between two days (inclusive) with the asked columns, indexed by ``YYYY-MM-DD``.

    ``columns`` may be a comma-separated string; bad days or unknown columns raise ``DataError``.
    """
    full = series.history()
    s, e, cols = store.window(start, end, columns, (full.index[0].date(), full.index[-1].date()))
    h = full.loc[str(s): str(e), cols].copy()
    est = full.loc[str(s): str(e), "fees_estimated"].to_numpy(bool)
    for c in {"fees_btc", "revenue_usd"} & set(cols):  # the raw data: an estimate is not served as data
        h.loc[est, c] = float("nan")
    h.index = h.index.strftime("%Y-%m-%d")
    return h


def list_imports() -> list[dict[str, Any]]:
    """The kept imports, oldest first (:func:`hashpower.store.imports.list_imports`)."""
    from hashpower.store.imports import list_imports as _list

    return _list()


def remove_import(import_id: str) -> dict[str, Any]:
    """Remove one kept import and rebuild the store without it (:func:`hashpower.store.imports.remove_import`)."""
    from hashpower.store.imports import remove_import as _remove

    return _remove(import_id)


_fresh: dict[tuple, dict[str, Any]] = {}


def freshness() -> dict[str, Any]:
    """The store's last day and its age against today's UTC date (:func:`hashpower.store.freshness`).

    Kept per store file and day.
    """
    import datetime as dt

    p = store.ensure()
    st = p.stat()
    k = (str(p), st.st_ino, st.st_size, st.st_mtime_ns, dt.datetime.now(dt.UTC).date())
    if k not in _fresh:
        _fresh.clear()
        _fresh[k] = store.freshness(k[-1])
    return _fresh[k]


def with_freshness(obj: Any) -> Any:
    """A figures dict with how current its data is.

    Adds ``data_last_day``, ``data_age_days``, ``fees_last_day``, ``data_stale`` (older than two days),
    when stale ``data_refresh`` (how to update), and for a dict with a ``date`` whether that day's fees are
    estimated (``fees_estimated``: it is after the last day with fee data). Keys the dict already has are
    kept; anything but a dict is returned as it is.
    """
    if not isinstance(obj, dict):
        return obj
    f = freshness()
    extra = {k: v for k, v in f.items()
             if k not in obj and k != "embedded_last_day" and (k != "data_refresh" or f["data_stale"])}
    day = obj.get("date")
    if isinstance(day, str) and "fees_estimated" not in obj and f["fees_last_day"]:
        # the figures of a day after the last day with fee data use estimated fees: say so for that day
        extra["fees_estimated"] = day > f["fees_last_day"]
    return {**obj, **extra}
