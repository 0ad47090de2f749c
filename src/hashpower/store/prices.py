"""Hourly power prices: ERCOT's West day-ahead prices (embedded) and a user's hourly price files.

Every series is one price per UTC hour without gaps (:class:`hashpower.models.fleet.HourlyPrices`,
USD/kWh). A reference is ``"ercot:HB_WEST"`` / ``"ercot:LZ_WEST"`` (case-insensitive point) or the
path of a CSV (:func:`resolve`).

The CSV layouts (:func:`read_csv`):

- ERCOT's own: ``Delivery Date, Hour Ending, Repeated Hour Flag, Settlement Point, Settlement Point
  Price`` (report NP4-180-ER and the real-time reports): ``Delivery Date`` MM/DD/YYYY (or
  YYYY-MM-DD), ``Hour Ending`` 01:00 .. 24:00 (or 1 .. 24) in Central Prevailing Time
  (America/Chicago), prices in USD/MWh. The hour beginning is the hour ending less one hour; on the
  fall-back day the row with ``Repeated Hour Flag`` = Y is the second (CST) 01:00 hour. One
  settlement point per file, or a ``point`` chosen.
- A simple one: ``hour_utc`` (ISO 8601, UTC when it has no offset, or with an explicit offset) or
  ``hour_local`` with a ``timezone`` column or argument (an IANA name such as America/Chicago), and
  ``usd_per_mwh`` or ``usd_per_kwh``. An hour of ``hour_local`` that occurs twice when the clocks go
  back needs an offset in its text or a ``repeated_hour_flag`` column (Y on the second occurrence, as
  ERCOT's).

Refused, with one line naming the file, the line, the hour and the column: a missing hour, an hour
given twice, an ambiguous local hour without a flag, a local hour that does not exist (the clocks go
forward), a price that is not a finite number or beyond :data:`MAX_ABS_PRICE_USD_PER_MWH`. Negative
prices are real (ERCOT has hundreds of hours at or below zero a year) and kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from hashpower.models.fleet import HourlyPrices
from hashpower.store.bounded import read_bounded

__all__ = ["ERCOT_POINTS", "ERCOT_TIMEZONE", "MAX_ABS_PRICE_USD_PER_MWH", "MAX_PRICE_FILE_BYTES", "embedded",
           "read_csv", "resolve"]

#: The settlement points embedded (``data/ercot_west_dam.parquet``, sources in ``data/SOURCES.md``).
ERCOT_POINTS = ("HB_WEST", "LZ_WEST")
#: ERCOT's clock: Central Prevailing Time (ERCOT Nodal Protocols, section 2: "Central Prevailing Time").
ERCOT_TIMEZONE = "America/Chicago"
#: Largest hourly price file [bytes]: ERCOT's annual file of all 15 hubs and load zones is about 5 MB as CSV.
MAX_PRICE_FILE_BYTES = 32 * 1024 * 1024
#: Largest price magnitude accepted [USD/MWh]: 20 x ERCOT's offer cap of 5,000 USD/MWh (since 2022, PUCT
#: rule 25.505); a larger value is a unit or typing error.
MAX_ABS_PRICE_USD_PER_MWH = 100_000.0
_EMBEDDED_FILE = "ercot_west_dam.parquet"
_ERCOT = ("Delivery Date", "Hour Ending", "Settlement Point Price")
_HOUR_ENDING = re.compile(r"(\d{1,2})(?::00(?::00)?)?")
_US_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@lru_cache(maxsize=len(ERCOT_POINTS))
def _embedded(point: str) -> HourlyPrices:
    import duckdb

    path = Path(str(resources.files("hashpower") / "data" / _EMBEDDED_FILE))
    col = f"{point.lower()}_cents_per_mwh"
    con = duckdb.connect()
    try:
        r = con.execute(f"SELECT epoch(hour_utc)::BIGINT AS s, {col} AS c FROM read_parquet('{path}') "
                        "ORDER BY hour_utc").fetchnumpy()
    finally:
        con.close()
    hours = np.asarray(r["s"], dtype=np.int64) // 3600
    if hours.size == 0 or np.any(np.diff(hours) != 1):
        raise ValueError(f"the embedded file {_EMBEDDED_FILE} is damaged (its hours are not contiguous); "
                         "reinstall hashpower")
    usd = np.asarray(r["c"], dtype=float) / 100_000.0  # cents/MWh -> USD/kWh, one rounding
    usd.setflags(write=False)
    first = np.datetime64(int(hours[0]), "h")
    return HourlyPrices(first, usd, f"ERCOT day-ahead {point} (NP4-180-ER, embedded, {_iso_hour(hours[0])} .. "
                                    f"{_iso_hour(hours[-1])})")


def embedded(point: str) -> HourlyPrices:
    """ERCOT's hourly day-ahead settlement point prices of ``point``, 2022 .. 2024, by UTC hour [USD/kWh].

    Parameters
    ----------
    point : str
        "HB_WEST" (the West trading hub) or "LZ_WEST" (the West load zone: what a West Texas load
        pays), case-insensitive.

    Returns
    -------
    HourlyPrices
        26,304 hours from 2022-01-01 06:00 UTC (the first hour of 2022 in Central Time) to
        2025-01-01 05:00 UTC; USD/kWh = USD/MWh / 1000. Cached; the array is read-only.

    Notes
    -----
    Day-ahead, not real-time, prices (``data/SOURCES.md``): a load settles in real time at its load
    zone's price.
    """
    p = str(point).strip().upper()
    if p not in ERCOT_POINTS:
        raise ValueError(f"ERCOT settlement point must be one of {', '.join(ERCOT_POINTS)}, got {point!r}")
    return _embedded(p)


def resolve(ref: str, base: Path | None) -> HourlyPrices:
    """The hourly prices a reference names: ``"ercot:HB_WEST"``, ``"ercot:LZ_WEST"`` or a CSV path.

    Parameters
    ----------
    ref : str
        The reference (the ``ercot:`` prefix and point are case-insensitive).
    base : Path or None
        The folder a relative path is taken from; None refuses every path (a request body may not name a
        file on the server).
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ValueError(f"hourly prices must be \"ercot:HB_WEST\", \"ercot:LZ_WEST\" or a CSV path, got {ref!r}")
    r = ref.strip()
    if r.lower().startswith("ercot:"):
        return embedded(r.split(":", 1)[1])
    if base is None:
        raise ValueError(f"{ref!r}: a file of hourly prices is not allowed here (a request may not name a file on "
                         f"the server); use \"ercot:HB_WEST\" or \"ercot:LZ_WEST\"")
    return read_csv(Path(base) / r)


