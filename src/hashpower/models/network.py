"""Network analytics: hashrate estimates, drawdown episodes, network power (CBECI).

The sustainability index is in :mod:`hashpower.models.index`.

Pure numpy: arrays in, arrays out. Dates are handled by the caller
(:mod:`hashpower.figures.series`); here a day is an index into the arrays.

References
----------
.. [1] Bitcoin Core ``getnetworkhashps`` (``src/rpc/mining.cpp``): chain work
   over a window of blocks divided by the time the window spans.
.. [2] Garwood, F. (1936), "Fiducial limits for the Poisson distribution",
   Biometrika 28, 437-442: exact Poisson confidence limits from chi-square
   quantiles; Wilson, E. B. & Hilferty, M. M. (1931), "The distribution of
   chi-square", PNAS 17, 684-688: the cube-root approximation of its quantiles.
.. [3] Cambridge Centre for Alternative Finance, Cambridge Bitcoin Electricity
   Consumption Index, methodology (ccaf.io/cbnsi/cbeci/methodology):
   profitability threshold, lower bound x 1.01, best guess x 1.10, upper
   bound x 1.20 (PUE), default electricity price 0.05 USD/kWh.
.. [4] Puell, D. (2019), "The Puell Multiple": miner revenue relative to its
   365-day moving average.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.cbeci import cbeci_inputs

__all__ = [
    "CBECI_PUE",
    "NOTABLE_KINDS",
    "NOTABLE_MIN_DAYS",
    "cbeci_power_bounds",
    "drawdown_episodes",
    "drawdown_to_date",
    "hashrate_from_blocks",
    "hashrate_from_timestamps",
    "largest_since",
    "lowest_since",
    "notable",
    "poisson_interval",
]

#: CBECI's power usage effectiveness for the lower bound, best guess and upper bound [3].
CBECI_PUE = {"lower": 1.01, "best": 1.10, "upper": 1.20}
HASHES_PER_DIFFICULTY = 2.0**32
SECONDS_PER_DAY = 86_400.0
HOURS_PER_YEAR = 8766.0  # 365.25 days


def _z(p: float) -> float:
    """Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9)."""
    if not 0 < p < 1:
        raise ValueError(f"confidence must be in (0, 1), got {p!r}")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    lo = 0.02425
    if p < lo:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    if p > 1 - lo:
        return -_z(1 - p)
    q = p - 0.5
    r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


def _chi2_half(p: float, dof: np.ndarray) -> np.ndarray:
    """Half the chi-square quantile, Wilson-Hilferty; 0 where dof is 0."""
    k = np.asarray(dof, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = k * (1 - 2 / (9 * k) + _z(p) * np.sqrt(2 / (9 * k))) ** 3
    return np.where(k > 0, np.maximum(x, 0.0), 0.0) / 2


def poisson_interval(count: ArrayLike, confidence: float = 0.90) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence limits for the mean of a Poisson count.

    Parameters
    ----------
    count : array_like
        Observed counts [-], >= 0 (blocks found in a window).
    confidence : float, default 0.90
        Two-sided confidence level [-].

    Returns
    -------
    lower, upper : numpy.ndarray
        Garwood's limits ``chi2(a/2, 2n)/2`` and ``chi2(1-a/2, 2n+2)/2`` [2]_, with
        the chi-square quantiles by Wilson-Hilferty (relative error < 1e-3 for
        n >= 5, < 1e-5 for n >= 100).

    References
    ----------
    .. [2] Garwood (1936); Wilson & Hilferty (1931).
    """
    n = np.asarray(count, dtype=float)
    if not np.all(np.isfinite(n)) or np.any(n < 0) or np.any(n > 1e15):
        raise ValueError(f"count must be in [0, 1e15], got {count!r}")
    alpha = 1 - confidence
    return _chi2_half(alpha / 2, 2 * n), _chi2_half(1 - alpha / 2, 2 * n + 2)


