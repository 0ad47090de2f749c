"""The miner sustainability index (0-100): miner revenue per unit of difficulty against its own history.

Pure numpy, a day is an index into the arrays (dates are the caller's, :mod:`hashpower.figures.series`).

References
----------
.. [4] Puell, D. (2019), "The Puell Multiple": miner revenue relative to its
   365-day moving average.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.network import _rolling_sum

__all__ = ["INDEX_BANDS", "index_band", "sustainability_index"]

#: Named bands of the sustainability index: (upper edge, name), read in order.
INDEX_BANDS = ((10.0, "extremely underpaid"), (30.0, "underpaid"), (70.0, "fair"), (90.0, "overpaid"),
               (100.0, "extremely overpaid"))


def _rolling_mean_tail(x: np.ndarray, w: int) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(x))
    if ok.size == 0:
        return out
    first = ok[0]
    tail = x[first:]
    if not np.all(np.isfinite(tail)):
        raise ValueError("values must have no gaps after their first finite value")
    if tail.size >= w:
        out[first + w - 1:] = _rolling_sum(tail, w)[w - 1:] / w
    return out


def sustainability_index(
    revenue_usd: ArrayLike,
    difficulty: ArrayLike,
    *,
    smoothing_days: int = 30,
    baseline_days: int = 365,
    scale_days: int = 1461,
    min_scale_days: int = 365,
) -> np.ndarray:
    """The miner profit/loss sustainability index (0-100): how well miners are paid for the work asked of them.

    Parameters
    ----------
    revenue_usd : array_like, shape (days,)
        Miner revenue of each day (subsidy + fees) [USD]; NaN before prices exist.
    difficulty : array_like, shape (days,)
        Difficulty of each day [-], > 0.
    smoothing_days : int, default 30
        Trailing mean of revenue per difficulty [days].
    baseline_days : int, default 365
        Trailing mean it is compared with [days] (the Puell multiple's year) [4]_.
    scale_days : int, default 1461
        Window of the log ratio's standard deviation [days]: one halving cycle.
    min_scale_days : int, default 365
        Fewest days of log ratios needed for a value [days].

    Returns
    -------
    numpy.ndarray, shape (days,)
        The index in [0, 100]; NaN until enough history exists.

    Notes
    -----
    With ``x = revenue_usd / difficulty`` (USD per unit of the work the network
    asks), ``r = log(mean_30(x) / mean_365(x))`` is the log of a Puell-style
    multiple on revenue per difficulty; ``z = r / sd_1461(r)`` its size in
    units of its own variability over the trailing halving cycle; the index is
    ``100 x Phi(z)`` (standard normal CDF): 50 is a normal year, below 10 the
    lowest tenth of readings a normal distribution would give.

    References
    ----------
    .. [4] Puell (2019), "The Puell Multiple".
    """
    rev = np.asarray(revenue_usd, dtype=float)
    d = np.asarray(difficulty, dtype=float)
    if rev.shape != d.shape or rev.ndim != 1:
        raise ValueError("revenue_usd and difficulty must be 1-D arrays of the same length")
    if np.any(d[np.isfinite(d)] <= 0) or np.any(rev[np.isfinite(rev)] < 0):
        raise ValueError("difficulty must be > 0 and revenue_usd >= 0")
    for name, v in (("smoothing_days", smoothing_days), ("baseline_days", baseline_days),
                    ("scale_days", scale_days), ("min_scale_days", min_scale_days)):
        if int(v) != v or v < 2:
            raise ValueError(f"{name} must be a whole number >= 2, got {v!r}")
    x = rev / d
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(_rolling_mean_tail(x, smoothing_days) / _rolling_mean_tail(x, baseline_days))
    r = np.where(np.isfinite(r), r, np.nan)
    sd = np.full(r.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(r))
    if ok.size:
        first = ok[0]
        tail = r[first:]
        c1 = np.concatenate([[0.0], np.cumsum(tail)])
        c2 = np.concatenate([[0.0], np.cumsum(tail * tail)])
        idx = np.arange(1, tail.size + 1)
        lo = np.maximum(idx - scale_days, 0)
        n = idx - lo
        s1, s2 = c1[idx] - c1[lo], c2[idx] - c2[lo]
        var = (s2 - s1 * s1 / n) / np.maximum(n - 1, 1)
        sd[first:] = np.where(n >= min_scale_days, np.sqrt(np.maximum(var, 0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = r / sd
    from math import erf

    out = np.full(z.shape, np.nan)
    good = np.isfinite(z)
    out[good] = 50.0 * (1.0 + np.vectorize(erf)(z[good] / math.sqrt(2.0)))
    return out


def index_band(value: float) -> str:
    """The named band of an index value.

    Extremely underpaid < 10 <= underpaid < 30 <= fair < 70 <= overpaid < 90 <= extremely overpaid.
    """
    if not np.isfinite(value) or not 0 <= value <= 100:
        raise ValueError(f"value must be in [0, 100], got {value!r}")
    for edge, name in INDEX_BANDS:
        if value < edge:
            return name
    return INDEX_BANDS[-1][1]
