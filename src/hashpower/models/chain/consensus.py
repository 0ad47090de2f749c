"""Consensus constants, the block subsidy and the halvings (Bitcoin Core ``GetBlockSubsidy`` [1]_).

References
----------
.. [1] Bitcoin Core, ``src/validation.cpp`` ``GetBlockSubsidy`` and
   ``src/kernel/chainparams.cpp`` (``nSubsidyHalvingInterval = 210000``,
   ``powLimit``, ``nPowTargetTimespan``, ``nPowTargetSpacing``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.chain._validate import _int_array, _int_scalar, _single, _unix_seconds

#: Satoshis per bitcoin.
SAT_PER_BTC = 100_000_000
#: Blocks between two subsidy halvings [1].
HALVING_INTERVAL_BLOCKS = 210_000
#: Halvings after which the subsidy is zero: ``50 BTC = 5e9 sat`` shifted right 33 times is 0 [1].
SUBSIDY_HALVINGS = 33
#: Blocks between two difficulty retargets [2].
RETARGET_INTERVAL_BLOCKS = 2016
#: Target block spacing [s] (``nPowTargetSpacing``) [1].
TARGET_SPACING_S = 600
#: Target duration of a retarget period [s] (``nPowTargetTimespan``, two weeks = 2016 x 600 s) [1].
RETARGET_TIMESPAN_S = 14 * 24 * 60 * 60
#: The measured timespan is clamped to [timespan / 4, timespan x 4] [2].
RETARGET_CLAMP_FACTOR = 4
#: The initial block subsidy [sat] [1].
INITIAL_SUBSIDY_SAT = 50 * SAT_PER_BTC
#: Difficulty-1 target, ``0xFFFF * 2**208`` (mainnet ``powLimit`` truncated to compact form) [2].
MAX_TARGET = 0xFFFF << 208
#: Mainnet ``powLimit``, ``0x00000000ffff...ff`` = ``2**224 - 1``: the largest target a retarget may give [1], [2].
POW_LIMIT = (1 << 224) - 1

_UINT256 = 1 << 256


# --------------------------------------------------------------------------- subsidy and halvings


def subsidy_sat(height: ArrayLike) -> np.ndarray:
    """Block subsidy by height, in integer satoshis.

    Parameters
    ----------
    height : array_like of int
        Block height [blocks], >= 0.

    Returns
    -------
    numpy.ndarray of int64
        Subsidy [sat]: 50 BTC shifted right once per 210,000 blocks, zero from
        the 64th halving on (Bitcoin Core returns 0 there to avoid an
        undefined shift; the shifted value is already 0 from the 33rd).

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy`` [1].
    """
    h = _int_array(height, "height")
    halvings = h // HALVING_INTERVAL_BLOCKS
    shifted = np.right_shift(np.int64(INITIAL_SUBSIDY_SAT), np.minimum(halvings, 63).astype(np.int64))
    return np.where(halvings >= 64, 0, shifted).astype(np.int64)


def halving_height(k: ArrayLike, *, halving_interval_blocks: int = HALVING_INTERVAL_BLOCKS) -> np.ndarray:
    """Height of the ``k``-th halving: the first block paying the halved subsidy.

    Parameters
    ----------
    k : array_like of int
        Halving number [-], >= 1 (1 is the halving of 2012 at height 210,000).
    halving_interval_blocks : int, default 210,000
        Blocks between halvings [blocks] (``nSubsidyHalvingInterval``).

    Returns
    -------
    numpy.ndarray of int64
        ``halving_interval_blocks * k`` [block height].

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy``: ``halvings = nHeight / nSubsidyHalvingInterval`` [1].

    Examples
    --------
    >>> halving_height([1, 4]).tolist()
    [210000, 840000]
    """
    kk = _int_array(k, "k", minimum=1)
    interval = _int_scalar(halving_interval_blocks, "halving_interval_blocks", allow_float=False)
    if interval <= 0:
        raise ValueError(f"halving_interval_blocks must be > 0, got {halving_interval_blocks!r}")
    return kk * np.int64(interval)


def halving_heights(
    n: int = SUBSIDY_HALVINGS, *, halving_interval_blocks: int = HALVING_INTERVAL_BLOCKS
) -> np.ndarray:
    """Heights of the first ``n`` halvings.

    Parameters
    ----------
    n : int, default 33
        Number of halvings [-], >= 0. The default, 33, lists every halving
        that changes the subsidy: the 33rd takes it from 1 sat to 0.
    halving_interval_blocks : int, default 210,000
        Blocks between halvings [blocks] (``nSubsidyHalvingInterval``).

    Returns
    -------
    numpy.ndarray of int64
        ``210000 * [1, 2, ..., n]`` [block height].

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy`` [1].

    Examples
    --------
    >>> halving_heights(4).tolist()
    [210000, 420000, 630000, 840000]
    """
    count = _int_scalar(n, "n", allow_float=False)
    if count < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    return halving_height(np.arange(1, count + 1), halving_interval_blocks=halving_interval_blocks)


def next_halving_height(height: ArrayLike, *, halving_interval_blocks: int = HALVING_INTERVAL_BLOCKS) -> np.ndarray:
    """Height of the first halving after ``height``.

    Parameters
    ----------
    height : array_like of int
        Block height [blocks], >= 0. At a halving height itself the answer is
        the following halving (that block already pays the halved subsidy).
    halving_interval_blocks : int, default 210,000
        Blocks between halvings [blocks] (``nSubsidyHalvingInterval``).

    Returns
    -------
    numpy.ndarray of int64
        ``(height // 210000 + 1) * 210000`` [block height].

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy`` [1].

    Examples
    --------
    >>> next_halving_height([839_999, 840_000]).tolist()
    [840000, 1050000]
    """
    h = _int_array(height, "height")
    interval = _int_scalar(halving_interval_blocks, "halving_interval_blocks", allow_float=False)
    if interval <= 0:
        raise ValueError(f"halving_interval_blocks must be > 0, got {halving_interval_blocks!r}")
    return (h // interval + 1) * np.int64(interval)


def projected_halving_dates(
    height_now: int,
    time_now: Any,
    block_interval_s: float = TARGET_SPACING_S,
    n: int | None = None,
    *,
    halving_interval_blocks: int = HALVING_INTERVAL_BLOCKS,
    last_halving: int = SUBSIDY_HALVINGS,
) -> tuple[np.ndarray, np.ndarray]:
    """Projected dates of the coming halvings at a constant mean block interval.

    Parameters
    ----------
    height_now : int
        Height of the current tip [block], >= 0.
    time_now : float, numpy.datetime64 or datetime.datetime
        Time of the tip: unix seconds [s], or a date-time (naive means UTC).
    block_interval_s : float, default 600
        Mean time between blocks assumed from now on [s], > 0. The default is
        the consensus target spacing (``nPowTargetSpacing``). While the
        hashrate grows the realised mean is shorter (593 s over the embedded
        blocks of 2021-2026, 584 s in 2023), so halvings tend to come a
        little earlier than the default projects.
    n : int, optional
        How many coming halvings to project; default all up to
        ``last_halving``.
    halving_interval_blocks : int, default 210,000
        Blocks between halvings [blocks].
    last_halving : int, default 33
        The last halving to list (the 33rd brings the subsidy to 0).

    Returns
    -------
    height : numpy.ndarray of int64
        Heights of the coming halvings [block height] (empty past the last).
    date : numpy.ndarray of datetime64[s]
        Projected UTC times of those blocks:
        ``time_now + (height - height_now) * block_interval_s``.

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy`` (halving heights) and ``chainparams.cpp``
    ``nPowTargetSpacing = 10 * 60`` [1].

    Examples
    --------
    >>> h, d = projected_halving_dates(839_999, np.datetime64("2024-04-20T00:00:00"), n=1)
    >>> int(h[0]), str(d[0])
    (840000, '2024-04-20T00:10:00')
    """
    h0 = _single(height_now, "height_now", integer=True)
    t0 = _unix_seconds(time_now, "time_now")
    interval_s = _single(block_interval_s, "block_interval_s", integer=False, positive=True)
    last = _int_scalar(last_halving, "last_halving", allow_float=False)
    if last < 0:
        raise ValueError(f"last_halving must be >= 0, got {last_halving!r}")
    heights = halving_heights(last, halving_interval_blocks=halving_interval_blocks)
    heights = heights[heights > h0]
    if n is not None:
        count = _int_scalar(n, "n", allow_float=False)
        if count < 0:
            raise ValueError(f"n must be >= 0, got {n!r}")
        heights = heights[:count]
    seconds = np.round(t0 + (heights - h0) * interval_s).astype(np.int64)
    return heights, seconds.astype("datetime64[s]")

