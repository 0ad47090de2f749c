"""Figures of ``hashpower network`` (and ``/v1/network``): hashrate, drawdowns, network power, difficulty outlook.

Reads the store through :mod:`hashpower.figures.series`; the models are :mod:`hashpower.models.network` and
:mod:`hashpower.models.chain`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

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


def difficulty_outlook(day: dt.date) -> dict[str, Any]:
    """The next adjustment estimated from the progress of the epoch in force at the end of ``day``.

    The epoch's first block time comes from the per-block data where it has
    it, else it is placed inside its day by the share of the day's blocks mined
    before it; the tip is the day's last block, at the end of the day.
    """
    h = history()
    row = h.loc[str(day)]
    tip = int(row["height_end"])
    start = tip - tip % chain.RETARGET_INTERVAL_BLOCKS
    tip_time = float(np.datetime64(day + dt.timedelta(days=1), "s").astype(np.int64))
    diffs, start_times = epoch_facts()
    got = start_times.get(start)
    diff = diffs.get(start)
    nxt = diffs.get(start + chain.RETARGET_INTERVAL_BLOCKS)
    if got is not None:
        t0, how = got, "block timestamp"
    else:
        ends = h["height_end"].to_numpy()
        k = int(np.searchsorted(ends, start))  # the day whose blocks include the epoch's first
        prev_end = int(ends[k - 1]) if k > 0 else -1
        share = (start - prev_end - 0.5) / max(float(h["blocks"].iloc[k]), 1.0)
        day0 = h.index[k].value // 10**9
        t0, how = day0 + share * 86_400.0, "daily block counts"
    difficulty = diff if diff is not None else float(row["difficulty"])
    if tip == start:
        tip_time = t0
    tip_time = max(tip_time, t0)
    est = chain.estimate_next_adjustment(start, t0, tip, tip_time, difficulty)
    out = {
        "epoch": start // chain.RETARGET_INTERVAL_BLOCKS, "epoch_start_height": start, "tip_height": tip,
        "blocks_done": est.blocks_done, "remaining_blocks": est.remaining_blocks,
        "retarget_height": est.retarget_height, "mean_block_interval_s": est.mean_interval_s,
        "expected_change": est.change, "expected_difficulty": est.new_difficulty,
        "expected_retarget_date": dt.datetime.fromtimestamp(est.projected_retarget_time, dt.UTC).date().isoformat(),
        "epoch_start_time_from": how,
    }
    if nxt is not None:
        out["actual_change"] = nxt / difficulty - 1
    return out


def network_figures(date: Any = None,
                    power_price_usd_per_kwh: float = DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH,
                    window_days: int | None = None) -> dict[str, Any]:
    """Hashrate estimates, drawdown, network power and energy, and the difficulty outlook on one day.

    ``window_days`` adds a hashrate estimate over that many trailing days to the usual 1, 3, 7 and 30.
    """
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
    p = s["power_w"]
    power = {k: float(p[k][i]) / 1e9 for k in ("lower", "best", "upper")}
    energy = {k: v * network.HOURS_PER_YEAR / 1000 for k, v in power.items()}
    return {
        "date": day.isoformat(),
        "hashrate_ehs_7d": h7, "hashrate_ehs_30d": h30, "change_1y": change_1y,
        "hashrate_ehs": est,
        "drawdown": drawdown,
        "largest_drawdown_since": largest_since,
        "power_price_usd_per_kwh": float(power_price_usd_per_kwh),
        "profitability_threshold_j_per_th": float(p["threshold_j_per_th"][i]),
        "profitable_models": int(p["profitable_models"][i]),
        "power_gw": power,
        "energy_twh_per_year": energy,
        "difficulty": float(s["history"]["difficulty"].iloc[i]),
        "difficulty_outlook": difficulty_outlook(day),
    }
