"""Validate and upsert new rows into the store (used by ``data refresh`` and ``data import``).

Every row is checked before anything is written: known columns, parseable
dates, contiguous and increasing days, no negative or non-finite values, and
plausible ranges (the bounds in :data:`hashpower.store.DAILY_COLUMNS`). Rows
are upserted by date (blocks by height) inside :func:`hashpower.store.transaction`,
so a second run with the same rows changes nothing and any failure leaves the
store as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from hashpower.models import chain
from hashpower.store.bounded import read_bounded
from hashpower.store.db import (
    DAILY_COLUMNS,
    DataError,
    keep_import,
    transaction,
)

#: Columns a row for a day not yet in the store must carry (the others are derived): the price and the
#: fees, without which hashprice and every figure built on it (machines, brief, security, pivot) is undefined.
REQUIRED_NEW_DAY = ("price_usd", "fees_btc")
#: Largest gap between the supply a row states and the supply the subsidy schedule gives at its height [BTC].
#: Coin Metrics' supply differs from the schedule by -215 .. +200 BTC over the embedded history (unclaimed
#: subsidies, its +100 BTC revision of 2010-11-14); a thousand BTC keeps a margin and refuses a wrong row.
SUPPLY_TOLERANCE_BTC = 1_000.0
#: Days after today (UTC) that an import may carry: one, for a source whose UTC day is already tomorrow.
MAX_DAYS_AHEAD = 1
#: Largest import file [bytes]: the whole embedded history as CSV is about 1 MB.
MAX_IMPORT_BYTES = 16 * 1024 * 1024
#: Relative change below which a value for a day already stored counts as unchanged
#: (floating-point noise from a source's own arithmetic, e.g. IssTotUSD / PriceUSD).
REVISION_RTOL = 1e-12
_BLOCK_COLUMNS = ("height", "timestamp", "pool")
_STATS_COLUMNS = ("height", "timestamp", "subsidy_sat", "fees_sat", "tx_count")


def validate_daily(df: pd.DataFrame, *, what: str = "rows") -> pd.DataFrame:
    """Check daily rows and return them with a parsed ``date`` column, sorted.

    Raises
    ------
    DataError
        Naming the first offending column, row and value.
    """
    if "date" not in df.columns:
        raise DataError(f"{what}: no 'date' column (columns: {', '.join(map(str, df.columns)) or 'none'})")
    unknown = [c for c in df.columns if c != "date" and c not in DAILY_COLUMNS]
    if unknown:
        raise DataError(f"{what}: unknown columns {unknown}; known: date, {', '.join(DAILY_COLUMNS)}")
    if df.empty:
        raise DataError(f"{what}: no rows")
    out = df.copy()
    parsed = pd.to_datetime(out["date"].astype(str), format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        i = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(f"{what}: row {i + 1}: date {out['date'].iloc[i]!r} is not YYYY-MM-DD")
    out["date"] = parsed.dt.date
    days = parsed.diff().dropna()
    if (days <= pd.Timedelta(0)).any():
        i = int(np.flatnonzero((days <= pd.Timedelta(0)).to_numpy())[0]) + 1
        raise DataError(f"{what}: row {i + 1}: dates must be increasing, {out['date'].iloc[i]} follows "
                        f"{out['date'].iloc[i - 1]}")
    if (days > pd.Timedelta(days=1)).any():
        i = int(np.flatnonzero((days > pd.Timedelta(days=1)).to_numpy())[0]) + 1
        raise DataError(f"{what}: row {i + 1}: dates must be contiguous, {out['date'].iloc[i]} follows "
                        f"{out['date'].iloc[i - 1]}")
    for col in out.columns:
        if col == "date":
            continue
        values = pd.to_numeric(out[col], errors="coerce")
        bad_text = values.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if bad_text.any():
            i = int(np.flatnonzero(bad_text.to_numpy())[0])
            raise DataError(f"{what}: row {i + 1}: column {col} is {str(out[col].iloc[i])!r}, not a number")
        v = values.to_numpy(dtype=float)
        _, unit, _, lo, hi = DAILY_COLUMNS[col]
        present = ~np.isnan(v)
        bad = present & (~np.isfinite(v) | (v < lo) | (v > hi))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{what}: row {i + 1}: column {col} is {float(v[i]):g}, outside the plausible range "
                            f"[{lo:g}, {hi:g}] {unit}")
        out[col] = values
    return out.reset_index(drop=True)


def _subsidy_to_blocks(subsidy_btc: float, height_before: int) -> int:
    """Blocks that issue ``subsidy_btc`` starting after ``height_before`` (crosses halvings)."""
    remaining = round(subsidy_btc * chain.SAT_PER_BTC)
    h = height_before + 1
    n = 0
    while remaining > 0:
        per_block = int(chain.subsidy_sat(h))
        if per_block == 0:
            break
        era_end = (h // chain.HALVING_INTERVAL_BLOCKS + 1) * chain.HALVING_INTERVAL_BLOCKS
        k = min(era_end - h, round(remaining / per_block))
        if k <= 0:
            break
        n += k
        h += k
        remaining -= k * per_block
    return n


def _issued_sat(height_before: int, n_blocks: int) -> int:
    if n_blocks <= 0:
        return 0
    return int(chain.subsidy_sat(np.arange(height_before + 1, height_before + n_blocks + 1)).sum())


def complete_new_days(new: pd.DataFrame, prev: dict[str, Any], epochs: pd.DataFrame) -> pd.DataFrame:
    """Derive the missing columns of days that follow the store's last day ``prev``.

    Derivations (documented in ``docs/data.md``): ``blocks`` from the day's
    issuance and the subsidy schedule by height when absent; ``height_end`` as
    the previous height plus blocks; ``difficulty`` from the epoch of
    ``height_end`` when the store knows it, otherwise the difficulty implied
    by the hashrate (H x 86400 / (blocks x 2^32), the identity that defines
    Coin Metrics' HashRate); ``subsidy_btc`` from the schedule; ``revenue_usd``,
    ``supply_btc`` and ``market_cap_usd`` by arithmetic.
    """
    rows = []
    height, supply = int(prev["height_end"]), float(prev["supply_btc"])
    starts = epochs["start_height"].to_numpy()
    ends = epochs["end_height"].to_numpy()
    diffs = epochs["difficulty"].to_numpy()
    for i, r in enumerate(new.to_dict("records")):
        missing = [c for c in REQUIRED_NEW_DAY if pd.isna(r.get(c))]
        if missing:
            raise DataError(f"row {i + 1} ({r['date']}): a new day needs {', '.join(missing)}")
        if pd.isna(r.get("blocks")):
            if pd.isna(r.get("subsidy_btc")):
                raise DataError(f"row {i + 1} ({r['date']}): a new day needs blocks or subsidy_btc")
            r["blocks"] = _subsidy_to_blocks(float(r["subsidy_btc"]), height)
        n = int(r["blocks"])
        if pd.notna(r.get("height_end")) and int(r["height_end"]) != height + n:
            raise DataError(f"row {i + 1} ({r['date']}): height_end {int(r['height_end'])} != "
                            f"previous height {height} + blocks {n}")
        issued_btc = _issued_sat(height, n) / chain.SAT_PER_BTC
        if pd.notna(r.get("subsidy_btc")) and abs(float(r["subsidy_btc"]) - issued_btc) > 1e-6 * max(1, issued_btc):
            raise DataError(f"row {i + 1} ({r['date']}): subsidy_btc {r['subsidy_btc']} disagrees with "
                            f"the subsidy schedule ({issued_btc} BTC for {n} blocks after height {height})")
        height += n
        r["height_end"] = height
        r["subsidy_btc"] = issued_btc
        if pd.isna(r.get("difficulty")):
            k = np.searchsorted(starts, height, side="right") - 1
            if k >= 0 and height <= ends[k] and np.isfinite(diffs[k]):
                r["difficulty"] = float(diffs[k])
            elif pd.notna(r.get("hashrate_ths")) and n > 0:
                r["difficulty"] = float(r["hashrate_ths"]) * 1e12 * 86_400 / (n * 2**32)
            else:
                raise DataError(f"row {i + 1} ({r['date']}): no difficulty known for height {height}; "
                                "give difficulty or hashrate_ths")
        if pd.isna(r.get("hashrate_ths")):
            r["hashrate_ths"] = n * float(r["difficulty"]) * 2**32 / 86_400 / 1e12
        supply += issued_btc
        if pd.isna(r.get("supply_btc")):
            r["supply_btc"] = supply
        supply = float(r["supply_btc"])
        if pd.isna(r.get("revenue_usd")) and pd.notna(r.get("fees_btc")):
            r["revenue_usd"] = (issued_btc + float(r["fees_btc"])) * float(r["price_usd"])
        if pd.isna(r.get("market_cap_usd")):
            r["market_cap_usd"] = supply * float(r["price_usd"])
        rows.append(r)
    out = pd.DataFrame(rows)
    return validate_daily(out.reindex(columns=["date", *DAILY_COLUMNS]), what="derived rows")


def _existing(con: duckdb.DuckDBPyConnection, dates: list[dt.date]) -> pd.DataFrame:
    return con.execute(
        f"SELECT date, {', '.join(DAILY_COLUMNS)} FROM daily WHERE date >= ? AND date <= ? ORDER BY date",
        [min(dates), max(dates)],
    ).df()


def _scheduled_supply_btc(height_end: int) -> float:
    """Coins the subsidy schedule has issued in blocks 0 .. ``height_end`` [BTC], era by era (no per-block sum)."""
    n, era, total = height_end + 1, 0, 0
    while n > 0 and era < 64:
        k = min(n, chain.HALVING_INTERVAL_BLOCKS)
        total += k * (chain.INITIAL_SUBSIDY_SAT >> era)
        n, era = n - k, era + 1
    return total / chain.SAT_PER_BTC


def check_chain(table: pd.DataFrame, epochs: pd.DataFrame, dates: list[dt.date], *, what: str = "rows") -> None:
    """Check the days ``dates`` of a proposed daily ``table`` against the chain; ``DataError`` on the first breach.

    Rules, per day (and the day after, whose continuity a change can break): no day after today (UTC)
    + :data:`MAX_DAYS_AHEAD`; ``height_end`` equal to the previous day's plus ``blocks`` (so monotone);
    ``difficulty`` equal to that of the epoch holding ``height_end`` when the store knows that epoch;
    ``supply_btc`` within :data:`SUPPLY_TOLERANCE_BTC` of the subsidy schedule at ``height_end``.
    """
    today = dt.datetime.now(dt.UTC).date()
    latest = max(dates)
    if latest > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise DataError(f"{what}: {latest} is in the future (today is {today} UTC); an import may not run ahead "
                        "of the chain")
    t = table.sort_values("date").reset_index(drop=True)
    pos = {d: i for i, d in enumerate(t["date"])}
    check = sorted({i for d in dates for i in (pos[d], pos[d] + 1) if i < len(t)})
    he = t["height_end"].to_numpy(float)
    blocks = t["blocks"].to_numpy(float)
    diff = t["difficulty"].to_numpy(float)
    supply = t["supply_btc"].to_numpy(float)
    starts, ends = epochs["start_height"].to_numpy(), epochs["end_height"].to_numpy()
    ediff = epochs["difficulty"].to_numpy(float)
    for i in check:
        day = t["date"].iloc[i]
        if i > 0 and he[i] != he[i - 1] + blocks[i]:
            raise DataError(f"{what}: {day}: height_end {he[i]:.0f} is not the previous day's {he[i - 1]:.0f} plus "
                            f"blocks {blocks[i]:.0f}")
        k = int(np.searchsorted(starts, he[i], side="right")) - 1
        if k >= 0 and he[i] <= ends[k] and np.isfinite(ediff[k]) and not np.isclose(diff[i], ediff[k], rtol=1e-9):
            raise DataError(f"{what}: {day}: difficulty {diff[i]:.6g} disagrees with epoch {k} (heights "
                            f"{starts[k]}..{ends[k]}), whose difficulty is {ediff[k]:.6g}")
        scheduled = _scheduled_supply_btc(int(he[i]))
        if np.isfinite(supply[i]) and abs(supply[i] - scheduled) > SUPPLY_TOLERANCE_BTC:
            raise DataError(f"{what}: {day}: supply_btc {supply[i]:,.2f} is not within {SUPPLY_TOLERANCE_BTC:,.0f} "
                            f"BTC of the issuance schedule at height {he[i]:.0f} ({scheduled:,.2f} BTC)")


def _check_against_store(con: duckdb.DuckDBPyConnection, out: pd.DataFrame, what: str) -> None:
    """:func:`check_chain` on the store's table with ``out`` applied (days around them only)."""
    first = min(out["date"]) - dt.timedelta(days=1)
    cur = con.execute(f"SELECT date, {', '.join(DAILY_COLUMNS)} FROM daily WHERE date >= ? ORDER BY date",
                      [first]).df()
    cur["date"] = pd.to_datetime(cur["date"]).dt.date
    table = pd.concat([cur[~cur["date"].isin(set(out["date"]))], out], ignore_index=True)
    ep = con.execute("SELECT start_height, end_height, difficulty FROM epochs ORDER BY start_height").df()
    check_chain(table, ep, list(out["date"]), what=what)


def upsert_daily(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, source: str, *, what: str = "rows") -> int:
    """Upsert validated daily rows; return how many days were added or changed.

    Days already in the store take the given non-missing values; days after
    the store's last day must follow it without a gap and are completed by
    :func:`complete_new_days`.
    """
    rows = validate_daily(rows, what=what)
    today = dt.datetime.now(dt.UTC).date()
    if rows["date"].iloc[-1] > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise DataError(f"{what}: {rows['date'].iloc[-1]} is in the future (today is {today} UTC); an import may "
                        "not run ahead of the chain")
    first, last = con.execute("SELECT min(date), max(date) FROM daily").fetchall()[0]
    if rows["date"].iloc[0] < first:
        raise DataError(f"rows start on {rows['date'].iloc[0]}, before the first day of the chain data ({first})")
    if rows["date"].iloc[0] > last + dt.timedelta(days=1):
        raise DataError(f"rows start on {rows['date'].iloc[0]}, leaving a gap after the store's last day {last}")
    old = rows[rows["date"] <= last]
    new = rows[rows["date"] > last]
    changed: list[pd.DataFrame] = []
    if not old.empty:
        cur = _existing(con, list(old["date"])).set_index("date")
        cur.index = cur.index.date if hasattr(cur.index, "date") else cur.index
        upd = old.set_index("date").reindex(columns=list(DAILY_COLUMNS))
        merged = upd.combine_first(cur).reindex(columns=list(DAILY_COLUMNS))
        base = cur.reindex(merged.index)
        same = np.isclose(merged.to_numpy(float), base.to_numpy(float), rtol=REVISION_RTOL, atol=0, equal_nan=True)
        diff = pd.Series(~same.all(axis=1), index=merged.index)
        if diff.any():
            changed.append(merged[diff].reset_index(names="date"))
    if not new.empty:
        prev = con.execute(
            "SELECT height_end, supply_btc FROM daily WHERE date = ?", [last]
        ).df().iloc[0].to_dict()
        ep = con.execute("SELECT start_height, end_height, difficulty FROM epochs ORDER BY start_height").df()
        changed.append(complete_new_days(new.reset_index(drop=True), prev, ep))
    if not changed:
        return 0
    out = pd.concat(changed, ignore_index=True).reindex(columns=["date", *DAILY_COLUMNS])
    _check_against_store(con, out, what)
    out["source"] = source
    con.register("incoming", out)
    try:
        con.execute("INSERT OR REPLACE INTO daily BY NAME SELECT * FROM incoming").fetchall()
    finally:
        con.unregister("incoming")
    return len(out)


def upsert_blocks(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, source: str) -> int:
    """Upsert per-block pool attribution (height, timestamp, pool); return rows added or changed."""
    if df.empty:
        return 0
    missing = [c for c in _BLOCK_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"blocks: missing columns {missing}")
    df = df.sort_values("height").reset_index(drop=True)
    h = df["height"].to_numpy()
    if (np.diff(h) != 1).any():
        raise DataError("blocks: heights must be contiguous and increasing")
    if (df["timestamp"] < 1_231_006_505).any() or df["pool"].isna().any():
        raise DataError("blocks: a timestamp before the genesis block or a missing pool")
    last = con.execute("SELECT max(height) FROM blocks").fetchall()[0][0]
    if last is not None and h[0] > last + 1:
        raise DataError(f"blocks: heights start at {h[0]}, leaving a gap after the store's last block {last}")
    cur = con.execute("SELECT height, timestamp, pool FROM blocks WHERE height >= ? AND height <= ?",
                      [int(h[0]), int(h[-1])]).df()
    merged = df[list(_BLOCK_COLUMNS)].merge(cur, on="height", how="left", suffixes=("", "_old"))
    fresh = merged[(merged["timestamp"] != merged["timestamp_old"]) | (merged["pool"] != merged["pool_old"])]
    if fresh.empty:
        return 0
    out = fresh[list(_BLOCK_COLUMNS)].copy()
    out["source"] = source
    con.register("incoming", out)
    try:
        con.execute("INSERT OR REPLACE INTO blocks BY NAME SELECT * FROM incoming").fetchall()
    finally:
        con.unregister("incoming")
    return len(out)


def upsert_block_stats(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, source: str) -> int:
    """Upsert per-block subsidy and fees; the subsidy must follow the schedule by height."""
    if df.empty:
        return 0
    missing = [c for c in _STATS_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"block stats: missing columns {missing}")
    expected = chain.subsidy_sat(df["height"].to_numpy(dtype=np.int64))
    if (df["subsidy_sat"].to_numpy() != expected).any():
        raise DataError("block stats: a subsidy disagrees with the subsidy schedule")
    if (df["fees_sat"] < 0).any():
        raise DataError("block stats: negative fees")
    out = df.copy()
    out["source"] = source
    before = con.execute("SELECT count(*) FROM block_stats").fetchall()[0][0]
    con.register("incoming", out)
    try:
        con.execute("INSERT OR REPLACE INTO block_stats BY NAME SELECT * FROM incoming").fetchall()
    finally:
        con.unregister("incoming")
    return con.execute("SELECT count(*) FROM block_stats").fetchall()[0][0] - before


def upsert_epochs(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, source: str) -> int:
    """Add difficulty epochs learnt from a source (epoch, start_height, end_height, difficulty, ...)."""
    if df.empty:
        return 0
    known = set(con.execute("SELECT epoch FROM epochs").df()["epoch"])
    new = df[~df["epoch"].isin(known)].copy()
    if new.empty:
        return 0
    if (new["difficulty"] <= 0).any() or (new["start_height"] % chain.RETARGET_INTERVAL_BLOCKS != 0).any():
        raise DataError("epochs: a non-positive difficulty or a start height off the 2016-block grid")
    new["source"] = source
    con.register("incoming", new)
    try:
        con.execute("INSERT INTO epochs BY NAME SELECT * FROM incoming").fetchall()
    finally:
        con.unregister("incoming")
    return len(new)


def record_source(con: duckdb.DuckDBPyConnection, name: str, rows_added: int, note: str = "") -> None:
    """Note when a source was last refreshed and what the store then held."""
    con.execute(
        "INSERT OR REPLACE INTO sources SELECT ?, now()::TIMESTAMP, (SELECT max(date) FROM daily),"
        " (SELECT max(height) FROM blocks), ?, ?",
        [name, rows_added, note],
    ).fetchall()


def read_daily_csv(path: Path) -> pd.DataFrame:
    """Read a user's CSV of daily rows (``date`` plus any of the documented columns); a regular file, bounded."""
    import io

    text = read_bounded(path, "import", MAX_IMPORT_BYTES)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path} is not a valid CSV: {str(exc).splitlines()[0]}") from None
    df.columns = [c.strip() for c in df.columns]
    return df.replace({"": np.nan})


def import_csv(path: Path) -> dict[str, Any]:
    """Import a user's daily rows atomically; return what changed.

    The rows are checked against the chain before they land (:func:`check_chain`); a refused file
    leaves the store and the kept imports unchanged. A copy of an accepted file is kept under
    ``$HASHPOWER_HOME/imports`` (before the store is swapped, so an import is never lost);
    ``data rebuild`` replays the kept copies and ``data imports remove ID`` undoes one.
    """
    text = read_bounded(Path(path), "import", MAX_IMPORT_BYTES)
    rows = validate_daily(read_daily_csv(Path(path)), what=str(path))
    with transaction() as con:
        n = upsert_daily(con, rows, source="import", what=str(path))
        kept = None
        if n:
            record_source(con, "import", n, f"last file: {Path(path).name}")
            kept = keep_import(Path(path).name, text)
    return {"file": str(path), "rows_in_file": len(rows), "rows_changed": n,
            "import_id": _import_id(kept) if kept else None}


def _import_id(p: Path) -> str:
    return p.name.split("-", 1)[0]
