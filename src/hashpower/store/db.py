"""The local store: a DuckDB file built from the embedded data on first use.

The store lives at ``$HASHPOWER_HOME/hashpower.duckdb`` (default
``~/.local/share/hashpower``). Every change is atomic: the writer copies the
file, changes the copy, and swaps it in with :func:`os.replace` under an
exclusive lock, so an error, a timeout or a ``kill -9`` mid-write leaves the
previous file untouched, and a reader sees either the old or the new data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from hashpower.store.paths import db_path, home

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DAILY_COLUMNS",
    "DataError",
    "blocks",
    "connect",
    "db_path",
    "epochs",
    "history",
    "home",
    "status",
]

#: Version of the table layout; a store of another version is rebuilt.
SCHEMA_VERSION = "1"

#: The daily history's columns: name -> (SQL type, unit, meaning, lower bound, upper bound).
#: The bounds are plausibility limits for imported and refreshed rows.
DAILY_COLUMNS: dict[str, tuple[str, str, str, float, float]] = {
    "blocks": ("INTEGER", "blocks", "blocks mined that UTC day", 0, 1_000),
    "height_end": ("BIGINT", "block", "height of the day's last block", 0, 1e8),
    "price_usd": ("DOUBLE", "USD/BTC", "reference price at the end of the day", 0, 1e8),
    "hashrate_ths": ("DOUBLE", "TH/s", "mean hashrate implied by blocks and difficulty", 0, 1e13),
    "difficulty": ("DOUBLE", "-", "difficulty of the day's last block", 1, 1e18),
    "subsidy_btc": ("DOUBLE", "BTC", "new coins issued that day (block subsidies)", 0, 50 * 1_000),
    "fees_btc": ("DOUBLE", "BTC", "transaction fees paid that day", 0, 100_000),
    "revenue_usd": ("DOUBLE", "USD", "miner revenue: (subsidy + fees) x price", 0, 1e12),
    "supply_btc": ("DOUBLE", "BTC", "coins in circulation at the end of the day", 0, 21_000_000),
    "market_cap_usd": ("DOUBLE", "USD", "price x supply", 0, 1e15),
    "tx_count": ("DOUBLE", "transactions", "transactions confirmed that day", 0, 1e8),
    "active_addresses": ("DOUBLE", "addresses", "addresses active that day", 0, 1e9),
}

_EMBEDDED = {
    "daily": "daily.parquet",
    "epochs": "epochs.parquet",
    "blocks": "blocks.parquet",
    "block_stats": "block_stats.parquet",
}


class DataError(ValueError):
    """Bad data or a bad request against the store; the store is left unchanged."""


def embedded_path(name: str) -> Path:
    """Path of an embedded data file shipped in the package."""
    return Path(str(resources.files("hashpower") / "data" / name))


# --------------------------------------------------------------------------- building and swapping


def _create_from_embedded(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(f"{c} {t[0]}" for c, t in DAILY_COLUMNS.items())
    con.execute(f"CREATE TABLE daily (date DATE PRIMARY KEY, {cols}, source VARCHAR NOT NULL)")
    con.execute(
        "CREATE TABLE epochs (epoch INTEGER PRIMARY KEY, start_height BIGINT, end_height BIGINT,"
        " target_hex VARCHAR, difficulty DOUBLE, end_block_hash VARCHAR, start_date DATE, source VARCHAR)"
    )
    con.execute(
        "CREATE TABLE blocks (height BIGINT PRIMARY KEY, timestamp BIGINT NOT NULL, pool VARCHAR NOT NULL,"
        " source VARCHAR NOT NULL)"
    )
    con.execute(
        "CREATE TABLE block_stats (height BIGINT PRIMARY KEY, timestamp BIGINT, subsidy_sat BIGINT,"
        " fees_sat BIGINT, tx_count BIGINT, size_bytes BIGINT, weight_wu BIGINT,"
        " avg_feerate_sat_per_vb DOUBLE, median_fee_sat DOUBLE, source VARCHAR)"
    )
    con.execute(
        "CREATE TABLE sources (name VARCHAR PRIMARY KEY, refreshed_at TIMESTAMP, last_date DATE,"
        " last_height BIGINT, rows_added BIGINT, note VARCHAR)"
    )
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    embedded = "embedded"
    for table, fname in _EMBEDDED.items():
        path = str(embedded_path(fname)).replace("'", "''")
        con.execute(f"INSERT INTO {table} BY NAME SELECT *, '{embedded}' AS source FROM read_parquet('{path}')")
    con.execute(
        "INSERT INTO sources VALUES ('embedded', now()::TIMESTAMP, (SELECT max(date) FROM daily),"
        " (SELECT max(height) FROM blocks), (SELECT count(*) FROM daily), 'shipped with the package')"
    )
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    home().mkdir(parents=True, exist_ok=True)
    with open(home() / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    dfd = os.open(target.parent, os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def _tmp_path() -> Path:
    return home() / f".hashpower.{os.getpid()}.tmp.duckdb"


def _discard(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)


def _discard_stale() -> None:
    """Remove copies left by writers that died mid-change (call with the lock held)."""
    for p in home().glob(".hashpower.*.tmp.duckdb*"):
        p.unlink(missing_ok=True)


def _schema_ok(path: Path) -> bool:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        return bool(rows) and rows[0][0] == SCHEMA_VERSION
    except duckdb.Error:
        return False
    finally:
        con.close()


def ensure() -> Path:
    """Build the store from the embedded data if it does not exist yet; return its path."""
    path = db_path()
    if path.exists():
        return path
    with _lock():
        if path.exists():  # another process built it while we waited
            return path
        _discard_stale()
        tmp = _tmp_path()
        try:
            con = duckdb.connect(str(tmp))
            try:
                _create_from_embedded(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync_replace(tmp, path)
        finally:
            _discard(tmp)
    return path


@contextlib.contextmanager
def transaction() -> Iterator[duckdb.DuckDBPyConnection]:
    """Change the store atomically: yield a connection to a private copy, swap it in on success.

    On any exception (or if the process dies) the copy is discarded and the
    store is exactly as it was.
    """
    path = ensure()
    with _lock():
        _discard_stale()
        tmp = _tmp_path()
        try:
            shutil.copyfile(path, tmp)
            try:
                con = duckdb.connect(str(tmp))
                con.execute("SELECT count(*) FROM daily").fetchall()
            except duckdb.Error as exc:
                raise _damaged(path, exc) from None
            try:
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync_replace(tmp, path)
        except (OSError, duckdb.Error) as exc:
            if is_out_of_space(exc):
                raise out_of_space("the change") from None
            raise
        finally:
            _discard(tmp)


def _damaged(path: Path, exc: BaseException) -> DataError:
    return DataError(f"the store at {path} is damaged and cannot be opened ({type(exc).__name__}); "
                     "run 'hashpower data rebuild' to rebuild it from the embedded data and your imports")


#: Pause before a reader tries a store file a second time [s]: a writer's swap is one rename, so a
#: failure that persists past it is real damage, not a reader caught mid-swap.
REOPEN_PAUSE_S = 0.05


def _check_open(path: Path) -> duckdb.DuckDBPyConnection:
    for attempt in (1, 2):
        try:
            con = duckdb.connect(str(path), read_only=True)
            con.execute("SELECT count(*) FROM daily").fetchall()
            return con
        except duckdb.Error as exc:
            if attempt == 2:
                raise _damaged(path, exc) from None
            time.sleep(REOPEN_PAUSE_S)
    raise AssertionError("unreachable")  # pragma: no cover


def is_out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full (an ``OSError`` ENOSPC, or DuckDB's own message for it)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, duckdb.Error) and "no space left" in str(exc).lower()


def out_of_space(what: str) -> DataError:
    """The message for a write that failed on a full disk (the store is unchanged)."""
    return DataError(f"{what} failed: no space left on the device that holds {home()}; free some space and "
                     "retry (the store is unchanged)")


def connect() -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store (built first if needed)."""
    return _check_open(ensure())


