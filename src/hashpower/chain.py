"""Consensus facts of the Bitcoin main chain, as Bitcoin Core computes them.

Constants live here together and are passed explicitly; nothing reads a
global switch.

Two kinds of functions live here. Those on heights, times and difficulties are
numpy-vectorised: they take array_like, broadcast, and return numpy arrays
(0-d for scalar input). Those on 256-bit targets compute exactly, with Python
integers as Bitcoin Core does with ``arith_uint256``: a scalar gives a Python
``int`` (or ``float`` for a difficulty), an array gives a numpy array of
``dtype=object`` holding Python integers (256-bit values do not fit numpy's
fixed-width integers).

References
----------
.. [1] Bitcoin Core, ``src/validation.cpp`` ``GetBlockSubsidy`` and
   ``src/kernel/chainparams.cpp`` (``nSubsidyHalvingInterval = 210000``,
   ``powLimit``, ``nPowTargetTimespan``, ``nPowTargetSpacing``).
.. [2] Bitcoin Core, ``src/pow.cpp`` ``GetNextWorkRequired`` and
   ``CalculateNextWorkRequired`` (2016-block retarget, 4x clamp).
.. [3] Bitcoin Core, ``src/arith_uint256.cpp`` ``arith_uint256::SetCompact`` and
   ``arith_uint256::GetCompact`` (the compact ``nBits`` encoding).
.. [4] Bitcoin Core, ``src/chain.h`` / ``src/chain.cpp`` ``GetBlockProof`` (the
   expected work of a block).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "HALVING_INTERVAL_BLOCKS",
    "INITIAL_SUBSIDY_SAT",
    "MAX_TARGET",
    "POW_LIMIT",
    "RETARGET_CLAMP_FACTOR",
    "RETARGET_INTERVAL_BLOCKS",
    "RETARGET_TIMESPAN_S",
    "SAT_PER_BTC",
    "SUBSIDY_HALVINGS",
    "TARGET_SPACING_S",
    "AdjustmentEstimate",
    "bits_from_target",
    "block_proof",
    "difficulty_from_bits",
    "difficulty_from_target",
    "estimate_next_adjustment",
    "halving_height",
    "halving_heights",
    "hashes_per_block",
    "next_difficulty",
    "next_halving_height",
    "next_target",
    "projected_halving_dates",
    "retarget",
    "subsidy_sat",
    "target_from_bits",
    "target_from_difficulty",
]

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


# --------------------------------------------------------------------------- validation helpers


def _int_array(value: ArrayLike, name: str, minimum: int | None = 0) -> np.ndarray:
    """``value`` as an int64 array of whole numbers >= ``minimum``, or ValueError naming ``name``."""
    a = np.asarray(value)
    if a.dtype == np.bool_ or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"{name} must be whole numbers, got {value!r}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or not np.all(a == np.floor(a)) or np.any(np.abs(a) >= 2.0**62):
            raise ValueError(f"{name} must be whole numbers, got {value!r}")
    a = a.astype(np.int64)
    if minimum is not None and np.any(a < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return a


def _float_array(value: ArrayLike, name: str, *, positive: bool) -> np.ndarray:
    """``value`` as a finite float64 array (> 0 if ``positive``), or ValueError naming ``name``."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and np.any(a <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return a


def _int_scalar(value: Any, name: str, *, allow_float: bool = True) -> int:
    """One exact integer; an integral float only if ``allow_float`` (256-bit targets must be ints)."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if allow_float and isinstance(value, float | np.floating) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise ValueError(f"{name} must be an integer, got {value!r}")


def _elementwise(fn: Callable[..., Any], args: tuple[Any, ...], dtype: type | str) -> Any:
    """Apply the exact scalar ``fn`` over broadcast ``args``: a scalar for scalars, else an array of ``dtype``."""
    arrays = [np.asarray(a, dtype=object) for a in args]
    b = np.broadcast(*arrays)
    if b.nd == 0:
        return fn(*(a.item() for a in arrays))
    out = np.empty(b.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, values in enumerate(b):
        flat[i] = fn(*values)
    return out


def _single(value: Any, name: str, *, integer: bool, **kw: Any) -> Any:
    """One validated value (see ``_int_array`` / ``_float_array``) as a Python int or float."""
    a = _int_array(value, name, **kw) if integer else _float_array(value, name, **kw)
    if a.ndim != 0:
        raise ValueError(f"{name} must be a single value, got {value!r}")
    return int(a) if integer else float(a)


def _unix_seconds(value: Any, name: str) -> float:
    """A time as unix seconds: a number [s], a ``numpy.datetime64`` or a ``datetime`` (naive means UTC)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError(f"{name} must be a time, got {value!r}")
        return float((value - np.datetime64(0, "s")) / np.timedelta64(1, "s"))
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be unix seconds, a numpy.datetime64 or a datetime, got {value!r}") from None
    if not math.isfinite(t):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return t


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


