"""The store's derived daily series as pandas DataFrames, for notebooks (re-exported at the package root).

Every function reads the same cached series as the commands (:mod:`hashpower.figures.series`,
:mod:`hashpower.figures.indicators`), so a frame's value on a day is the value the matching command
prints for that day. Each frame has a ``DatetimeIndex`` named ``date`` (UTC days, time-zone naive, as
the store holds them; :func:`drawdowns` is indexed by the episode's ``peak_date``), columns named with
their unit, and ``DataFrame.attrs["units"]`` mapping each column to its unit. ``start`` and ``end``
(``YYYY-MM-DD`` strings, dates or timestamps, inclusive) cut the frame; a bad one raises
``ValueError`` naming it. The layout of every frame is in ``docs/notebooks.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from hashpower.figures import series as S
from hashpower.figures.indicators import indicator_series
from hashpower.figures.network import POWER_METHODS
from hashpower.models import chain, hashprice, network
from hashpower.models import index as mindex
from hashpower.models import indicators as ind
from hashpower.store.db import window as _store_window

__all__ = ["concentration_daily", "drawdowns", "hashprice_daily", "hashrate_daily", "index_daily", "indicators_daily",
           "pool_shares_daily", "power_daily"]

#: Level of the hashrate intervals [-]: the commands' (``network``'s ``lower_90`` / ``upper_90``).
HASHRATE_CONFIDENCE = 0.90


def _bounds(dates: pd.DatetimeIndex, start: Any, end: Any) -> tuple[dt.date, dt.date]:
    """The inclusive days of ``start`` .. ``end`` within ``dates`` (``ValueError`` naming the bad argument)."""
    s, e, _ = _store_window(start, end, None, (dates[0].date(), dates[-1].date()))
    return s, e


def _frame(dates, columns: dict[str, Any], units: dict[str, str], start: Any, end: Any,
           index_name: str = "date", **attrs: Any) -> pd.DataFrame:
    """A frame of the whole span, cut to ``start`` .. ``end``, with its units in ``attrs``."""
    idx = pd.DatetimeIndex(dates, name=index_name)
    df = pd.DataFrame(columns, index=idx)
    s, e = _bounds(idx, start, end)
    df = df.loc[pd.Timestamp(s):pd.Timestamp(e)].copy()
    if index_name == "date":
        try:  # a contiguous run of days says so (freq "D")
            df.index = pd.DatetimeIndex(df.index, name="date", freq="D")
        except ValueError:
            pass
    df.attrs = {"units": units, **attrs}
    return df


def _whole(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer) or int(value) != value \
            or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number in [{lo}, {hi}], got {value!r}")
    return int(value)


def _days(values: np.ndarray, dtype) -> np.ndarray:
    return np.asarray(values).astype("datetime64[D]").astype(dtype)


def hashprice_daily(start: Any = None, end: Any = None) -> pd.DataFrame:
    """Hashprice of every day: USD, BTC and satoshis per PH/s per day, fees included.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive (``YYYY-MM-DD``); default the whole history.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; ``hashprice_usd_per_ph_day`` [USD/(PH/s)/day], ``hashprice_btc_per_ph_day``
        [BTC/(PH/s)/day], ``hashprice_sat_per_ph_day`` [sat/(PH/s)/day], ``price_usd`` [USD/BTC],
        ``difficulty`` [-], ``subsidy_btc_per_block`` and ``fees_btc_per_block`` [BTC/block] (the day's
        means) and ``fees_estimated`` (True on a day without fee data, whose fees are the estimate of
        :func:`hashpower.figures.series.with_fee_estimates`). Every hashprice column is NaN on a day without a
        block or without fee data (before the fee data start); the USD one also on a day without a price.

    Notes
    -----
    Luxor's formula with the day's mean subsidy and fees per block
    (:func:`hashpower.models.hashprice.history_usd_per_th_day`), x 1,000 per PH/s: the series that
    ``hashpower security`` reports as ``hashprice_usd_per_ph_day``. ``hashpower hashprice --date D``
    prices the subsidy of the block after the day's last, so the two differ on the day of a halving only.
    """
    s = S.series()
    h = s["history"]
    b = h["blocks"].to_numpy(float)
    sub = hashprice.per_block(h["subsidy_btc"].to_numpy(float), b)
    fees = hashprice.per_block(h["fees_btc"].to_numpy(float), b)
    price = h["price_usd"].to_numpy(float)
    usd = np.asarray(s["hashprice_usd_per_th_day"], dtype=float) * 1e3
    d = h["difficulty"].to_numpy(float)
    ok = np.isfinite(sub) & np.isfinite(fees)
    btc = np.full(d.shape, np.nan)
    btc[ok] = hashprice.btc_per_th_day(d[ok], sub[ok], fees[ok]) * 1e3
    cols = {"hashprice_usd_per_ph_day": usd, "hashprice_btc_per_ph_day": btc,
            "hashprice_sat_per_ph_day": btc * chain.SAT_PER_BTC, "price_usd": price, "difficulty": d,
            "subsidy_btc_per_block": sub, "fees_btc_per_block": fees,
            "fees_estimated": h["fees_estimated"].to_numpy(bool)}
    units = {"hashprice_usd_per_ph_day": "USD/(PH/s)/day", "hashprice_btc_per_ph_day": "BTC/(PH/s)/day",
             "hashprice_sat_per_ph_day": "sat/(PH/s)/day", "price_usd": "USD/BTC", "difficulty": "-",
             "subsidy_btc_per_block": "BTC/block", "fees_btc_per_block": "BTC/block", "fees_estimated": "bool"}
    return _frame(h.index, cols, units, start, end)


def index_daily(start: Any = None, end: Any = None) -> pd.DataFrame:
    """The miner sustainability index of every day, its band and the latest earlier day as low.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default the whole history.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; ``sustainability_index`` [0-100] (:func:`hashpower.models.index.sustainability_index`,
        NaN before its first full window), ``band`` (:data:`hashpower.models.index.INDEX_BANDS`; None where
        the index is NaN) and ``lowest_since`` (the latest earlier day with an index as low or lower, NaT
        when none): ``hashpower index --date D``'s ``sustainability_index``, ``band`` and ``lowest_since``.
    """
    s = S.series()
    dates = s["dates"]
    idx = np.asarray(s["index"], dtype=float)
    ls = np.asarray(s["index_lowest_since"])
    since = np.where(ls >= 0, dates.values[np.maximum(ls, 0)], np.datetime64("NaT"))
    band = [mindex.index_band(float(v)) if np.isfinite(v) else None for v in idx]
    cols = {"sustainability_index": idx, "band": band, "lowest_since": pd.DatetimeIndex(since)}
    units = {"sustainability_index": "0-100", "band": "-", "lowest_since": "date"}
    return _frame(dates, cols, units, start, end)


def hashrate_daily(start: Any = None, end: Any = None, window_days: int | None = None) -> pd.DataFrame:
    """Network hashrate over trailing windows of 1, 3, 7 and 30 days, with 90 % intervals, and its drawdown.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default the whole history.
    window_days : int, optional
        One more window [days], a whole number in [1, days of data] (as ``hashpower network --window-days``).

    Returns
    -------
    pandas.DataFrame
        Index ``date``; for each window W: ``hashrate_Wd_ehs``, ``hashrate_Wd_lower_90_ehs``,
        ``hashrate_Wd_upper_90_ehs`` [EH/s] (:func:`hashpower.models.network.hashrate_from_blocks`: the
        window's work over its time, Garwood's Poisson limits of its block count; NaN for the first W - 1
        days); ``drawdown_30d`` [-]: 1 - the 30-day estimate / its highest value so far (0 at a peak; the
        ``current`` depth of ``hashpower network``'s ``drawdown``).
    """
    s = S.series()
    h = s["history"]
    windows = list(S.HASHRATE_WINDOWS_DAYS)
    if window_days is not None:
        w = _whole("window_days", window_days, 1, len(h))
        if w not in windows:
            windows.append(w)
    cols: dict[str, Any] = {}
    units: dict[str, str] = {}
    for w in windows:
        est = s.get(f"hashrate_{w}d") or network.hashrate_from_blocks(
            h["difficulty"].to_numpy(float), h["blocks"].to_numpy(float), w, HASHRATE_CONFIDENCE)
        for name, a in zip(("", "_lower_90", "_upper_90"), est, strict=True):
            cols[f"hashrate_{w}d{name}_ehs"] = np.asarray(a, dtype=float) / 1e18
            units[f"hashrate_{w}d{name}_ehs"] = "EH/s"
    x30 = np.asarray(s["hashrate_30d"][0], dtype=float)
    dd = network.drawdown_to_date(x30)["depth"]
    cols["drawdown_30d"] = np.where(np.isfinite(x30), dd, np.nan)
    units["drawdown_30d"] = "-"
    return _frame(h.index, cols, units, start, end, confidence=HASHRATE_CONFIDENCE)


def drawdowns(start: Any = None, end: Any = None, window_days: int = 30,
              min_depth: float = S.MIN_EPISODE_DEPTH) -> pd.DataFrame:
    """Hashrate drawdown episodes, one row each: peak, trough, recovery, depth, rank.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        Keep the episodes whose peak falls in these days, inclusive; default all of them.
    window_days : int, default 30
        Window of the smoothed hashrate [days], a whole number in [1, 365]: 30 as ``hashpower network``
        (7 is the other usual one).
    min_depth : float, default 0.02
        Shallowest episode kept [-], decimal in [0, 1): the commands' ``MIN_EPISODE_DEPTH``.

    Returns
    -------
    pandas.DataFrame
        Index ``peak_date`` (the last day at the running peak); ``trough_date``, ``recovery_date`` (the
        first day back at the peak, NaT while the episode lasts), ``depth`` [-] = 1 - trough / peak,
        ``days_to_trough``, ``days_to_recovery`` [days] (NaN while it lasts), ``rank`` (1 = the deepest of
        the whole history) and ``largest_since`` (peak of the latest earlier episode at least as deep, NaT
        for the deepest on record). Ranks are over the whole history whatever ``start`` and ``end``.

    Notes
    -----
    :func:`hashpower.models.network.drawdown_episodes` on the ``window_days`` estimate of
    :func:`hashrate_daily`. A daily drawdown series is :func:`hashrate_daily`'s ``drawdown_30d``.
    """
    w = _whole("window_days", window_days, 1, 365)
    if isinstance(min_depth, bool) or not isinstance(min_depth, int | float | np.floating) or not 0 <= min_depth < 1:
        raise ValueError(f"min_depth must be a decimal in [0, 1), got {min_depth!r}")
    s = S.series()
    dates = s["dates"]
    if f"episodes_{w}d" in s and min_depth == S.MIN_EPISODE_DEPTH:
        ep = s[f"episodes_{w}d"]
    else:
        h = s["history"]
        x = s.get(f"hashrate_{w}d") or network.hashrate_from_blocks(h["difficulty"].to_numpy(float),
                                                                    h["blocks"].to_numpy(float), w)
        ep = network.drawdown_episodes(x[0], float(min_depth))
    recs = S.episode_records(ep, dates)
    s_day, e_day = _bounds(dates, start, end)
    keep = [r for r in recs if s_day.isoformat() <= r["peak_date"] <= e_day.isoformat()]

    def day(v: str | None):
        return pd.Timestamp(v) if v is not None else pd.NaT

    df = pd.DataFrame({
        "trough_date": pd.DatetimeIndex([day(r["trough_date"]) for r in keep], dtype=dates.dtype),
        "recovery_date": pd.DatetimeIndex([day(r["recovery_date"]) for r in keep], dtype=dates.dtype),
        "depth": np.array([r["depth"] for r in keep], dtype=float),
        "days_to_trough": np.array([r["days_to_trough"] for r in keep], dtype=float),
        "days_to_recovery": np.array([r["days_to_recovery"] if r["days_to_recovery"] >= 0 else np.nan
                                      for r in keep], dtype=float),
        "rank": np.array([r["rank"] for r in keep], dtype=np.int64),
        "largest_since": pd.DatetimeIndex([day(r["largest_since"]) for r in keep], dtype=dates.dtype),
    }, index=pd.DatetimeIndex([day(r["peak_date"]) for r in keep], name="peak_date", dtype=dates.dtype))
    df.attrs = {"units": {"trough_date": "date", "recovery_date": "date", "depth": "-", "days_to_trough": "days",
                          "days_to_recovery": "days", "rank": "-", "largest_since": "date"},
                "window_days": w, "min_depth": float(min_depth), "episodes_in_history": len(recs)}
    return df


def power_daily(start: Any = None, end: Any = None,
                power_price_usd_per_kwh: float = S.DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH,
                method: str = "hashpower") -> pd.DataFrame:
    """Network power of every day in the CBECI style: lower bound, best guess, upper bound, and energy.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default the whole history.
    power_price_usd_per_kwh : float, default 0.05
        Electricity price of the profitability threshold [USD/kWh], > 0: CBECI's default (its
        methodology page), as ``hashpower network``.
    method : {"hashpower", "ccaf"}, default "hashpower"
        Ours (:func:`hashpower.models.network.cbeci_power_bounds`) or CCAF's own computation
        (:func:`hashpower.models.cbeci.cbeci_ccaf_power_bounds`, 7-day means), as ``--method``.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; ``power_lower_gw``, ``power_best_gw``, ``power_upper_gw`` [GW];
        ``energy_lower_twh_per_year``, ``energy_best_twh_per_year``, ``energy_upper_twh_per_year``
        [TWh/year] (the power over 8,766 hours); ``profitability_threshold_j_per_th`` [J/TH] and
        ``profitable_models`` [-]: ``hashpower network``'s ``power_gw``, ``energy_twh_per_year``,
        ``profitability_threshold_j_per_th`` and ``profitable_models``.
    """
    if method not in POWER_METHODS:
        raise ValueError(f"method must be one of {', '.join(POWER_METHODS)}, got {method!r}")
    p = power_price_usd_per_kwh
    if isinstance(p, bool) or not isinstance(p, int | float | np.integer | np.floating) or not np.isfinite(p) \
            or p <= 0:
        raise ValueError(f"power_price_usd_per_kwh must be a number > 0 USD/kWh, got {p!r}")
    s = S.series(float(p))
    pw = s["power_w"] if method == "hashpower" else s["power_w_ccaf"]
    cols: dict[str, Any] = {}
    units: dict[str, str] = {}
    for k in ("lower", "best", "upper"):
        cols[f"power_{k}_gw"] = np.asarray(pw[k], dtype=float) / 1e9
        units[f"power_{k}_gw"] = "GW"
    for k in ("lower", "best", "upper"):
        cols[f"energy_{k}_twh_per_year"] = cols[f"power_{k}_gw"] * network.HOURS_PER_YEAR / 1000
        units[f"energy_{k}_twh_per_year"] = "TWh/year"
    cols["profitability_threshold_j_per_th"] = np.asarray(pw["threshold_j_per_th"], dtype=float)
    cols["profitable_models"] = np.asarray(pw["profitable_models"], dtype=np.int64)
    units.update(profitability_threshold_j_per_th="J/TH", profitable_models="-")
    return _frame(s["dates"], cols, units, start, end, method=method, power_price_usd_per_kwh=float(p))


def _pool_window(window_days: Any, merge_templates: Any) -> tuple[int, bool, dt.date, dt.date]:
    if not isinstance(merge_templates, bool):
        raise ValueError(f"merge_templates must be True or False, got {merge_templates!r}")
    first, last = S.block_day_range()
    span = (last - first).days + 1
    return _whole("window_days", window_days, 1, span), merge_templates, first, last


def _pool_days(conc: dict[str, Any], w: int, first: dt.date, last: dt.date, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a concentration series whose whole window lies in the full days of the pool data, and their days."""
    days = np.asarray(conc["days"], dtype=np.int64)
    e = dt.date(1970, 1, 1)
    lo, hi = (first - e).days + w - 1, (last - e).days
    rows = np.flatnonzero((days >= lo) & (days <= hi))
    return rows, _days(days[rows], dtype)