def imports_dir() -> Path:
    """Where copies of the user's imports are kept, so that a rebuild can replay them."""
    return home() / "imports"


def keep_import(name: str, csv_text: str) -> Path:
    """Keep a copy of an imported file (atomically: a partial copy is never visible)."""
    d = imports_dir()
    d.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    final = d / f"{stamp}-{Path(name).name}"
    tmp = d / f".{final.name}.tmp"
    tmp.write_text(csv_text)
    _fsync_replace(tmp, final)
    return final


# --------------------------------------------------------------------------- reading

#: The one accepted spelling of a day (``20260101`` and ``2026-W01-1`` are ISO too, but not ours).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date") and callable(value.date):  # pandas.Timestamp
        return value.date()
    text = str(value)
    if not _ISO_DAY.fullmatch(text):
        raise DataError(f"{name} must be a date as YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def date_range() -> tuple[dt.date, dt.date]:
    """First and last date of the daily history in the store."""
    con = connect()
    try:
        first, last = con.execute("SELECT min(date), max(date) FROM daily").fetchall()[0]
    finally:
        con.close()
    return first, last


def check_date(value: Any, name: str = "date", bounds: tuple[dt.date, dt.date] | None = None) -> dt.date:
    """Parse a date and check that the store has data for it (``bounds``: the first and last day, if known)."""
    d = _as_date(value, name)
    first, last = bounds or date_range()
    if d is None or not (first <= d <= last):
        raise DataError(f"{name} {value} is outside the data ({first} .. {last})")
    return d


def history(start: Any = None, end: Any = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The daily network history as a DataFrame indexed by date.

    Parameters
    ----------
    start, end : date or str (YYYY-MM-DD), optional
        Inclusive bounds; default the whole history.
    columns : sequence of str, optional
        Columns of :data:`DAILY_COLUMNS` to return (default all of them).

    Returns
    -------
    pandas.DataFrame
        One row per UTC day, index ``date`` (datetime64), one column per
        quantity, units in the names (see ``docs/nomenclature.md``).

    Raises
    ------
    ValueError
        An unknown column, an unparseable date, ``start`` after ``end``, or a
        window that does not overlap the data.
    """
    con = connect()
    try:
        bounds = con.execute("SELECT min(date), max(date) FROM daily").fetchall()[0]
        s, e, cols = window(start, end, columns, bounds)
        sql = f"SELECT date, {', '.join(cols)} FROM daily WHERE date >= ? AND date <= ? ORDER BY date"
        df = con.execute(sql, [s, e]).df()
    finally:
        con.close()
    return df.set_index("date")


def recent(date: Any, n_days: int, columns: Sequence[str], name: str = "date") -> tuple[dt.date, dict[str, Any]]:
    """The ``n_days`` stored days up to ``date`` (default the latest) as numpy arrays, oldest first.

    A read path without pandas, for the commands that need a few rows: the day is checked as
    :func:`check_date` checks it, a missing value is NaN.
    """
    import numpy as np

    unknown = [c for c in columns if c not in DAILY_COLUMNS]
    if unknown:
        raise DataError(f"unknown columns {unknown}")
    con = connect()
    try:
        bounds = con.execute("SELECT min(date), max(date) FROM daily").fetchall()[0]
        day = bounds[1] if date is None else check_date(date, name, bounds)
        res = con.execute(f"SELECT {', '.join(columns)} FROM daily WHERE date <= ? ORDER BY date DESC LIMIT ?",
                          [day, int(n_days)]).fetchnumpy()
    finally:
        con.close()
    return day, {c: np.ma.filled(np.ma.asarray(res[c]).astype(float), np.nan)[::-1] for c in columns}


def window(start: Any, end: Any, columns: Sequence[str] | str | None,
           bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date, list[str]]:
    """Check a request for daily rows; return its first and last day (within ``bounds``) and its columns.

    ``columns`` may be a comma-separated string; a column asked twice is returned once.
    """
    first, last = bounds
    s, e = _as_date(start, "start"), _as_date(end, "end")
    if s and e and s > e:
        raise DataError(f"start {s} is after end {e}")
    if (s and s > last) or (e and e < first):
        raise DataError(f"the window {s or first} .. {e or last} is outside the data ({first} .. {last})")
    if columns is None:
        cols = list(DAILY_COLUMNS)
    else:
        if isinstance(columns, str):
            columns = [c for c in columns.split(",") if c]
        cols = list(dict.fromkeys(columns))
        unknown = [c for c in cols if c not in DAILY_COLUMNS]
        if unknown or not cols:
            raise DataError(f"columns: unknown {unknown or 'empty list'}; known: {', '.join(DAILY_COLUMNS)}")
    return max(s or first, first), min(e or last, last), cols


def blocks(start: Any = None, end: Any = None) -> pd.DataFrame:
    """Per-block pool attribution: ``height``, ``timestamp`` (UTC), ``pool`` (slug).

    Parameters
    ----------
    start, end : date or str (YYYY-MM-DD), optional
        Inclusive UTC days by block header time; default all blocks.
    """
    import pandas as pd

    s, e = _as_date(start, "start"), _as_date(end, "end")
    if s and e and s > e:
        raise DataError(f"start {s} is after end {e}")
    lo = int(dt.datetime.combine(s, dt.time(), dt.UTC).timestamp()) if s else -(2**62)
    hi = int(dt.datetime.combine(e + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()) if e else 2**62
    con = connect()
    try:
        df = con.execute(
            "SELECT height, timestamp, pool FROM blocks WHERE timestamp >= ? AND timestamp < ? ORDER BY height",
            [lo, hi],
        ).df()
    finally:
        con.close()
    df["timestamp"] = pd.to_datetime(df["timestamp"], unit="s", utc=True)
    return df


def epochs() -> pd.DataFrame:
    """Difficulty epochs: epoch, start/end height, target, difficulty, end block hash, start date."""
    con = connect()
    try:
        return con.execute(
            "SELECT epoch, start_height, end_height, target_hex, difficulty, end_block_hash, start_date"
            " FROM epochs ORDER BY epoch"
        ).df()
    finally:
        con.close()


def status() -> dict[str, Any]:
    """Rows, first and last date, last block height and the sources with when each was refreshed."""
    con = connect()
    try:
        rows, first, last = con.execute("SELECT count(*), min(date), max(date) FROM daily").fetchall()[0]
        nblocks, last_height = con.execute("SELECT count(*), max(height) FROM blocks").fetchall()[0]
        src = con.execute(
            "SELECT name, refreshed_at, last_date, last_height, rows_added, note FROM sources ORDER BY name"
        ).fetchall()
    finally:
        con.close()
    return {
        "rows": int(rows),
        "first_date": first.isoformat(),
        "last_date": last.isoformat(),
        "blocks": int(nblocks),
        "last_block_height": int(last_height),
        "path": str(db_path()),
        "sources": [
            {
                "name": n,
                "refreshed_at": r.replace(microsecond=0).isoformat() + "Z" if r else None,
                "last_date": d.isoformat() if d else None,
                "last_height": int(h) if h is not None else None,
                "rows_added": int(a) if a is not None else 0,
                "note": note,
            }
            for n, r, d, h, a, note in src
        ],
    }