# --------------------------------------------------------------------------- targets, bits and difficulty


def _set_compact(bits: Any) -> int:
    b = _int_scalar(bits, "bits")
    if not 0 <= b <= 0xFFFFFFFF:
        raise ValueError(f"bits must be a 32-bit unsigned integer, got {bits!r}")
    size = b >> 24
    word = b & 0x007FFFFF
    if size <= 3:
        word >>= 8 * (3 - size)
    if word and b & 0x00800000:
        raise ValueError(f"bits has the sign bit set (a negative target): {b:#010x}")
    if word and (size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32)):
        raise ValueError(f"bits overflows 256 bits: {b:#010x}")
    return word if size <= 3 else word << (8 * (size - 3))


def target_from_bits(bits: ArrayLike) -> Any:
    """Expand a compact ``nBits`` value into the 256-bit target.

    Parameters
    ----------
    bits : int or array_like of int
        Compact target [-]: exponent (bytes) in the top byte, 23-bit mantissa
        below, bit 23 the sign.

    Returns
    -------
    int or numpy.ndarray of object
        The target [-]: ``mantissa * 256**(exponent - 3)``.

    Raises
    ------
    ValueError
        ``bits`` outside 32 bits, negative (sign bit with a non-zero
        mantissa), or overflowing 256 bits (the cases Core flags with
        ``pfNegative`` and ``pfOverflow``).

    References
    ----------
    Bitcoin Core ``arith_uint256::SetCompact`` [3].

    Examples
    --------
    >>> hex(target_from_bits(0x1D00FFFF))
    '0xffff0000000000000000000000000000000000000000000000000000'
    """
    return _elementwise(_set_compact, (bits,), object)


def _get_compact(target: Any) -> int:
    t = _int_scalar(target, "target", allow_float=False)
    if not 0 <= t < _UINT256:
        raise ValueError(f"target must be in [0, 2**256), got {target!r}")
    size = (t.bit_length() + 7) // 8
    compact = t << (8 * (3 - size)) if size <= 3 else t >> (8 * (size - 3))
    if compact & 0x00800000:
        compact >>= 8
        size += 1
    return compact | (size << 24)


def bits_from_target(target: Any) -> Any:
    """Compact ``nBits`` form of a 256-bit target (truncating it to a 23-bit mantissa).

    Parameters
    ----------
    target : int or array_like of int
        The target [-], in [0, 2**256). Python or numpy integers; floats are
        refused because they cannot hold a 256-bit value exactly.

    Returns
    -------
    int or numpy.ndarray of int64
        The compact value [-]. ``target_from_bits(bits_from_target(t))`` is
        ``t`` with all but its top 2-3 significant bytes zeroed.

    Notes
    -----
    The mantissa is the target's top three bytes; if its top bit is set it is
    shifted one byte right (that bit is the sign) and the exponent grows by 1.

    References
    ----------
    Bitcoin Core ``arith_uint256::GetCompact`` [3].

    Examples
    --------
    >>> hex(bits_from_target(0xFFFF << 208))
    '0x1d00ffff'
    """
    return _elementwise(_get_compact, (target,), np.int64)


def _difficulty(target: Any) -> float:
    t = _int_scalar(target, "target", allow_float=False)
    if not 0 < t < _UINT256:
        raise ValueError(f"target must be > 0 and < 2**256, got {target!r}")
    return MAX_TARGET / t


def difficulty_from_target(target: Any) -> Any:
    """Difficulty of a 256-bit target: ``MAX_TARGET / target``.

    Parameters
    ----------
    target : int or array_like of int
        The proof-of-work target [-], 0 < target < 2**256.

    Returns
    -------
    float or numpy.ndarray of float64
        Difficulty [-], correctly rounded (exact integer division). It is
        non-increasing in the target, and strictly decreasing between distinct
        compact-representable targets.

    References
    ----------
    Bitcoin Core ``rpc/blockchain.cpp`` ``GetDifficulty`` (same quantity from
    ``nBits``) and ``pow.cpp`` [2].
    """
    return _elementwise(_difficulty, (target,), np.float64)