def concentration_daily(start: Any = None, end: Any = None, window_days: int = 7,
                        merge_templates: bool = False) -> pd.DataFrame:
    """Pool concentration over the trailing window of every day of the per-block pool data.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default every day whose whole window lies in the pool data
        (attributed blocks from 2021-01-03 in the embedded data).
    window_days : int, default 7
        Window [days], a whole number in [1, days of pool data]: ``hashpower security``'s default.
    merge_templates : bool, default False
        Count the pools that share one block template as one (``--merge-templates``).

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (the window's last UTC day, by block header time); ``blocks`` [-] in the window,
        ``hhi`` [0-10,000] (:func:`hashpower.models.security.hhi` of the pools' shares),
        ``nakamoto_coefficient`` [-] (fewest pools above 50 %), ``top_pool`` (slug of the pool with the
        most blocks), ``top_pool_share`` and ``unattributed_share`` [-]: ``hashpower security --date D
        --window-days W``'s ``hhi``, ``nakamoto_coefficient``, first pool and ``unattributed_share``.
    """
    w, merge, first, last = _pool_window(window_days, merge_templates)
    conc = S.concentration_series(w, merge)
    dtype = S.history().index.dtype
    rows, days = _pool_days(conc, w, first, last, dtype)
    shares = np.asarray(conc["shares"])[rows]
    top = np.argmax(shares, axis=1) if shares.shape[1] else np.zeros(rows.size, dtype=np.int64)
    labels = np.asarray(conc["labels"], dtype=object)
    cols = {"blocks": np.asarray(conc["blocks"])[rows].astype(np.int64),
            "hhi": np.asarray(conc["hhi"], dtype=float)[rows],
            "nakamoto_coefficient": np.asarray(conc["nakamoto_coefficient"])[rows].astype(np.int64),
            "top_pool": labels[top] if labels.size else np.full(rows.size, None),
            "top_pool_share": shares[np.arange(rows.size), top] if shares.shape[1] else np.zeros(rows.size),
            "unattributed_share": 1 - shares.sum(axis=1)}
    units = {"blocks": "-", "hhi": "0-10,000", "nakamoto_coefficient": "-", "top_pool": "slug",
             "top_pool_share": "-", "unattributed_share": "-"}
    return _frame(days, cols, units, start, end, window_days=w, merge_templates=merge)


