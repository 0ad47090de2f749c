"""The ``notable`` block of a figure: what is notable about a day's value against its history, with its text.

The rule is :func:`hashpower.models.network.notable` ("lowest since D" only when the value is the lowest for at
least 30 days, "record low" when it is the lowest ever, likewise high; otherwise the 30-day change). Every
interface (terminal, HTML briefing, dashboard) prints the ``text`` built here, so the words are the same
everywhere.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hashpower.models import network

__all__ = ["notable_block"]

#: Words for each kind, by the series' vocabulary ("highest" of a drawdown is "largest").
_WORDS = {
    "level": {"lowest_since": "the lowest since {since}", "highest_since": "the highest since {since}",
              "record_low": "a record low", "record_high": "a record high"},
    "drawdown": {"highest_since": "the largest since the drawdown that began {since}",
                 "record_high": "the largest on record"},
}


def _change_text(change: float, how: str, days: int) -> str:
    if not math.isfinite(change):
        return f"no value {days} days earlier to compare"
    if how == "rate":
        return f"{change:+.1%} in {days} days"
    if how == "points":
        return f"{'up' if change >= 0 else 'down'} {abs(change):.1f} points in {days} days"
    return f"{'deeper' if change >= 0 else 'shallower'} by {abs(change) * 100:.1f} percentage points in {days} days"


def notable_block(values: Any, dates, change: str = "rate", vocabulary: str = "level",
                  min_days: int = network.NOTABLE_MIN_DAYS, since_index: Any = None) -> dict[str, Any]:
    """The notable fact about the last of ``values`` (one per day of ``dates``, up to the day).

    ``change`` is how the 30-day change is given when nothing is notable: ``"rate"`` (a decimal,
    key ``change_30d``), ``"points"`` (a difference of index points, key ``change_30d_points``) or
    ``"depth"`` (a difference of drawdown depths, a decimal, key ``change_30d``). ``vocabulary`` is
    ``"level"`` or ``"drawdown"`` (only the high side is notable, said "largest"). ``since_index``, if
    given, maps the day found to the day reported (a drawdown: the peak its episode began from).
    """
    sides = ("high",) if vocabulary == "drawdown" else ("low", "high")
    # an episode's depth to date holds its value: only a deeper earlier day ends its run
    r = network.notable(np.asarray(values, dtype=float), min_days, sides, strict=vocabulary == "drawdown")
    j = int(r["since"])
    if j >= 0 and since_index is not None:
        j = int(since_index[j])
    since = dates[j].date().isoformat() if j >= 0 else None
    value = r["change_rate"] if change == "rate" else r["change"]
    key = "change_30d_points" if change == "points" else "change_30d"
    kind = r["kind"]
    text = (_WORDS[vocabulary][kind].format(since=since) if kind else _change_text(float(value), change, min_days))
    return {"kind": kind, "since": since, key: float(value) if math.isfinite(value) else None,
            "min_days": int(min_days), "text": text}
