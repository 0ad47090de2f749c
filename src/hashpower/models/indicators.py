"""Classic miner indicators: Hash Ribbons, the Puell multiple and a difficulty-adjusted Puell multiple.

Pure numpy, a day is an index into the arrays (dates are the caller's, :mod:`hashpower.figures.indicators`).
Everything here is causal: the value of a day uses that day and the days before it only, so a reading "as
of" a day never sees later data.

References
----------
.. [1] Edwards, C. (2019), "Hash Ribbons & Bitcoin Bottoms", Capriole Investments; and his open-source
   TradingView script "Hash Ribbons" (capriole_charles), whose buy conditions are quoted in "Hash Ribbons
   buy signal breakdown and verbose explanation" (tradingview.com/chart/BTCUSD/6erd4swF): miners
   capitulate while the 30-day simple moving average (SMA) of the hashrate is below the 60-day SMA; the
   recovery is the 30-day SMA crossing back above; the buy signal is the first day after a recovery
   (and before a new capitulation) on which price momentum is positive, the 10-day SMA of price above
   the 20-day SMA (the crossover of the two, or the recovery day itself when it is already above).
.. [2] Puell, D. (2019), "The Puell Multiple" (@cryptopoiesis): the daily USD value of the coins issued
   (block subsidy, no fees) over its 365-day moving average. The same definition in the CryptoQuant data
   guide (dataguide.cryptoquant.com/network-indicators/puell-multiple) and Glassnode's metric.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CAPITULATION",
    "NONE",
    "RECOVERY",
    "STATE_NAMES",
    "difficulty_adjusted_puell",
    "hash_ribbons",
    "puell_multiple",
    "trailing_mean",
]

#: Hash Ribbon states of a day (the ``state`` array of :func:`hash_ribbons`).
NONE, CAPITULATION, RECOVERY = 0, 1, 2
STATE_NAMES = {NONE: "none", CAPITULATION: "capitulation", RECOVERY: "recovery"}


def _window(name: str, v) -> int:
    if isinstance(v, bool) or int(v) != v or v < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {v!r}")
    return int(v)


def _series(name: str, x: ArrayLike) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {a.shape}")
    if np.any(np.isinf(a)) or np.any(a[np.isfinite(a)] < 0):
        raise ValueError(f"{name} must be >= 0 (NaN where unknown)")
    return a


def trailing_mean(x: ArrayLike, window_days: int) -> np.ndarray:
    """Simple moving average over the trailing ``window_days`` days, the day included.

    Parameters
    ----------
    x : array_like, shape (days,)
        Daily values; NaN where unknown.
    window_days : int
        Window [days], >= 1.

    Returns
    -------
    numpy.ndarray, shape (days,)
        The mean of the window; NaN where the window is not full or holds a NaN.
    """
    w = _window("window_days", window_days)
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"x must be a 1-D array, got shape {a.shape}")
    ok = np.isfinite(a)
    s = np.concatenate([[0.0], np.cumsum(np.where(ok, a, 0.0))])
    c = np.concatenate([[0], np.cumsum(ok)])
    out = np.full(a.shape, np.nan)
    if a.size >= w:
        full = (c[w:] - c[:-w]) == w
        out[w - 1:] = np.where(full, (s[w:] - s[:-w]) / w, np.nan)
    return out


def hash_ribbons(
    hashrate_hs: ArrayLike,
    price_usd: ArrayLike,
    *,
    short_days: int = 30,
    long_days: int = 60,
    price_short_days: int = 10,
    price_long_days: int = 20,
    confirm_days: int = 2,
) -> dict[str, np.ndarray]:
    """Charles Edwards' Hash Ribbons [1]_: miner capitulations, recoveries and the buy signal.

    Parameters
    ----------
    hashrate_hs : array_like, shape (days,)
        Daily network hashrate [H/s], >= 0; NaN where unknown.
    price_usd : array_like, shape (days,)
        Daily price [USD], >= 0; NaN where unknown (no buy signal is given without a price).
    short_days, long_days : int, default 30 and 60
        Windows of the hashrate SMAs [days] [1]_; short < long.
    price_short_days, price_long_days : int, default 10 and 20
        Windows of the price SMAs of the momentum test [days] [1]_; short < long.
    confirm_days : int, default 2
        A change of state counts once it has held this many consecutive days [days], >= 1; it is dated
        from its first day. 1 is the raw crossing; 2 keeps the single-day crossings of a noisy daily
        series (2022-07-04 in the block-implied one) from splitting a capitulation.

    Returns
    -------
    dict of numpy.ndarray
        ``sma_short``, ``sma_long`` [H/s], shape (days,); ``state`` (int8, :data:`NONE`,
        :data:`CAPITULATION`, :data:`RECOVERY`) as known at the end of each day: recovery runs from the
        confirmed end of a capitulation to the buy signal (its day included) or the next capitulation;
        ``starts`` (first day with the short SMA below the long), ``ends`` (first day back at or above,
        -1 while ongoing), ``start_known``, ``end_known`` (the days each was confirmed, -1 while
        ongoing), one entry per capitulation; ``buy`` (the days of the buy signals).
    """
    s_w, l_w = _window("short_days", short_days), _window("long_days", long_days)
    ps_w, pl_w = _window("price_short_days", price_short_days), _window("price_long_days", price_long_days)
    k = _window("confirm_days", confirm_days)
    if s_w >= l_w:
        raise ValueError(f"short_days must be < long_days, got {short_days!r} and {long_days!r}")
    if ps_w >= pl_w:
        raise ValueError(f"price_short_days must be < price_long_days, got {price_short_days!r} and "
                         f"{price_long_days!r}")
    hr, px = _series("hashrate_hs", hashrate_hs), _series("price_usd", price_usd)
    if hr.shape != px.shape:
        raise ValueError(f"hashrate_hs and price_usd must have the same length, got {hr.size} and {px.size}")
    sma_s, sma_l = trailing_mean(hr, s_w), trailing_mean(hr, l_w)
    mom_s, mom_l = trailing_mean(px, ps_w), trailing_mean(px, pl_w)
    valid = np.isfinite(sma_s) & np.isfinite(sma_l)
    below = sma_s < sma_l
    positive = (mom_s > mom_l) & np.isfinite(mom_s) & np.isfinite(mom_l)
    state = np.zeros(hr.size, dtype=np.int8)
    starts, ends, start_known, end_known, buys = [], [], [], [], []
    cap, pending, run = False, False, 0
    for t in range(hr.size):
        run = run + 1 if valid[t] and bool(below[t]) != cap else 0
        if run >= k:
            cap, run = not cap, 0
            if cap:
                starts.append(t - k + 1)
                start_known.append(t)
                pending = False
            else:
                ends.append(t - k + 1)
                end_known.append(t)
                pending = True
        bought = pending and bool(positive[t])
        if bought:
            buys.append(t)
        state[t] = CAPITULATION if cap else (RECOVERY if pending else NONE)
        pending = pending and not bought
    if len(ends) < len(starts):
        ends.append(-1)
        end_known.append(-1)
    out = {"sma_short": sma_s, "sma_long": sma_l, "state": state}
    for name, v in (("starts", starts), ("ends", ends), ("start_known", start_known), ("end_known", end_known),
                    ("buy", buys)):
        out[name] = np.asarray(v, dtype=np.int64)
    return out


def _multiple(x: np.ndarray, window_days: int) -> np.ndarray:
    m = trailing_mean(x, window_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = x / m
    return np.where(np.isfinite(r) & (m > 0), r, np.nan)


def puell_multiple(issuance_usd: ArrayLike, window_days: int = 365) -> np.ndarray:
    """David Puell's multiple [2]_: the day's issuance value over its trailing 365-day mean.

    Parameters
    ----------
    issuance_usd : array_like, shape (days,)
        USD value of the coins issued each day (block subsidy x price; fees excluded) [USD], >= 0; NaN
        where unknown.
    window_days : int, default 365
        Window of the moving average [days] [2]_.

    Returns
    -------
    numpy.ndarray, shape (days,)
        The multiple [-]; NaN until a full window of known days exists.
    """
    return _multiple(_series("issuance_usd", issuance_usd), window_days)


def difficulty_adjusted_puell(issuance_usd: ArrayLike, difficulty: ArrayLike, window_days: int = 365) -> np.ndarray:
    """The Puell multiple of issuance value per unit of difficulty: pay per unit of work against its year.

    Parameters
    ----------
    issuance_usd : array_like, shape (days,)
        USD value of the coins issued each day [USD], >= 0; NaN where unknown.
    difficulty : array_like, shape (days,)
        Difficulty of each day [-], > 0.
    window_days : int, default 365
        Window of the moving average [days].

    Returns
    -------
    numpy.ndarray, shape (days,)
        ``x / mean_365(x)`` with ``x = issuance_usd / difficulty`` [-]; NaN until a full window exists.

    Notes
    -----
    Puell's multiple [2]_ compares the day's issuance value with the year's; while the network grows,
    each unit of it buys less of the network's work, and a rising difficulty is the chain's own measure
    of that. Dividing by difficulty (``x`` is the subsidy part of hashprice, USD per unit of work, up
    to the day's block-count luck) removes the network-growth trend: the multiple is 1 when pay per
    unit of work is at its year's mean. With a constant difficulty it is Puell's multiple.
    """
    iss = _series("issuance_usd", issuance_usd)
    d = np.asarray(difficulty, dtype=float)
    if d.shape != iss.shape:
        raise ValueError(f"issuance_usd and difficulty must have the same length, got {iss.size} and {d.size}")
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("difficulty must be finite and > 0")
    return _multiple(iss / d, window_days)