def pool_shares_daily(start: Any = None, end: Any = None, window_days: int = 30, top: int = 10,
                      merge_templates: bool = False) -> pd.DataFrame:
    """Each pool's share of the blocks over the trailing window of every day, for a stacked chart.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default every day whose whole window lies in the pool data.
    window_days : int, default 30
        Window [days], a whole number in [1, days of pool data].
    top : int, default 10
        Pools given a column [-], a whole number in [1, 1000]: those with the most blocks over the
        frame's days; the rest are summed in ``others``.
    merge_templates : bool, default False
        Count the pools that share one block template as one.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; one column per pool (its slug, most blocks first), ``others`` and ``unknown``
        (blocks attributed to no pool), shares [-] of the window's blocks that sum to 1 on each day.
    """
    w, merge, first, last = _pool_window(window_days, merge_templates)
    n = _whole("top", top, 1, 1000)
    conc = S.concentration_series(w, merge)
    dtype = S.history().index.dtype
    rows, days = _pool_days(conc, w, first, last, dtype)
    counts = np.asarray(conc["counts"], dtype=float)[rows]
    blocks = np.asarray(conc["blocks"], dtype=float)[rows]
    idx = pd.DatetimeIndex(days, name="date")
    s, e = _bounds(idx, start, end)
    sel = (idx >= pd.Timestamp(s)) & (idx <= pd.Timestamp(e))
    order = np.argsort(-counts[sel].sum(axis=0), kind="stable")[:n]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(blocks[:, None] > 0, counts / blocks[:, None], 0.0)
    labels = [str(x) for x in conc["labels"]]
    cols = {labels[j]: shares[:, j] for j in order}
    with np.errstate(divide="ignore", invalid="ignore"):  # from the counts, so that no share is below 0
        rest = np.delete(counts, order, axis=1).sum(axis=1)
        cols["others"] = np.where(blocks > 0, rest / blocks, 0.0)
        cols["unknown"] = np.where(blocks > 0, (blocks - counts.sum(axis=1)) / blocks, 0.0)
    return _frame(days, cols, dict.fromkeys(cols, "-"), start, end, window_days=w, merge_templates=merge,
                  names={k: v for k, v in S.pool_display_names().items() if k in cols})


