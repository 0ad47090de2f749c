"""Hashprice: miner revenue per unit of hashrate per day.

References
----------
.. [1] Luxor Hashrate Index, "Hashprice": BTC per PH/s per day =
   (subsidy + fees) x 86400 x 1e15 / (D x 2^32).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.checks import number

#: Seconds per day.
SECONDS_PER_DAY = 86_400
#: Expected hashes per unit of difficulty (Bitcoin Core ``GetBlockProof``).
HASHES_PER_DIFFICULTY = 2**32




def btc_per_th_day(difficulty: ArrayLike, subsidy_btc: ArrayLike, fees_btc_per_block: ArrayLike = 0.0) -> np.ndarray:
    """Revenue of one TH/s for one day, in BTC, from the difficulty.

    Parameters
    ----------
    difficulty : array_like
        Network difficulty [-], > 0.
    subsidy_btc : array_like
        Block subsidy [BTC per block], >= 0.
    fees_btc_per_block : array_like, default 0
        Transaction fees [BTC per block], >= 0.

    Returns
    -------
    numpy.ndarray
        [BTC / (TH/s) / day].

    Notes
    -----
    A miner of hashrate h [H/s] finds on average h x 86400 / (D x 2^32) blocks
    a day, each paying subsidy + fees [1]_.

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice methodology.
    """
    d = number("difficulty", difficulty, strict=True)
    s = number("subsidy_btc", subsidy_btc)
    f = number("fees_btc_per_block", fees_btc_per_block)
    with np.errstate(over="ignore", invalid="ignore"):
        out = (s + f) / d * (SECONDS_PER_DAY * 1e12 / HASHES_PER_DIFFICULTY)
    return _finite(out)


def _finite(out: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise ValueError("the inputs are too large: the hashprice overflows a float")
    return out


def usd_per_th_day(
    difficulty: ArrayLike, price_usd: ArrayLike, subsidy_btc: ArrayLike, fees_btc_per_block: ArrayLike = 0.0
) -> np.ndarray:
    """Revenue of one TH/s for one day, in USD: :func:`btc_per_th_day` x price [1]_.

    Parameters
    ----------
    difficulty : array_like
        Network difficulty [-], > 0.
    price_usd : array_like
        Bitcoin price [USD/BTC], > 0.
    subsidy_btc : array_like
        Block subsidy [BTC per block], >= 0.
    fees_btc_per_block : array_like, default 0
        Transaction fees [BTC per block], >= 0.

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice methodology.
    """
    p = number("price_usd", price_usd, strict=True)
    with np.errstate(over="ignore"):
        return _finite(btc_per_th_day(difficulty, subsidy_btc, fees_btc_per_block) * p)


#: Expected blocks per day at the 600 s target spacing (Bitcoin Core ``nPowTargetSpacing``).
BLOCKS_PER_DAY = 144.0


def btc_per_th_day_from_hashrate(
    hashrate_ths: ArrayLike,
    subsidy_btc: ArrayLike,
    fees_btc_per_block: ArrayLike = 0.0,
    blocks_per_day: ArrayLike = BLOCKS_PER_DAY,
) -> np.ndarray:
    """Revenue of one TH/s for one day, in BTC, from the network hashrate.

    Parameters
    ----------
    hashrate_ths : array_like
        Network hashrate [TH/s], > 0.
    subsidy_btc : array_like
        Block subsidy [BTC per block], >= 0.
    fees_btc_per_block : array_like, default 0
        Transaction fees [BTC per block], >= 0.
    blocks_per_day : array_like, default 144
        Blocks found per day [blocks/day], > 0 (144 at the 600 s target).

    Returns
    -------
    numpy.ndarray
        [BTC / (TH/s) / day] = blocks per day x (subsidy + fees) / hashrate: the
        network's daily reward shared pro rata by hashrate [1]_.

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice methodology.
    """
    h = number("hashrate_ths", hashrate_ths, strict=True)
    s = number("subsidy_btc", subsidy_btc)
    f = number("fees_btc_per_block", fees_btc_per_block)
    b = number("blocks_per_day", blocks_per_day, strict=True)
    return b * (s + f) / h


def per_block(total_btc: ArrayLike, blocks: ArrayLike) -> np.ndarray:
    """A day's total (subsidy or fees) per block, NaN on days without blocks.

    Parameters
    ----------
    total_btc : array_like
        The day's total [BTC], >= 0.
    blocks : array_like
        Blocks mined that day [blocks], >= 0.
    """
    t = np.asarray(total_btc, dtype=float)
    b = np.asarray(blocks, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, t / np.where(b > 0, b, 1.0), np.nan)


def history_usd_per_th_day(
    difficulty: ArrayLike, price_usd: ArrayLike, subsidy_btc: ArrayLike, fees_btc: ArrayLike, blocks: ArrayLike
) -> np.ndarray:
    """Hashprice for every day of a history in one vectorised call [USD/(TH/s)/day].

    Parameters
    ----------
    difficulty : array_like
        Difficulty of each day [-].
    price_usd : array_like
        Price of each day [USD/BTC]; NaN where unknown (before 2010-07-18).
    subsidy_btc, fees_btc : array_like
        Each day's total subsidy and fees [BTC].
    blocks : array_like
        Each day's block count [blocks].

    Returns
    -------
    numpy.ndarray
        :func:`usd_per_th_day` with the day's mean subsidy and fees per block; NaN
        where the price is unknown or no block was mined.

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice methodology.
    """
    d = np.asarray(difficulty, dtype=float)
    p = np.asarray(price_usd, dtype=float)
    s = per_block(subsidy_btc, blocks)
    f = per_block(fees_btc, blocks)
    ok = np.isfinite(d) & (d > 0) & np.isfinite(p) & (p > 0) & np.isfinite(s) & np.isfinite(f)
    out = np.full(np.broadcast(d, p, s, f).shape, np.nan)
    dd, pp, ss, ff = (np.broadcast_to(x, out.shape) for x in (d, p, s, f))
    out[ok] = (ss[ok] + ff[ok]) * SECONDS_PER_DAY * 1e12 / (dd[ok] * HASHES_PER_DIFFICULTY) * pp[ok]
    return out