def difficulty_from_bits(bits: ArrayLike) -> np.ndarray:
    """Difficulty of a compact ``nBits`` value, vectorised.

    Parameters
    ----------
    bits : array_like of int
        Compact target [-] (see :func:`target_from_bits`).

    Returns
    -------
    numpy.ndarray of float64
        Difficulty [-], ``0xFFFF * 2**208 / target_from_bits(bits)``; bit for
        bit equal to :func:`difficulty_from_target` of the expanded target.

    Notes
    -----
    With ``target = m * 2**s``, the difficulty is ``(0xFFFF / m) * 2**(208 - s)``:
    one correctly rounded division then an exact power-of-two scaling.

    References
    ----------
    Bitcoin Core ``arith_uint256::SetCompact`` [3] and ``GetDifficulty``.

    Examples
    --------
    >>> float(difficulty_from_bits(0x1D00FFFF))
    1.0
    """
    b = _int_array(bits, "bits")
    if np.any(b > 0xFFFFFFFF):
        raise ValueError(f"bits must be a 32-bit unsigned integer, got {bits!r}")
    size = b >> 24
    small = size <= 3
    word = np.where(small, (b & 0x007FFFFF) >> (8 * (3 - np.minimum(size, 3))), b & 0x007FFFFF)
    if np.any((word != 0) & ((b & 0x00800000) != 0)):
        raise ValueError(f"bits has the sign bit set (a negative target): {bits!r}")
    if np.any((word != 0) & ((size > 34) | ((word > 0xFF) & (size > 33)) | ((word > 0xFFFF) & (size > 32)))):
        raise ValueError(f"bits overflows 256 bits: {bits!r}")
    mantissa = word
    if np.any(mantissa == 0):
        raise ValueError(f"bits encodes a zero target, which has no difficulty: {bits!r}")
    shift = np.where(small, 0, 8 * (size - 3))
    return np.ldexp(0xFFFF / mantissa, (208 - shift).astype(np.int32))


def _target_of_difficulty(difficulty: Any) -> int:
    try:
        d = float(difficulty)
    except (TypeError, ValueError):
        raise ValueError(f"difficulty must be a number, got {difficulty!r}") from None
    if not math.isfinite(d) or d <= 0:
        raise ValueError(f"difficulty must be finite and > 0, got {difficulty!r}")
    t = math.floor(Fraction(MAX_TARGET) / Fraction(d))
    if not 0 < t < _UINT256:
        raise ValueError(f"difficulty {difficulty!r} gives a target outside (0, 2**256)")
    return t


def target_from_difficulty(difficulty: ArrayLike) -> Any:
    """The 256-bit target of a difficulty: ``floor(MAX_TARGET / difficulty)``.

    Parameters
    ----------
    difficulty : float or array_like of float
        Difficulty [-], finite and > 0 (between about 2**-32 and 2**224 so the
        target fits in (0, 2**256)).

    Returns
    -------
    int or numpy.ndarray of object
        Target [-], exact floor of the quotient (the float is taken at its
        exact binary value). ``difficulty_from_target`` of it gives back the
        difficulty to within one rounding (exactly, for real difficulties).

    References
    ----------
    Inverse of ``GetDifficulty``; ``MAX_TARGET`` from ``chainparams.cpp`` [1], [2].
    """
    return _elementwise(_target_of_difficulty, (difficulty,), object)


def _block_proof(target: Any) -> int:
    t = _int_scalar(target, "target", allow_float=False)
    if not 0 < t < _UINT256:
        raise ValueError(f"target must be > 0 and < 2**256, got {target!r}")
    return (_UINT256 - 1 - t) // (t + 1) + 1


def block_proof(target: Any) -> Any:
    """Expected number of hashes to find a block at ``target`` (its chain work).

    Parameters
    ----------
    target : int or array_like of int
        The target [-], 0 < target < 2**256.

    Returns
    -------
    int or numpy.ndarray of object
        Work [hashes]: ``floor(2**256 / (target + 1))``, computed as Core does,
        ``~target / (target + 1) + 1``.

    References
    ----------
    Bitcoin Core ``GetBlockProof`` (``src/chain.h``, ``src/chain.cpp``) [4].
    """
    return _elementwise(_block_proof, (target,), object)


def hashes_per_block(difficulty: ArrayLike) -> np.ndarray:
    """Expected hashes per block by the usual convention, ``difficulty * 2**32``.

    Parameters
    ----------
    difficulty : array_like of float
        Difficulty [-], finite and > 0.

    Returns
    -------
    numpy.ndarray of float64
        Hashes per block [hashes].

    Notes
    -----
    Core's exact expected work, ``GetBlockProof = 2**256 / (target + 1)``
    (:func:`block_proof`), equals ``difficulty * 2**48 / 0xFFFF``, i.e.
    ``difficulty * 2**32 * 65536 / 65535``: it is 1/65535 (1.53e-5) larger
    than this convention, because difficulty 1 is the target ``0xFFFF * 2**208``
    and not ``2**224``. Hash rates quoted by explorers, pools and Coin Metrics
    use ``difficulty * 2**32``, as does this package; Core's
    ``getnetworkhashps`` uses chain work, hence the 1.5e-5 higher value.

    References
    ----------
    Bitcoin Core ``GetBlockProof`` [4]; ``GetDifficulty``.

    Examples
    --------
    >>> float(hashes_per_block(1.0))
    4294967296.0
    """
    return _float_array(difficulty, "difficulty", positive=True) * 2.0**32


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