def indicators_daily(start: Any = None, end: Any = None) -> pd.DataFrame:
    """The classic miner indicators of every day: Hash Ribbons and the Puell multiples.

    Parameters
    ----------
    start, end : str, date or timestamp, optional
        First and last day, inclusive; default the whole history.

    Returns
    -------
    pandas.DataFrame
        Index ``date``; ``hashrate_sma_30d_ehs``, ``hashrate_sma_60d_ehs`` [EH/s] (the ribbons, SMAs of the
        block-implied daily hashrate), ``hash_ribbons_state`` ("none", "capitulation", "recovery", as known
        at the end of the day), ``hash_ribbons_buy_signal`` (True on the day of a buy signal),
        ``puell_multiple`` and ``puell_multiple_difficulty_adjusted`` [-]: ``hashpower network --date D``'s
        ``indicators`` (:mod:`hashpower.models.indicators`). Every value uses that day and earlier ones only.
    """
    s = indicator_series()
    r = s["ribbons"]
    n = len(s["dates"])
    buy = np.zeros(n, dtype=bool)
    buy[np.asarray(r["buy"], dtype=np.int64)] = True
    cols = {"hashrate_sma_30d_ehs": np.asarray(r["sma_short"], dtype=float) / 1e18,
            "hashrate_sma_60d_ehs": np.asarray(r["sma_long"], dtype=float) / 1e18,
            "hash_ribbons_state": [ind.STATE_NAMES[int(v)] for v in r["state"]],
            "hash_ribbons_buy_signal": buy,
            "puell_multiple": np.asarray(s["puell"], dtype=float),
            "puell_multiple_difficulty_adjusted": np.asarray(s["puell_difficulty"], dtype=float)}
    units = {"hashrate_sma_30d_ehs": "EH/s", "hashrate_sma_60d_ehs": "EH/s", "hash_ribbons_state": "-",
             "hash_ribbons_buy_signal": "bool", "puell_multiple": "-", "puell_multiple_difficulty_adjusted": "-"}
    return _frame(s["dates"], cols, units, start, end)


