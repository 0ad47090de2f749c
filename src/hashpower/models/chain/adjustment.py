"""The epoch's progress and the next difficulty adjustment by the clock, as mempool.space estimates it.

Blocks mined against the blocks the time elapsed by ``now`` calls for; locked to Bitcoin Core's rule once the
epoch's last block is in. (The projection from the tip alone is :func:`.retarget.estimate_next_adjustment`.)

References
----------
.. [2] Bitcoin Core, ``src/pow.cpp`` ``GetNextWorkRequired`` and
   ``CalculateNextWorkRequired`` (2016-block retarget, 4x clamp); ``src/chain.h`` ``MAX_FUTURE_BLOCK_TIME``.
.. [6] mempool.space, ``backend/src/api/difficulty-adjustment.ts`` ``calcDifficultyAdjustment`` and its
   vectors in ``backend/src/__tests__/api/difficulty-adjustment.test.ts``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hashpower.models.chain._validate import _int_scalar, _single, _unix_seconds
from hashpower.models.chain.consensus import RETARGET_CLAMP_FACTOR, RETARGET_INTERVAL_BLOCKS, TARGET_SPACING_S

#: How far ahead of the node's clock a block's time may be [s] (Bitcoin Core ``MAX_FUTURE_BLOCK_TIME``, ``chain.h``).
MAX_FUTURE_BLOCK_TIME_S = 2 * 60 * 60


@dataclass(frozen=True)
class DifficultyAdjustment:
    """Progress of the epoch and the next difficulty adjustment estimated by the clock, as mempool.space does.

    Attributes
    ----------
    tip_height : int
        Height of the tip the estimate is made at [block].
    blocks_in_epoch : int
        Intervals from the epoch's first block to the tip, ``tip_height % 2016``
        [blocks] (mempool's ``blocksInEpoch``).
    progress : float
        ``blocks_in_epoch / 2016`` [decimal] (mempool's ``progressPercent`` / 100).
    remaining_blocks : int
        Blocks to mine until ``retarget_height`` included [blocks].
    retarget_height : int
        Height of the first block under the new difficulty [block].
    expected_blocks : float
        Blocks the elapsed time (epoch's first block to ``now``) calls for at the
        target spacing [blocks].
    change : float
        Estimated (or, if ``locked``, final) difficulty change [decimal], in
        [-0.75, 3] (mempool's ``difficultyChange`` / 100).
    locked : bool
        True once the epoch's last block is in (``tip_height + 1`` a multiple of
        2016): ``change`` is then the change Core's rule gives from the epoch's
        first and last block times, no longer an estimate.
    mean_interval_s : float
        Elapsed time over ``blocks_in_epoch``, truncated to the millisecond [s];
        the target spacing at the epoch's first block (mempool's ``timeAvg``).
    projected_interval_s : float
        Interval the retarget date is projected at, truncated to the
        millisecond [s]: ``mean_interval_s``, or the sliding-window interval early
        in the epoch (mempool's ``adjustedTimeAvg``).
    remaining_time_s : float
        ``remaining_blocks * projected_interval_s`` [s] (mempool's ``remainingTime``).
    estimated_retarget_time : float
        ``now + remaining_time_s`` [unix s] (mempool's ``estimatedRetargetDate``).
    windowed : bool
        Whether the early-epoch sliding window gave ``change`` and
        ``projected_interval_s``.

    References
    ----------
    mempool.space ``backend/src/api/difficulty-adjustment.ts``
    ``calcDifficultyAdjustment``; Bitcoin Core ``CalculateNextWorkRequired`` [2].
    """

    tip_height: int
    blocks_in_epoch: int
    progress: float
    remaining_blocks: int
    retarget_height: int
    expected_blocks: float
    change: float
    locked: bool
    mean_interval_s: float
    projected_interval_s: float
    remaining_time_s: float
    estimated_retarget_time: float
    windowed: bool


def difficulty_adjustment(
    epoch_start_time: Any,
    tip_height: Any,
    tip_time: Any,
    now: Any,
    *,
    window_start_time: Any = None,
    previous_change: Any = None,
    retarget_interval_blocks: int = RETARGET_INTERVAL_BLOCKS,
    target_spacing_s: float = TARGET_SPACING_S,
) -> DifficultyAdjustment:
    """The epoch's progress and the next difficulty adjustment by the clock, with mempool.space's formula.

    Parameters
    ----------
    epoch_start_time : float, numpy.datetime64 or datetime
        Header time of the epoch's first block, height ``tip_height -
        tip_height % 2016`` [unix s] (mempool's ``DATime``).
    tip_height : int
        Height of the tip [block], >= 0.
    tip_time : float, numpy.datetime64 or datetime
        Header time of the tip [unix s]; used only once the change is locked.
        At most ``MAX_FUTURE_BLOCK_TIME_S`` (2 h) after ``now``, as Core accepts.
    now : float, numpy.datetime64 or datetime
        The time of the estimate [unix s] (mempool: the server's clock).
    window_start_time : float, optional
        Header time of block ``tip_height - 503`` [unix s] (mempool's
        ``quarterEpochTime``). If given, the first 503 blocks of an epoch are
        estimated over the 504-block window reaching back into the previous
        epoch, its part there scaled by ``1 + previous_change``.
    previous_change : float, optional
        The change of the previous adjustment [decimal], > -1; required with
        ``window_start_time`` (mempool's ``previousRetarget`` / 100).
    retarget_interval_blocks : int, default 2016
        Blocks per epoch [blocks]; the window is a quarter of it.
    target_spacing_s : float, default 600
        Target block spacing [s].

    Returns
    -------
    DifficultyAdjustment
        Progress, remaining and expected blocks, the change (decimal) and
        whether it is locked, the mean interval and the retarget time.

    Notes
    -----
    With ``n = tip_height % 2016`` intervals done and ``elapsed = max(0, now -
    epoch_start_time)``: ``expected_blocks = elapsed / 600``; the change is
    ``600 / (span / (n + 1)) - 1``, clamped to [-0.75, 3], where ``span`` is
    ``now - epoch_start_time`` (the ``n + 1`` blocks mined against the time
    they took by now), or ``tip_time - epoch_start_time`` once the epoch's last
    block is in (``n = 2015``): then it is Core's rule, two weeks over the
    2015 intervals it measures, clamped at 4x, and ``locked`` is True. A span
    <= 0 takes the +300 % clamp, as Core clamps a negative timespan (mempool
    would report -75 % for a negative one). The mean interval is
    ``elapsed / n`` (600 s at ``n = 0``) truncated to the millisecond, and the
    retarget time is ``now + remaining_blocks * interval`` in milliseconds, as
    mempool computes them. With the window (``n < 503``): ``span = elapsed +
    (epoch_start_time - window_start_time) * (1 + previous_change)``, the change
    is ``600 / (span / 504) - 1`` and the projected interval ``span / 503``.
    The testnet offsets of mempool's function are not ported (main chain only).

    Raises
    ------
    ValueError
        A negative or fractional ``tip_height``; a time that is not a finite
        time; a ``tip_time`` or ``epoch_start_time`` more than 2 h after ``now``;
        a ``window_start_time`` without ``previous_change``; a ``previous_change``
        <= -1. The message names the parameter.

    References
    ----------
    mempool.space ``backend/src/api/difficulty-adjustment.ts``
    ``calcDifficultyAdjustment`` (vectors in
    ``backend/src/__tests__/api/difficulty-adjustment.test.ts``); Bitcoin Core
    ``CalculateNextWorkRequired`` [2] and ``MAX_FUTURE_BLOCK_TIME`` (``chain.h``).

    Examples
    --------
    >>> a = difficulty_adjustment(0, 1008, 1008 * 600, 1008 * 600)
    >>> round(a.change, 6), a.remaining_blocks, a.locked
    (0.000992, 1008, False)
    """
    interval = _int_scalar(retarget_interval_blocks, "retarget_interval_blocks", allow_float=False)
    if interval < 8:
        raise ValueError(f"retarget_interval_blocks must be >= 8, got {retarget_interval_blocks!r}")
    spacing = _single(target_spacing_s, "target_spacing_s", integer=False, positive=True)
    tip = _single(tip_height, "tip_height", integer=True)
    t0 = _unix_seconds(epoch_start_time, "epoch_start_time")
    t_tip = _unix_seconds(tip_time, "tip_time")
    t_now = _unix_seconds(now, "now")
    if t_tip > t_now + MAX_FUTURE_BLOCK_TIME_S:
        raise ValueError(f"tip_time {tip_time!r} is more than {MAX_FUTURE_BLOCK_TIME_S} s after now {now!r}")
    if t0 > t_now + MAX_FUTURE_BLOCK_TIME_S:
        raise ValueError(f"epoch_start_time {epoch_start_time!r} is more than {MAX_FUTURE_BLOCK_TIME_S} s after "
                         f"now {now!r}")
    window = interval // 4
    t_window = None
    if window_start_time is not None:
        t_window = _unix_seconds(window_start_time, "window_start_time")
        if previous_change is None:
            raise ValueError("previous_change is required with window_start_time")
        prev = _single(previous_change, "previous_change", integer=False, positive=False)
        if prev <= -1:
            raise ValueError(f"previous_change must be > -1, got {previous_change!r}")

    n = tip % interval
    remaining = interval - n
    elapsed = max(0.0, t_now - t0)
    locked = n == interval - 1
    mean = elapsed / n if n else spacing
    projected = mean
    windowed = t_window is not None and n < window - 1
    if windowed:
        span = elapsed + (t0 - t_window) * (1 + prev)
        projected = span / (window - 1)
        blocks = window
    else:
        span = (t_tip if locked else t_now) - t0
        blocks = n + 1
    change = spacing / (span / blocks) - 1 if span > 0 else float(RETARGET_CLAMP_FACTOR - 1)
    change = min(max(change, 1 / RETARGET_CLAMP_FACTOR - 1), float(RETARGET_CLAMP_FACTOR - 1))
    mean_ms = math.floor(mean * 1000)
    projected_ms = math.floor(projected * 1000)
    remaining_ms = remaining * projected_ms
    return DifficultyAdjustment(
        tip_height=tip,
        blocks_in_epoch=n,
        progress=n / interval,
        remaining_blocks=remaining,
        retarget_height=tip + remaining,
        expected_blocks=elapsed / spacing,
        change=change,
        locked=locked,
        mean_interval_s=mean_ms / 1000,
        projected_interval_s=projected_ms / 1000,
        remaining_time_s=remaining_ms / 1000,
        estimated_retarget_time=(remaining_ms + t_now * 1000) / 1000,
        windowed=windowed,
    )