def _rolling_sum(x: np.ndarray, window: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    out = np.full(x.shape, np.nan)
    out[window - 1:] = c[window:] - c[:-window]
    return out


def hashrate_from_blocks(
    difficulty: ArrayLike, blocks: ArrayLike, window_days: int = 7, confidence: float = 0.90
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network hashrate over trailing windows of days, from difficulty and block counts.

    Parameters
    ----------
    difficulty : array_like, shape (days,)
        Difficulty of each day [-], > 0.
    blocks : array_like, shape (days,)
        Blocks mined each day [blocks], >= 0.
    window_days : int, default 7
        Window length [days], >= 1 (1, 3, 7 and 30 are usual).
    confidence : float, default 0.90
        Level of the interval [-].

    Returns
    -------
    estimate, lower, upper : numpy.ndarray, shape (days,)
        [H/s] = sum over the window of difficulty x 2^32 x blocks / (window x
        86,400 s); the interval scales the estimate by the Poisson limits of the
        window's block count over that count [2]_. NaN for the first
        ``window_days - 1`` days.

    References
    ----------
    .. [1] Bitcoin Core ``getnetworkhashps``: work over time.
    .. [2] Garwood (1936).
    """
    if int(window_days) != window_days or window_days < 1:
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    w = int(window_days)
    d = np.asarray(difficulty, dtype=float)
    b = np.asarray(blocks, dtype=float)
    if d.shape != b.shape or d.ndim != 1:
        raise ValueError("difficulty and blocks must be 1-D arrays of the same length")
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("difficulty must be finite and > 0")
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("blocks must be finite and >= 0")
    if w > d.size:
        raise ValueError(f"window_days {w} is longer than the data ({d.size} days)")
    work = _rolling_sum(d * HASHES_PER_DIFFICULTY * b, w)
    n = _rolling_sum(b, w)
    est = work / (w * SECONDS_PER_DAY)
    lo, hi = poisson_interval(np.nan_to_num(n), confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_lo = np.where(n > 0, lo / n, np.nan)
        scale_hi = np.where(n > 0, hi / n, np.nan)
    # with no block in the window the estimate is 0 and the upper limit uses the mean difficulty
    mean_d = _rolling_sum(d, w) / w
    upper = np.where(n > 0, est * scale_hi, hi * mean_d * HASHES_PER_DIFFICULTY / (w * SECONDS_PER_DAY))
    return est, np.where(n > 0, est * scale_lo, 0.0), upper


def hashrate_from_timestamps(
    timestamps: ArrayLike, difficulty: ArrayLike, n_blocks: int = 120, confidence: float = 0.90
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network hashrate at each block from the last ``n_blocks`` blocks, as ``getnetworkhashps``.

    Parameters
    ----------
    timestamps : array_like, shape (blocks,)
        Header times of consecutive blocks [unix s].
    difficulty : array_like, shape (blocks,)
        Difficulty of each block [-], > 0.
    n_blocks : int, default 120
        Window [blocks] (Core's default), >= 1.
    confidence : float, default 0.90
        Level of the interval [-].

    Returns
    -------
    estimate, lower, upper : numpy.ndarray, shape (blocks,)
        [H/s] = work of the last n blocks / (time of the tip - time of the block
        n before it) [1]_. The n inter-block times are exponential, so the rate's
        limits are ``chi2(a/2, 2n)/2`` and ``chi2(1-a/2, 2n)/2`` over n [2]_.
        NaN for the first ``n_blocks`` blocks and where the span is not positive
        (header times are not monotonic).

    References
    ----------
    .. [1] Bitcoin Core ``GetNetworkHashPS``.
    .. [2] Garwood (1936).
    """
    if int(n_blocks) != n_blocks or n_blocks < 1:
        raise ValueError(f"n_blocks must be a whole number >= 1, got {n_blocks!r}")
    n = int(n_blocks)
    t = np.asarray(timestamps, dtype=float)
    d = np.asarray(difficulty, dtype=float)
    if t.shape != d.shape or t.ndim != 1:
        raise ValueError("timestamps and difficulty must be 1-D arrays of the same length")
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("timestamps must be finite and difficulty finite and > 0")
    est = np.full(t.shape, np.nan)
    if t.size > n:
        work = _rolling_sum(d * HASHES_PER_DIFFICULTY, n)[n:]
        span = t[n:] - t[:-n]
        with np.errstate(divide="ignore", invalid="ignore"):
            est[n:] = np.where(span > 0, work / span, np.nan)
    alpha = 1 - confidence
    lo = float(_chi2_half(alpha / 2, np.array(2.0 * n))) / n
    hi = float(_chi2_half(1 - alpha / 2, np.array(2.0 * n))) / n
    return est, est * lo, est * hi


def drawdown_episodes(values: ArrayLike, min_depth: float = 0.0) -> dict[str, np.ndarray]:
    """Episodes in which a series falls below its running peak, and how deep they go.

    Parameters
    ----------
    values : array_like, shape (n,)
        A positive series (smoothed hashrate); NaN entries are skipped.
    min_depth : float, default 0
        Keep only episodes at least this deep [-], decimal.

    Returns
    -------
    dict of numpy.ndarray
        ``peak``, ``trough``, ``recovery`` (indices; ``recovery`` is -1 while the
        series has not regained the peak), ``depth`` = 1 - trough / peak
        (decimal) and ``duration`` (trough - peak and recovery - peak, in
        steps; see keys ``days_to_trough``, ``days_to_recovery``, -1 if none),
        ordered by peak.

    Notes
    -----
    An episode starts on the last value at the running maximum before the
    series falls below it and ends on the first value at or above that maximum.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError("values must be 1-D")
    if not 0 <= min_depth < 1:
        raise ValueError(f"min_depth must be in [0, 1), got {min_depth!r}")
    ok = np.flatnonzero(np.isfinite(x))
    if np.any(x[ok] <= 0):
        raise ValueError("values must be > 0")
    peaks, troughs, recs, depths = [], [], [], []
    if ok.size:
        v = x[ok]
        run_max = np.maximum.accumulate(v)
        below = v < run_max
        i = 0
        m = v.size
        while i < m:
            if not below[i]:
                i += 1
                continue
            start = i - 1  # the peak (value equal to the running max)
            j = i
            while j < m and below[j]:
                j += 1
            seg = v[i:j]
            k = i + int(np.argmin(seg))
            peaks.append(ok[start])
            troughs.append(ok[k])
            recs.append(ok[j] if j < m else -1)
            depths.append(1 - v[k] / v[start])
            i = j
    peak, trough, rec, depth = (np.array(a, dtype=t) for a, t in
                                ((peaks, np.int64), (troughs, np.int64), (recs, np.int64), (depths, float)))
    keep = depth >= min_depth if depth.size else np.zeros(0, dtype=bool)
    peak, trough, rec, depth = peak[keep], trough[keep], rec[keep], depth[keep]
    return {
        "peak": peak, "trough": trough, "recovery": rec, "depth": depth,
        "days_to_trough": trough - peak,
        "days_to_recovery": np.where(rec >= 0, rec - peak, -1),
    }


def largest_since(depth: ArrayLike) -> np.ndarray:
    """For each episode, the latest earlier episode at least as deep (-1 if none: the largest on record).

    Parameters
    ----------
    depth : array_like
        Episode depths in time order [-].
    """
    d = np.asarray(depth, dtype=float)
    out = np.full(d.size, -1, dtype=np.int64)
    stack: list[int] = []  # indices with strictly decreasing depth
    for i, v in enumerate(d):
        while stack and d[stack[-1]] < v:
            stack.pop()
        out[i] = stack[-1] if stack else -1
        stack.append(i)
    return out


def lowest_since(values: ArrayLike) -> np.ndarray:
    """For each entry, the latest earlier entry with a value as low or lower (-1 if none).

    Parameters
    ----------
    values : array_like
        A series in time order; NaN entries get -1 and are never an answer.
    """
    x = np.asarray(values, dtype=float)
    out = np.full(x.size, -1, dtype=np.int64)
    stack: list[int] = []  # indices with strictly increasing value
    for i, v in enumerate(x):
        if not np.isfinite(v):
            continue
        while stack and x[stack[-1]] > v:
            stack.pop()
        out[i] = stack[-1] if stack else -1
        stack.append(i)
    return out

def drawdown_to_date(values: ArrayLike) -> dict[str, np.ndarray]:
    """Each day's drawdown from the running peak, the deepest of its episode so far, and that episode's peak.

    Parameters
    ----------
    values : array_like, shape (n,)
        A positive series (smoothed hashrate) in time order; NaN entries count as at the peak.

    Returns
    -------
    dict of numpy.ndarray
        ``depth`` = 1 - value / running maximum [-] (0 at a peak), ``depth_to_date`` (the largest
        ``depth`` since the last day at the peak, the episode's depth so far) and ``peak`` (index of
        that last day at the peak; -1 before any).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError("values must be 1-D")
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.nan_to_num(1 - x / np.fmax.accumulate(x), nan=0.0)
    at_peak = depth <= 0
    episode = np.cumsum(at_peak)  # depth < 1, so a running max of episode + depth stays inside each episode
    to_date = np.maximum.accumulate(episode + depth) - episode
    peak = np.maximum.accumulate(np.where(at_peak & np.isfinite(x), np.arange(x.size), -1))
    return {"depth": depth, "depth_to_date": to_date, "peak": peak}


#: Kinds of :func:`notable` (None: nothing notable, give the change instead).
NOTABLE_KINDS = ("lowest_since", "highest_since", "record_low", "record_high")
#: Days a value must be the lowest (highest) for before "lowest (highest) since" is said: the rule of the
#: issue "lowest since that reads right" (a month; see docs/network.md).
NOTABLE_MIN_DAYS = 30


def notable(values: ArrayLike, min_days: int = NOTABLE_MIN_DAYS,
            sides: tuple[str, ...] = ("low", "high"), strict: bool = False) -> dict[str, object]:
    """What is notable about the last entry of a daily series against its history.

    Parameters
    ----------
    values : array_like, shape (days,)
        The series up to and including the day, in time order; NaN entries are skipped.
    min_days : int, default 30
        A value is the lowest (highest) "since D" only when it is the lowest (highest) for at
        least this many days, D at least ``min_days`` before the day [days], >= 1 (NOTABLE_MIN_DAYS).
    sides : tuple of "low" and/or "high", default both
        Which facts may be notable (a drawdown's depth is notable only when high).
    strict : bool, default False
        Count only strictly lower (higher) earlier entries (for a series that holds its value).

    Returns
    -------
    dict
        ``kind``: "record_low" / "record_high" (the lowest / highest of the whole series, which is at
        least ``min_days`` long), "lowest_since" / "highest_since" (the lowest / highest for at least
        ``min_days`` days), else None; ``since``: the index of the latest earlier entry as low
        (high) or lower (higher), -1 for a record or when nothing is notable; ``change`` =
        value - value ``min_days`` entries earlier and ``change_rate`` = value / that - 1 (NaN when
        either is missing or, for the rate, that is 0).
    """
    if int(min_days) != min_days or min_days < 1:
        raise ValueError(f"min_days must be a whole number >= 1, got {min_days!r}")
    if not set(sides) <= {"low", "high"}:
        raise ValueError(f"sides must be 'low' and/or 'high', got {sides!r}")
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("values must be a non-empty 1-D array")
    n, m = x.size - 1, int(min_days)
    v = x[n]
    out: dict[str, object] = {"kind": None, "since": -1, "change": math.nan, "change_rate": math.nan}
    if n >= m and np.isfinite(x[n - m]) and np.isfinite(v):
        out["change"] = float(v - x[n - m])
        out["change_rate"] = float(v / x[n - m] - 1) if x[n - m] != 0 else math.nan
    ok = np.flatnonzero(np.isfinite(x[:n]))
    if not np.isfinite(v) or ok.size == 0 or n - ok[0] < m:
        return out
    prior = x[ok]
    for side, record, since in (("low", "record_low", "lowest_since"), ("high", "record_high", "highest_since")):
        if side not in sides:
            continue
        d = (v - prior) if side == "low" else (prior - v)  # >= 0 where the earlier entry is as far or farther
        as_far = ok[d > 0] if strict else ok[d >= 0]
        if as_far.size == 0:
            out.update(kind=record)
            return out
        if n - int(as_far[-1]) >= m:
            out.update(kind=since, since=int(as_far[-1]))
            return out
    return out


def cbeci_power_bounds(
    hashrate_ths: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    day: ArrayLike,
    release_day: ArrayLike,
    efficiency_j_per_th: ArrayLike,
    power_price_usd_per_kwh: float = 0.05,
) -> dict[str, np.ndarray]:
    """Network power in the CBECI style: lower bound, best guess and upper bound [W].

    Parameters
    ----------
    hashrate_ths : array_like, shape (days,)
        Network hashrate of each day [TH/s], >= 0.
    hashprice_usd_per_th_day : array_like, shape (days,)
        Hashprice of each day [USD/(TH/s)/day]; NaN where unknown (every released
        machine then counts as profitable).
    day : array_like, shape (days,)
        Each day as a number (e.g. days since 1970-01-01).
    release_day : array_like, shape (models,)
        Release day of each hardware model, on the same scale.
    efficiency_j_per_th : array_like, shape (models,)
        Efficiency of each model [J/TH], > 0.
    power_price_usd_per_kwh : float, default 0.05
        Electricity price for the profitability threshold [USD/kWh], > 0 (CBECI's default) [3]_.

    Returns
    -------
    dict of numpy.ndarray
        ``lower``, ``best``, ``upper`` [W] and ``threshold_j_per_th`` (the
        profitability threshold), ``profitable_models`` (count) per day.

    Notes
    -----
    A model is profitable on a day if it is released and its efficiency is
    below the threshold hashprice x 1000 / (24 x price) J/TH (power cost below
    revenue). Lower bound: the most efficient released model x H x 1.01; upper
    bound: the least efficient profitable model x H x 1.20; best guess: the mean
    efficiency of the profitable models x H x 1.10 [3]_. When no model is
    profitable the most efficient one stands for all three.

    References
    ----------
    .. [3] CBECI methodology.
    """
    h, hp, t, r, e = cbeci_inputs(hashrate_ths, hashprice_usd_per_th_day, day, release_day, efficiency_j_per_th,
                                  power_price_usd_per_kwh)
    threshold = np.where(np.isfinite(hp), hp * 1000.0 / (24.0 * power_price_usd_per_kwh), np.inf)
    released = r[None, :] <= t[:, None]
    profitable = released & (e[None, :] < threshold[:, None])
    e_row = np.broadcast_to(e, released.shape)
    best_eff = np.where(released, e_row, np.inf).min(axis=1)
    count = profitable.sum(axis=1)
    worst = np.where(profitable, e_row, -np.inf).max(axis=1)
    mean = np.where(profitable, e_row, 0.0).sum(axis=1) / np.maximum(count, 1)
    worst = np.where(count > 0, worst, best_eff)
    mean = np.where(count > 0, mean, best_eff)
    best_eff = np.where(np.isfinite(best_eff), best_eff, np.nan)
    return {
        "lower": best_eff * h * CBECI_PUE["lower"],
        "best": mean * h * CBECI_PUE["best"],
        "upper": worst * h * CBECI_PUE["upper"],
        "threshold_j_per_th": threshold,
        "profitable_models": count,
    }
