"""Figures of ``hashpower network`` (and ``/v1/network``): hashrate, drawdowns, network power, difficulty outlook.

Reads the store through :mod:`hashpower.figures.series`; the models are :mod:`hashpower.models.network` and
:mod:`hashpower.models.chain`; the miner indicators (Hash Ribbons, Puell) come from :mod:`.indicators`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from hashpower.figures.indicators import indicator_figures
from hashpower.figures.notable import notable_block
from hashpower.figures.series import (
    DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH,
    HASHRATE_WINDOWS_DAYS,
    _date,
    _day_index,
    episode_records,
    epoch_facts,
    history,
    series,
)
from hashpower.models import chain, network

#: Latest time accepted as a tip time or "now" [unix s] (the end of year 9999, the last a datetime can show).
_LATEST_TIME_S = 253_402_300_800
#: Longest time string quoted back in a refusal [chars].
_QUOTED_CHARS = 40


def parse_time(value: Any, name: str) -> float | None:
    """A time given as ISO-8601 (UTC unless it carries an offset) or as unix seconds, in unix seconds.

    ``None`` stays ``None``; numbers are unix seconds; strings are either a number (unix seconds) or an
    ISO-8601 date or date-time (``2026-02-15``, ``2026-02-15T12:00:00Z``, ``...+02:00``; naive means UTC).
    Anything else, a negative time or one past year 9999 raises ``ValueError`` naming ``name``.
    """
    if value is None:
        return None
    shown = repr(value) if len(repr(value)) <= _QUOTED_CHARS else repr(value)[:_QUOTED_CHARS] + "..."
    bad = ValueError(f"{name} must be an ISO-8601 UTC time (2026-02-15T12:00:00Z) or unix seconds, got {shown}")
    if isinstance(value, bool):
        raise bad
    if isinstance(value, int | float | np.integer | np.floating):
        t = float(value)
    else:
        s = str(value).strip()
        try:
            t = float(s)
        except ValueError:
            try:
                d = dt.datetime.fromisoformat(s)
            except ValueError:
                raise bad from None
            t = (d if d.tzinfo else d.replace(tzinfo=dt.UTC)).timestamp()
    if not (0 <= t < _LATEST_TIME_S):  # also refuses nan
        raise ValueError(f"{name} must be a time between 1970 and 9999, got {shown}")
    return t


def _iso(t: float) -> str:
    """Unix seconds as ISO-8601 UTC, to the second (to the millisecond when it has a fraction)."""
    spec = "seconds" if float(t).is_integer() else "milliseconds"
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def _block_times(heights: list[int]) -> dict[int, float]:
    """Header times of the given heights that the store's per-block data holds [unix s]."""
    from hashpower import store

    con = store.connect()
    try:
        rows = con.execute("SELECT height, timestamp FROM blocks WHERE " + " OR ".join(["height = ?"] * len(heights)),
                           [int(x) for x in heights]).fetchall()
    finally:
        con.close()
    return {int(h): float(t) for h, t in rows}


