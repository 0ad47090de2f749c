"""Figures of ``hashpower index`` (and ``/v1/index``): the miner sustainability index and its context.

The model is :func:`hashpower.models.index.sustainability_index`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hashpower.figures.notable import notable_block
from hashpower.figures.series import _date, _day_index, series
from hashpower.models import index as mindex
from hashpower.models.index import INDEX_BANDS

__all__ = ["INDEX_BANDS", "index_figures"]


def index_figures(date: Any = None) -> dict[str, Any]:
    """The sustainability index on one day, its band, the latest earlier day as low and what is notable.

    ``lowest_since`` is kept as it was (the latest earlier day as low, however recent); ``notable`` applies
    the 30-day rule of :func:`hashpower.models.network.notable` and carries the text the interfaces print.
    """
    s = series()
    dates = s["dates"]
    i, day = _day_index(date, dates)
    idx = s["index"]
    if not np.isfinite(idx[i]):
        first = int(np.flatnonzero(np.isfinite(idx))[0])
        raise ValueError(f"the index starts on {_date(first, dates)}; no value for {day}")
    ls = s["index_lowest_since"]
    return {
        "date": day.isoformat(),
        "sustainability_index": float(idx[i]),
        "band": mindex.index_band(float(idx[i])),
        "lowest_since": _date(int(ls[i]), dates) if ls[i] >= 0 else None,
        "notable": notable_block(idx[: i + 1], dates, change="points"),
        "method": "100 x Phi(log(mean30(revenue/difficulty) / mean365) / sd1461); see docs/network.md",
    }