def _iso_hour(h: int) -> str:
    return str(np.datetime64(int(h), "h")) + ":00Z"


def _hour_of(t: dt.datetime) -> int | None:
    """Hours since 1970 of an aware datetime on a whole UTC hour, else None."""
    s = (t - _EPOCH).total_seconds()
    return int(s // 3600) if s % 3600 == 0 else None


class _Zones:
    """ZoneInfo by name, cached, with one message for an unknown name."""

    def __init__(self) -> None:
        self.cache: dict[str, ZoneInfo] = {}

    def get(self, name: str, where: str) -> ZoneInfo:
        if name not in self.cache:
            try:
                self.cache[name] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{where}: unknown time zone {name!r} (an IANA name such as America/Chicago)") \
                    from None
        return self.cache[name]


def _local_hour(naive: dt.datetime, tz: ZoneInfo, fold: int | None, where: str, flag_col: str | None) -> int:
    """The UTC hour of a local wall-clock hour; ``fold`` None: no flag (an ambiguous hour is refused)."""
    a, b = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    ambiguous = a.utcoffset() != b.utcoffset()
    if ambiguous and a.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValueError(f"{where}: {naive:%Y-%m-%dT%H:%M} does not exist in {tz.key} (the clocks go forward)")
    if ambiguous and fold is None:
        how = f"a {flag_col} column (Y on the second)" if flag_col else "an offset such as -06:00 in the hour"
        raise ValueError(f"{where}: {naive:%Y-%m-%dT%H:%M} is ambiguous in {tz.key} (it occurs twice when the clocks "
                         f"go back): give {how}")
    if fold == 1 and not ambiguous:
        raise ValueError(f"{where}: {naive:%Y-%m-%dT%H:%M} is flagged as a repeated hour but occurs once in {tz.key}")
    h = _hour_of((b if fold == 1 else a).astimezone(dt.UTC))
    if h is None:
        raise ValueError(f"{where}: {naive:%Y-%m-%dT%H:%M} in {tz.key} is not a whole UTC hour")
    return h


def _flag(text: str, where: str) -> int:
    t = text.strip().upper()
    if t in ("Y", "YES", "TRUE", "1"):
        return 1
    if t in ("N", "NO", "FALSE", "0", ""):
        return 0
    raise ValueError(f"{where}: must be Y or N, got {text!r}")


def _ercot_hour(day: str, he: str, flag: int | None, tz: ZoneInfo, where: str) -> int:
    d = day.strip()
    m = _US_DATE.fullmatch(d)
    try:
        date = dt.date(int(m[3]), int(m[1]), int(m[2])) if m else dt.date.fromisoformat(d)
    except ValueError:
        raise ValueError(f"{where}, column Delivery Date: must be MM/DD/YYYY, got {day!r}") from None
    k = _HOUR_ENDING.fullmatch(he.strip())
    if k is None or not 1 <= int(k[1]) <= 24:
        raise ValueError(f"{where}, column Hour Ending: must be 01:00 .. 24:00, got {he!r}")
    naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(hours=int(k[1]) - 1)
    return _local_hour(naive, tz, flag, f"{where}, column Hour Ending ({day.strip()} HE {he.strip()})",
                       "Repeated Hour Flag")


def _iso(text: str, where: str) -> dt.datetime:
    t = text.strip()
    try:
        return dt.datetime.fromisoformat(t[:-1] + "+00:00" if t[-1:] in ("Z", "z") else t)
    except ValueError:
        raise ValueError(f"{where}: must be an ISO 8601 hour such as 2024-01-01T00:00Z, got {text!r}") from None


def _price(text: str, per_kwh: bool, where: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: must be a number, got {text!r}") from None
    usd_per_mwh = v * 1000.0 if per_kwh else v
    if not math.isfinite(v) or abs(usd_per_mwh) > MAX_ABS_PRICE_USD_PER_MWH:
        unit = "USD/kWh" if per_kwh else "USD/MWh"
        lim = MAX_ABS_PRICE_USD_PER_MWH / (1000.0 if per_kwh else 1.0)
        raise ValueError(f"{where}: must be a finite price within +-{lim:,g} {unit}, got {text!r}")
    return usd_per_mwh / 1000.0


def read_csv(path: str | Path, *, point: str | None = None, timezone: str | None = None) -> HourlyPrices:
    """A user's file of hourly prices (ERCOT's layout or the simple one of this module's notes).

    Parameters
    ----------
    path : path
        The CSV (at most :data:`MAX_PRICE_FILE_BYTES`).
    point : str, optional
        The settlement point to keep from an ERCOT file of several (case-insensitive).
    timezone : str, optional
        The zone of an ``hour_local`` column when the file has no ``timezone`` column (an IANA name).

    Returns
    -------
    HourlyPrices
        From the first hour to the last without gaps, in any row order [USD/kWh].
    """
    p = Path(path)
    text = read_bounded(p, "hourly price", MAX_PRICE_FILE_BYTES).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ValueError(f"hourly price file {p}: is empty (needs a header and one row per hour)")
    names = [h.strip() for h in header]
    col = {n.lower(): i for i, n in enumerate(names)}
    ercot = all(c.lower() in col for c in _ERCOT)
    zones = _Zones()
    if ercot:
        i_day, i_he, i_px = (col[c.lower()] for c in _ERCOT)
        i_flag, i_pt = col.get("repeated hour flag"), col.get("settlement point")
        price_col, hour_col, per_kwh = "Settlement Point Price", "Hour Ending", False
        tz = zones.get(ERCOT_TIMEZONE, str(p))
    else:
        given = [c for c in ("usd_per_mwh", "usd_per_kwh") if c in col]
        hour_given = [c for c in ("hour_utc", "hour_local") if c in col]
        if len(given) != 1 or len(hour_given) != 1:
            raise ValueError(f"hourly price file {p}: needs ERCOT's columns ({', '.join(_ERCOT)}, optionally "
                             f"Repeated Hour Flag, Settlement Point) or hour_utc (or hour_local and timezone) and "
                             f"one of usd_per_mwh, usd_per_kwh; got {', '.join(names)}")
        price_col, hour_col, per_kwh = given[0], hour_given[0], given[0] == "usd_per_kwh"
        i_px, i_hour = col[price_col], col[hour_col]
        i_tz, i_flag = col.get("timezone"), col.get("repeated_hour_flag")
        if hour_col == "hour_local" and i_tz is None and timezone is None:
            raise ValueError(f"hourly price file {p}: hour_local needs a timezone column or a time zone "
                             f"(an IANA name such as America/Chicago)")
        if i_tz is not None and timezone is not None:
            raise ValueError(f"hourly price file {p}: has a timezone column; do not give a time zone as well")
        tz = zones.get(timezone, str(p)) if timezone is not None else None
    want = point.strip().upper() if point is not None else None
    hours, prices, lines, points = [], [], [], set()
    for row in reader:
        n = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(names):
            raise ValueError(f"hourly price file {p} line {n}: has {len(row)} fields, the header {len(names)}")
        where = f"hourly price file {p} line {n}"
        if ercot:
            if i_pt is not None:
                pt = row[i_pt].strip().upper()
                points.add(pt)
                if want is not None and pt != want:
                    continue
            flag = _flag(row[i_flag], f"{where}, column Repeated Hour Flag") if i_flag is not None else None
            h = _ercot_hour(row[i_day], row[i_he], flag, tz, where)
        else:
            cell = row[i_hour]
            t = _iso(cell, f"{where}, column {hour_col}")
            if hour_col == "hour_utc" or t.tzinfo is not None:
                if t.tzinfo is None:
                    t = t.replace(tzinfo=dt.UTC)
                h = _hour_of(t)
                if h is None:
                    raise ValueError(f"{where}, column {hour_col}: {cell.strip()!r} is not a whole UTC hour")
                if hour_col == "hour_local" and (i_tz is not None or tz is not None):
                    z = zones.get(row[i_tz].strip(), f"{where}, column timezone") if i_tz is not None else tz
                    if t.astimezone(z).utcoffset() != t.utcoffset():
                        raise ValueError(f"{where}, column {hour_col}: the offset of {cell.strip()!r} is not "
                                         f"{z.key}'s at that hour")
            else:
                z = zones.get(row[i_tz].strip(), f"{where}, column timezone") if i_tz is not None else tz
                flag = _flag(row[i_flag], f"{where}, column repeated_hour_flag") if i_flag is not None else None
                h = _local_hour(t, z, flag, f"{where}, column {hour_col}", None if i_flag is None else
                                "repeated_hour_flag")
        hours.append(h)
        prices.append(_price(row[i_px], per_kwh, f"{where}, column {price_col}"))
        lines.append(n)
    if ercot and want is not None and want not in points and i_pt is not None:
        raise ValueError(f"hourly price file {p}: no rows of settlement point {point!r}; it has "
                         f"{', '.join(sorted(points)) or 'none'}")
    if ercot and want is None and len(points) > 1:
        listed = ", ".join(sorted(points)[:8]) + (", ..." if len(points) > 8 else "")
        raise ValueError(f"hourly price file {p}: has {len(points)} settlement points ({listed}); give a file of "
                         f"one point (or choose one)")
    if not hours:
        raise ValueError(f"hourly price file {p}: has no rows (needs one price per hour)")
    h = np.array(hours, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    hs, ln = h[order], np.array(lines)[order]
    step = np.diff(hs)
    if np.any(step == 0):
        k = int(np.flatnonzero(step == 0)[0])
        hint = " (mark the second fall-back hour with Repeated Hour Flag = Y)" if ercot else ""
        raise ValueError(f"hourly price file {p} line {ln[k + 1]}: the hour {_iso_hour(hs[k])} is given twice (also on "
                         f"line {ln[k]}), column {hour_col}{hint}")
    if np.any(step > 1):
        k = int(np.flatnonzero(step > 1)[0])
        gap = int(step[k]) - 1
        raise ValueError(f"hourly price file {p} line {ln[k + 1]}: no price for the {gap:,} hour"
                         f"{'s' if gap > 1 else ''} from {_iso_hour(hs[k] + 1)} before this line's hour "
                         f"{_iso_hour(hs[k + 1])}, column {hour_col}: every hour from the first to the last is needed")
    usd = np.array(prices, dtype=float)[order]
    usd.setflags(write=False)
    label = f"file {p.name}" + (f", {want}" if want else (f", {next(iter(points))}" if len(points) == 1 else ""))
    return HourlyPrices(np.datetime64(int(hs[0]), "h"), usd, label)
