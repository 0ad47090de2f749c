"""Hashprice: miner revenue per unit of hashrate per day.

References
----------
.. [1] Luxor Hashrate Index, "Hashprice": BTC per PH/s per day =
   (subsidy + fees) x 86400 x 1e15 / (D x 2^32).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Seconds per day.
SECONDS_PER_DAY = 86_400
#: Expected hashes per unit of difficulty (Bitcoin Core ``GetBlockProof``).
HASHES_PER_DIFFICULTY = 2**32


def _check(name: str, value: ArrayLike, *, positive: bool) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and np.any(a <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not positive and np.any(a < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return a


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
    d = _check("difficulty", difficulty, positive=True)
    s = _check("subsidy_btc", subsidy_btc, positive=False)
    f = _check("fees_btc_per_block", fees_btc_per_block, positive=False)
    return (s + f) * SECONDS_PER_DAY * 1e12 / (d * HASHES_PER_DIFFICULTY)


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
    p = _check("price_usd", price_usd, positive=True)
    return btc_per_th_day(difficulty, subsidy_btc, fees_btc_per_block) * p