#: The daily series served by name (``GET /v1/daily?series=``): the frames above that take only ``start`` and
#: ``end``, at their defaults.
DAILY_SERIES = {"hashprice": hashprice_daily, "hashrate": hashrate_daily, "index": index_daily,
                "indicators": indicators_daily}


def daily_frame(series: str, start: Any = None, end: Any = None, columns: str | None = None) -> pd.DataFrame:
    """One of :data:`DAILY_SERIES` by name, cut to ``start`` .. ``end`` and to ``columns`` (comma-separated).

    ``ValueError`` naming ``series`` or ``columns`` (with the allowed names) for an unknown one.
    """
    if series not in DAILY_SERIES:
        raise ValueError(f"series must be one of {', '.join(DAILY_SERIES)}, got {series!r}")
    df = DAILY_SERIES[series](start, end)
    if columns is None:
        return df
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in df.columns]
    if unknown or not wanted:
        raise ValueError(f"columns of series {series} are {', '.join(df.columns)}; got {columns!r}")
    out = df[list(dict.fromkeys(wanted))]
    out.attrs = {**df.attrs, "units": {c: df.attrs["units"][c] for c in out.columns}}
    return out


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame of this module as dicts (the API's JSON).

    ``date`` and date columns as ``YYYY-MM-DD``, NaT as NaN (which the API sends as null).
    """
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    out.index = out.index.strftime("%Y-%m-%d")
    return out.reset_index(names="date").to_dict(orient="records")