def difficulty_outlook(day: dt.date, tip_height: Any = None, tip_time: Any = None, now: Any = None) -> dict[str, Any]:
    """The next adjustment estimated from the progress of the epoch at a tip, two ways.

    ``tip_height`` defaults to the last block of ``day`` (the store's last block for the latest day);
    ``tip_time`` to that block's header time where the store has it, else the end of the tip's day;
    ``now`` to the clock, but not past the end of the tip's day (the figures are as of that day). Times are
    unix seconds or ISO-8601 strings (:func:`parse_time`).

    The epoch's first block time comes from the per-block data where it has it, else it is placed inside
    its day by the share of the day's blocks mined before it. ``expected_*`` project the tip's mean interval
    over the 2015 intervals Core measures (:func:`hashpower.models.chain.estimate_next_adjustment`);
    ``estimated_*``, ``progress`` and ``expected_blocks`` are mempool.space's estimate by the clock, locked
    to Core's rule once the epoch's last block is in (:func:`hashpower.models.chain.difficulty_adjustment`).
    """
    h = history()
    ends = h["height_end"].to_numpy()
    if tip_height is None:
        k_tip = int(np.searchsorted(h.index.values, np.datetime64(day, "ns")))
        tip = int(ends[k_tip])
    else:
        if isinstance(tip_height, bool) or not isinstance(tip_height, int | np.integer):
            raise ValueError(f"tip_height must be a whole number, got {tip_height!r}")
        tip = int(tip_height)
        if tip < 0:
            raise ValueError(f"tip_height must be >= 0, got {tip_height!r}")
        if tip > int(ends[-1]):
            raise ValueError(f"tip_height {tip} is after the store's last block {int(ends[-1])}")
        k_tip = int(np.searchsorted(ends, tip))  # the day whose blocks include the tip
    row = h.iloc[k_tip]
    end_of_tip_day = float(h.index[k_tip].value // 10**9 + 86_400)
    start = tip - tip % chain.RETARGET_INTERVAL_BLOCKS
    window_height = tip - chain.RETARGET_INTERVAL_BLOCKS // 4 + 1  # mempool's "504 blocks ago": tip - 503
    diffs, start_times = epoch_facts()
    headers = _block_times([tip, window_height])
    got = start_times.get(start)
    diff = diffs.get(start)
    nxt = diffs.get(start + chain.RETARGET_INTERVAL_BLOCKS)
    if got is not None:
        t0, how = got, "block timestamp"
    else:
        k = int(np.searchsorted(ends, start))  # the day whose blocks include the epoch's first
        prev_end = int(ends[k - 1]) if k > 0 else -1
        share = (start - prev_end - 0.5) / max(float(h["blocks"].iloc[k]), 1.0)
        day0 = h.index[k].value // 10**9
        t0, how = day0 + share * 86_400.0, "daily block counts"
    t_now, now_from = parse_time(now, "now"), "given"
    if t_now is None:
        import time

        clock = time.time()
        t_now, now_from = (clock, "clock") if clock < end_of_tip_day else (end_of_tip_day, "end of the tip's day")
    t_tip = parse_time(tip_time, "tip_time")
    if t_tip is not None:
        tip_from = "given"
    elif tip in headers:
        t_tip, tip_from = headers[tip], "block timestamp"
    else:
        t_tip, tip_from = min(end_of_tip_day, t_now), "end of day"
    if t0 > t_now + chain.MAX_FUTURE_BLOCK_TIME_S:
        raise ValueError(f"now {_iso(t_now)} is before the first block of the tip's epoch, {start}, at {_iso(t0)}")
    if t_tip > t_now + chain.MAX_FUTURE_BLOCK_TIME_S:
        raise ValueError(f"tip_time {_iso(t_tip)} is more than {chain.MAX_FUTURE_BLOCK_TIME_S} s after now "
                         f"{_iso(t_now)}")
    difficulty = diff if diff is not None else float(row["difficulty"])
    prev_diff = diffs.get(start - chain.RETARGET_INTERVAL_BLOCKS)
    window = {}
    if window_height in headers and prev_diff is not None:
        window = {"window_start_time": headers[window_height], "previous_change": difficulty / prev_diff - 1}
    clock = chain.difficulty_adjustment(t0, tip, t_tip, t_now, **window)
    tip_time_in_epoch = t0 if tip == start else max(t_tip, t0)
    est = chain.estimate_next_adjustment(start, t0, tip, tip_time_in_epoch, difficulty)
    out = {
        "epoch": start // chain.RETARGET_INTERVAL_BLOCKS, "epoch_start_height": start, "tip_height": tip,
        "blocks_done": est.blocks_done, "remaining_blocks": est.remaining_blocks,
        "retarget_height": est.retarget_height, "mean_block_interval_s": est.mean_interval_s,
        "expected_change": est.change, "expected_difficulty": est.new_difficulty,
        "expected_retarget_date": dt.datetime.fromtimestamp(est.projected_retarget_time, dt.UTC).date().isoformat(),
        "epoch_start_time_from": how,
        "tip_time": _iso(t_tip), "tip_time_from": tip_from, "now": _iso(t_now), "now_from": now_from,
        "progress": clock.progress, "expected_blocks": clock.expected_blocks,
        "estimated_change": clock.change, "locked": clock.locked,
        "estimated_change_from": ("the epoch's first and last block times" if clock.locked else
                                  "the 504-block window" if clock.windowed else "the time elapsed by now"),
        "estimated_retarget_time": _iso(clock.estimated_retarget_time),
    }
    if nxt is not None:
        out["actual_change"] = nxt / difficulty - 1
    return out


#: Methods of the network power: ``hashpower`` (ours, :func:`hashpower.models.network.cbeci_power_bounds`, the
#: default) and ``ccaf`` (CCAF's own computation, :func:`hashpower.models.cbeci.cbeci_ccaf_power_bounds`).
POWER_METHODS = ("hashpower", "ccaf")


def network_figures(date: Any = None,
                    power_price_usd_per_kwh: float = DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH,
                    window_days: int | None = None, method: str = "hashpower", *, tip_height: Any = None,
                    tip_time: Any = None, now: Any = None) -> dict[str, Any]:
    """Hashrate estimates, drawdown, network power and energy, and the difficulty outlook on one day.

    ``tip_height``, ``tip_time`` and ``now`` are the inputs of the next-adjustment estimate (defaults and
    formats: :func:`difficulty_outlook`).

    ``window_days`` adds a hashrate estimate over that many trailing days to the usual 1, 3, 7 and 30;
    ``method`` picks the network-power method (:data:`POWER_METHODS`; docs/network.md compares them).
    """
    if method not in POWER_METHODS:
        raise ValueError(f"method must be one of {', '.join(POWER_METHODS)}, got {method!r}")
    if not np.isfinite(power_price_usd_per_kwh) or power_price_usd_per_kwh <= 0:
        raise ValueError(f"power_price_usd_per_kwh must be > 0, got {power_price_usd_per_kwh!r}")
    if window_days is not None and (int(window_days) != window_days or window_days < 1):
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    s = series(float(power_price_usd_per_kwh))
    dates = s["dates"]
    i, day = _day_index(date, dates)
    est = {}
    for w in HASHRATE_WINDOWS_DAYS:
        e, lo, hi = (float(a[i]) / 1e18 for a in s[f"hashrate_{w}d"])
        est[f"{w}d"] = {"estimate": e, "lower_90": lo, "upper_90": hi}
    if window_days is not None and f"{window_days}d" not in est:
        if window_days > i + 1:
            raise ValueError(f"window_days {window_days} reaches before the first day of the data")
        h = s["history"]
        sl = slice(i + 1 - int(window_days), i + 1)
        e, lo, hi = network.hashrate_from_blocks(h["difficulty"].to_numpy(float)[sl], h["blocks"].to_numpy(float)[sl],
                                                 int(window_days))
        est[f"{window_days}d"] = {"estimate": float(e[-1]) / 1e18, "lower_90": float(lo[-1]) / 1e18,
                                  "upper_90": float(hi[-1]) / 1e18}
    h7, h30 = est["7d"]["estimate"], est["30d"]["estimate"]
    j = i - 365
    change_1y = h30 / (float(s["hashrate_30d"][0][j]) / 1e18) - 1 if j >= 29 else None
    eps = episode_records(s["episodes_30d"], dates)
    # the episode the day is in (or the last one before it)
    current = None
    for e in eps:
        if e["peak_date"] <= day.isoformat() and (e["recovery_date"] is None or e["recovery_date"] >= day.isoformat()):
            current = e
    if current is not None:
        k = np.flatnonzero(s["episodes_30d"]["peak"] == int(np.searchsorted(dates.values,
                                                                            np.datetime64(current["peak_date"], "ns"))))
        x = s["hashrate_30d"][0]
        pk = int(s["episodes_30d"]["peak"][k[0]])
        seg = x[pk:i + 1]
        trough_k = pk + int(np.nanargmin(seg))
        drawdown = {"peak_date": current["peak_date"], "trough_date": _date(trough_k, dates),
                    "depth": float(1 - x[trough_k] / x[pk]), "current": float(1 - x[i] / x[pk]),
                    "rank": current["rank"], "episodes": len(eps)}
        since = [e for e in eps if e["peak_date"] < current["peak_date"] and e["depth"] >= drawdown["depth"]]
        largest_since = since[-1]["peak_date"] if since else None
    else:
        drawdown, largest_since = {"peak_date": None, "trough_date": None, "depth": 0.0, "current": 0.0}, None
    dd = network.drawdown_to_date(s["hashrate_30d"][0][: i + 1])  # the episode's depth so far, on each day
    drawdown_notable = notable_block(dd["depth_to_date"], dates, change="depth", vocabulary="drawdown",
                                     since_index=dd["peak"]) if drawdown["peak_date"] else None
    p = s["power_w"] if method == "hashpower" else s["power_w_ccaf"]
    power = {k: float(p[k][i]) / 1e9 for k in ("lower", "best", "upper")}
    energy = {k: v * network.HOURS_PER_YEAR / 1000 for k, v in power.items()}
    return {
        "date": day.isoformat(),
        "hashrate_ehs_7d": h7, "hashrate_ehs_30d": h30, "change_1y": change_1y,
        "hashrate_ehs": est,
        "drawdown": drawdown,
        "largest_drawdown_since": largest_since,
        "drawdown_notable": drawdown_notable,
        "power_method": method,
        "power_price_usd_per_kwh": float(power_price_usd_per_kwh),
        "profitability_threshold_j_per_th": float(p["threshold_j_per_th"][i]),
        "profitable_models": int(p["profitable_models"][i]),
        "power_gw": power,
        "energy_twh_per_year": energy,
        "difficulty": float(s["history"]["difficulty"].iloc[i]),
        "difficulty_outlook": difficulty_outlook(day, tip_height, tip_time, now),
        "indicators": indicator_figures(i),
    }
