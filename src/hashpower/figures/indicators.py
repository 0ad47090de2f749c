"""The classic miner indicators on one day: Hash Ribbons and the Puell multiples (the ``indicators`` of ``network``).

The models are :mod:`hashpower.models.indicators`. The hashrate is the block-implied daily one
(:func:`hashpower.models.network.hashrate_from_blocks` over 1 day, as ``series()["hashrate_1d"]``:
difficulty x 2^32 x blocks / 86,400 s, from the store's ``difficulty`` and ``blocks``), so the ribbon's
30-day SMA is the network's 30-day estimate; issuance is the store's ``subsidy_btc`` x ``price_usd``. All
from :func:`hashpower.figures.series.history`, computed once per store file.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from hashpower import store
from hashpower.figures.series import _date, _day_index, history
from hashpower.models import indicators as ind
from hashpower.models import network

__all__ = ["HASHRATE_SERIES", "indicator_figures", "indicator_series", "indicators_on"]

#: The hashrate the ribbons are computed on (said in the output and in docs/network.md).
HASHRATE_SERIES = "block-implied daily hashrate: difficulty x 2^32 x blocks / 86,400 s"


def indicator_series() -> dict[str, Any]:
    """Hash Ribbons and both Puell multiples over the whole history, cached until the store changes."""
    p = store.ensure()
    return _indicator_series(str(p), p.stat().st_mtime)


@lru_cache(maxsize=2)
def _indicator_series(path_key: str, mtime: float) -> dict[str, Any]:  # noqa: ARG001 - the key invalidates the cache
    h = history()
    d, price = h["difficulty"].to_numpy(float), h["price_usd"].to_numpy(float)
    hashrate_hs = network.hashrate_from_blocks(d, h["blocks"].to_numpy(float), 1)[0]
    issuance = h["subsidy_btc"].to_numpy(float) * price
    return {
        "dates": h.index,
        "ribbons": ind.hash_ribbons(hashrate_hs, price),
        "puell": ind.puell_multiple(issuance),
        "puell_difficulty": ind.difficulty_adjusted_puell(issuance, d),
    }


def _num(x: float, scale: float = 1.0) -> float | None:
    return float(x) / scale if np.isfinite(x) else None


def indicator_figures(i: int) -> dict[str, Any]:
    """The indicators as known at the end of day ``i`` (an index into the history): nothing later is used."""
    s = indicator_series()
    dates, r = s["dates"], s["ribbons"]
    known = r["start_known"] <= i
    periods = []
    for a, b, b_known in zip(r["starts"][known], r["ends"][known], r["end_known"][known], strict=True):
        done = 0 <= b_known <= i
        periods.append({"start": _date(int(a), dates), "end": _date(int(b), dates) if done else None,
                        "days": int(b - a) if done else int(i - a + 1)})
    state = ind.STATE_NAMES[int(r["state"][i])]
    current = periods[-1] if state == "capitulation" else None
    recovered = r["ends"][(r["end_known"] >= 0) & (r["end_known"] <= i)]
    buys = r["buy"][r["buy"] <= i]
    return {
        "hash_ribbons": {
            "hashrate_ehs_sma_30d": _num(r["sma_short"][i], 1e18),
            "hashrate_ehs_sma_60d": _num(r["sma_long"][i], 1e18),
            "state": state,
            "capitulation_start": current["start"] if current else None,
            "capitulation_days": current["days"] if current else None,
            "last_recovery_date": _date(int(recovered[-1]), dates) if recovered.size else None,
            "last_buy_signal_date": _date(int(buys[-1]), dates) if buys.size else None,
            "capitulations": periods,
            "hashrate_series": HASHRATE_SERIES,
        },
        "puell_multiple": _num(s["puell"][i]),
        "puell_multiple_difficulty_adjusted": _num(s["puell_difficulty"][i]),
    }


def indicators_on(date: Any = None) -> dict[str, Any]:
    """:func:`indicator_figures` for a day (``YYYY-MM-DD``; the latest in the store when None)."""
    i, day = _day_index(date, indicator_series()["dates"])
    return {"date": day.isoformat(), **indicator_figures(i)}
