"""The 2016-block retarget with its 4x clamp, and the estimate of the next adjustment from the tip.

:func:`estimate_next_adjustment` projects the tip's mean interval over the 2015 intervals Core measures;
mempool.space's estimate by the clock is :func:`hashpower.models.chain.adjustment.difficulty_adjustment`.

References
----------
.. [2] Bitcoin Core, ``src/pow.cpp`` ``GetNextWorkRequired`` and
   ``CalculateNextWorkRequired`` (2016-block retarget, 4x clamp).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.chain._validate import _elementwise, _float_array, _int_scalar, _single
from hashpower.models.chain.consensus import (
    POW_LIMIT,
    RETARGET_CLAMP_FACTOR,
    RETARGET_INTERVAL_BLOCKS,
    RETARGET_TIMESPAN_S,
    TARGET_SPACING_S,
)
from hashpower.models.chain.targets import _UINT256, _get_compact, _set_compact

# --------------------------------------------------------------------------- the retarget


def _check_timespan(target_timespan_s: Any) -> int:
    timespan = _int_scalar(target_timespan_s, "target_timespan_s")
    if timespan <= 0:
        raise ValueError(f"target_timespan_s must be > 0, got {target_timespan_s!r}")
    return timespan


def retarget(
    prev_target: Any,
    first_block_time: Any,
    last_block_time: Any,
    *,
    target_timespan_s: int = RETARGET_TIMESPAN_S,
    pow_limit: int = POW_LIMIT,
) -> Any:
    """The new target at a retarget, before its compact encoding, exactly as Bitcoin Core computes it.

    Parameters
    ----------
    prev_target : int or array_like of int
        Target of the epoch that ends [-], as expanded from its ``nBits``
        (0 < prev_target < 2**256).
    first_block_time : int or array_like of int
        Header time of the epoch's first block, height ``2016 * (k - 1)`` [unix s].
    last_block_time : int or array_like of int
        Header time of the epoch's last block, height ``2016 * k - 1`` [unix s].
    target_timespan_s : int, default 1,209,600
        Target duration of an epoch [s] (``nPowTargetTimespan``, two weeks).
    pow_limit : int, default ``POW_LIMIT``
        Largest allowed target [-] (mainnet ``0x00000000ffff...ff``).

    Returns
    -------
    int or numpy.ndarray of object
        The new target [-] for epoch ``k``, not yet truncated to compact form
        (see :func:`next_target` for the target the chain actually uses).

    Notes
    -----
    ``actual = last_block_time - first_block_time``, clamped to
    ``[timespan // 4, timespan * 4]``; then, in 256-bit integers,
    ``new = prev_target * actual // timespan`` (multiply first, then divide),
    capped at ``pow_limit``. The measured span covers 2015 block intervals,
    not 2016 (Satoshi's off-by-one, kept for consensus): blocks at exactly
    600 s raise the difficulty by 2016/2015 - 1 = 0.05 %, and the rule is at
    rest at 1,209,600 s / 2015 = 600.3 s per block.
    The product wraps modulo 2**256 as in ``arith_uint256``; this cannot happen
    for targets at or below the pow limit.

    References
    ----------
    Bitcoin Core ``GetNextWorkRequired`` (``nHeightFirst = nHeight - 2015``)
    and ``CalculateNextWorkRequired`` [2].
    """
    timespan = _check_timespan(target_timespan_s)
    limit = _int_scalar(pow_limit, "pow_limit", allow_float=False)
    if not 0 < limit < _UINT256:
        raise ValueError(f"pow_limit must be > 0 and < 2**256, got {pow_limit!r}")

    def one(prev: Any, first: Any, last: Any) -> int:
        t = _int_scalar(prev, "prev_target", allow_float=False)
        if not 0 < t < _UINT256:
            raise ValueError(f"prev_target must be > 0 and < 2**256, got {prev!r}")
        actual = _int_scalar(last, "last_block_time") - _int_scalar(first, "first_block_time")
        actual = min(max(actual, timespan // RETARGET_CLAMP_FACTOR), timespan * RETARGET_CLAMP_FACTOR)
        new = (t * actual) % _UINT256 // timespan
        return min(new, limit)

    return _elementwise(one, (prev_target, first_block_time, last_block_time), object)


def next_target(
    prev_target: Any,
    first_block_time: Any,
    last_block_time: Any,
    *,
    target_timespan_s: int = RETARGET_TIMESPAN_S,
    pow_limit: int = POW_LIMIT,
) -> Any:
    """The target of the next epoch as the chain stores it: :func:`retarget` truncated to compact form.

    Parameters
    ----------
    prev_target : int or array_like of int
        Target of the epoch that ends [-] (0 < prev_target < 2**256).
    first_block_time : int or array_like of int
        Header time of the epoch's first block [unix s].
    last_block_time : int or array_like of int
        Header time of the epoch's last block [unix s].
    target_timespan_s : int, default 1,209,600
        Target duration of an epoch [s].
    pow_limit : int, default ``POW_LIMIT``
        Largest allowed target [-].

    Returns
    -------
    int or numpy.ndarray of object
        ``target_from_bits(bits_from_target(retarget(...)))`` [-]: the next
        epoch's target, whose :func:`difficulty_from_target` is the next
        difficulty exactly.

    References
    ----------
    Bitcoin Core ``CalculateNextWorkRequired`` returns ``bnNew.GetCompact()``
    [2]; ``SetCompact`` / ``GetCompact`` [3].
    """
    new = retarget(prev_target, first_block_time, last_block_time, target_timespan_s=target_timespan_s,
                   pow_limit=pow_limit)
    return _elementwise(lambda t: _set_compact(_get_compact(t)), (new,), object)


def next_difficulty(
    prev_difficulty: ArrayLike, actual_timespan_s: ArrayLike, *, target_timespan_s: float = RETARGET_TIMESPAN_S
) -> np.ndarray:
    """The next difficulty in floating point: ``prev * timespan / clamp(actual)``, vectorised.

    Parameters
    ----------
    prev_difficulty : array_like of float
        Difficulty of the epoch that ends [-], > 0.
    actual_timespan_s : array_like of float
        Time from the epoch's first to its last block [s] (2015 intervals);
        any finite value (block times may run backwards), it is clamped.
    target_timespan_s : float, default 1,209,600
        Target duration of an epoch [s].

    Returns
    -------
    numpy.ndarray of float64
        Next difficulty [-], in ``[prev / 4, prev * 4]``. It differs from the
        exact :func:`next_target` difficulty only by the compact truncation
        (relative < 2**-15, in practice < 1e-5), and ignores the pow limit.

    References
    ----------
    Bitcoin Core ``CalculateNextWorkRequired`` [2].

    Examples
    --------
    >>> next_difficulty([100.0, 100.0], [1.0, 1e9]).tolist()
    [400.0, 25.0]
    """
    d = _float_array(prev_difficulty, "prev_difficulty", positive=True)
    actual = _float_array(actual_timespan_s, "actual_timespan_s", positive=False)
    timespan = _single(target_timespan_s, "target_timespan_s", integer=False, positive=True)
    clamped = np.clip(actual, timespan / RETARGET_CLAMP_FACTOR, timespan * RETARGET_CLAMP_FACTOR)
    return d * timespan / clamped


@dataclass(frozen=True)
class AdjustmentEstimate:
    """An estimate of the next difficulty adjustment from an epoch's progress.

    Attributes
    ----------
    blocks_done : int
        Blocks of the epoch mined so far, its first block and the tip included [blocks].
    remaining_blocks : int
        Blocks still to mine until ``retarget_height`` included [blocks].
    retarget_height : int
        Height of the first block under the new difficulty [block].
    mean_interval_s : float
        Mean interval from the epoch's first block to the tip [s] (the target
        spacing when the tip is the first block).
    projected_timespan_s : float
        Projected time from the epoch's first to its last block, the 2015
        intervals Core measures, before the clamp [s].
    projected_retarget_time : float
        Expected time of block ``retarget_height`` at the mean interval [unix s].
    change : float
        Expected difficulty change as a decimal rate (-0.1116 for -11.16 %),
        after the clamp, in [-0.75, 3].
    new_difficulty : float
        Expected difficulty of the next epoch [-].

    References
    ----------
    Bitcoin Core ``CalculateNextWorkRequired`` [2].
    """

    blocks_done: int
    remaining_blocks: int
    retarget_height: int
    mean_interval_s: float
    projected_timespan_s: float
    projected_retarget_time: float
    change: float
    new_difficulty: float


def estimate_next_adjustment(
    epoch_start_height: int,
    epoch_start_time: float,
    tip_height: int,
    tip_time: float,
    difficulty: float,
    *,
    retarget_interval_blocks: int = RETARGET_INTERVAL_BLOCKS,
    target_spacing_s: float = TARGET_SPACING_S,
) -> AdjustmentEstimate:
    """Estimate the next difficulty adjustment from the current epoch's progress.

    Parameters
    ----------
    epoch_start_height : int
        Height of the epoch's first block [block], a multiple of 2016.
    epoch_start_time : float
        Header time of the epoch's first block [unix s].
    tip_height : int
        Height of the current tip [block], in the epoch:
        ``epoch_start_height <= tip_height < epoch_start_height + 2016``.
    tip_time : float
        Header time of the tip [unix s], >= ``epoch_start_time``.
    difficulty : float
        Difficulty of the current epoch [-], > 0.
    retarget_interval_blocks : int, default 2016
        Blocks per epoch [blocks].
    target_spacing_s : float, default 600
        Target block spacing [s]; the target timespan is
        ``retarget_interval_blocks * target_spacing_s`` (1,209,600 s).

    Returns
    -------
    AdjustmentEstimate
        Blocks done and remaining, mean interval, projected timespan and
        retarget time, expected change (decimal rate) and new difficulty.

    Notes
    -----
    From the first block to the tip there are ``tip_height - epoch_start_height``
    intervals, so ``mean = (tip_time - epoch_start_time) / (tip_height -
    epoch_start_height)``. Core measures the 2015 intervals from the first
    to the last block of the epoch, so the projected timespan is
    ``2015 * mean``; the change is ``timespan / clamp(2015 * mean) - 1``.
    A tip exactly on the 600 s pace therefore projects +0.05 % (2016/2015 - 1),
    not 0. The compact truncation (< 1e-5 relative) is ignored.

    Raises
    ------
    ValueError
        A start that is not an epoch boundary, a tip before the start or past
        the epoch's last block, a tip time before the start time, or a
        difficulty that is not finite and > 0; the message names the parameter.

    References
    ----------
    Bitcoin Core ``GetNextWorkRequired`` and ``CalculateNextWorkRequired`` [2].

    Examples
    --------
    >>> e = estimate_next_adjustment(0, 0, 1008, 1008 * 300, 1.0)
    >>> round(e.change, 4), e.remaining_blocks
    (1.001, 1008)
    """
    interval = _int_scalar(retarget_interval_blocks, "retarget_interval_blocks", allow_float=False)
    if interval < 2:
        raise ValueError(f"retarget_interval_blocks must be >= 2, got {retarget_interval_blocks!r}")
    spacing = _single(target_spacing_s, "target_spacing_s", integer=False, positive=True)
    start = _single(epoch_start_height, "epoch_start_height", integer=True)
    if start % interval:
        raise ValueError(f"epoch_start_height must be a multiple of {interval}, got {epoch_start_height!r}")
    tip = _single(tip_height, "tip_height", integer=True, minimum=None)
    if tip < start:
        raise ValueError(f"tip_height {tip_height!r} is before epoch_start_height {epoch_start_height!r}")
    if tip >= start + interval:
        raise ValueError(
            f"tip_height {tip_height!r} is past the epoch's last block {start + interval - 1}; the retarget is done"
        )
    t0 = _single(epoch_start_time, "epoch_start_time", integer=False, positive=False)
    t1 = _single(tip_time, "tip_time", integer=False, positive=False)
    if t1 < t0:
        raise ValueError(f"tip_time {tip_time!r} is before epoch_start_time {epoch_start_time!r}")
    if tip == start and t1 != t0:
        raise ValueError(f"tip_time {tip_time!r} must equal epoch_start_time when the tip is the epoch's first block")
    d = _single(difficulty, "difficulty", integer=False, positive=True)

    intervals_done = tip - start
    mean = (t1 - t0) / intervals_done if intervals_done else spacing
    projected = mean * (interval - 1)
    timespan = interval * spacing
    new = float(next_difficulty(d, projected, target_timespan_s=timespan))
    remaining = start + interval - tip
    return AdjustmentEstimate(
        blocks_done=intervals_done + 1,
        remaining_blocks=remaining,
        retarget_height=start + interval,
        mean_interval_s=mean,
        projected_timespan_s=projected,
        projected_retarget_time=t1 + remaining * mean,
        change=new / d - 1,
        new_difficulty=new,
    )
