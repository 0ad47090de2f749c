"""Targets, compact ``nBits``, difficulty and block proof, exactly as Bitcoin Core computes them.

References
----------
.. [3] Bitcoin Core, ``src/arith_uint256.cpp`` ``arith_uint256::SetCompact`` and
   ``arith_uint256::GetCompact`` (the compact ``nBits`` encoding).
.. [4] Bitcoin Core, ``src/chain.h`` / ``src/chain.cpp`` ``GetBlockProof`` (the
   expected work of a block).
.. [5] Bitcoin Core, ``src/rpc/blockchain.cpp`` ``GetDifficulty`` (the difficulty
   of any ``nBits``, in doubles) and its vectors in ``src/test/blockchain_tests.cpp``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.chain._validate import _elementwise, _float_array, _int_array, _int_scalar
from hashpower.models.chain.consensus import MAX_TARGET

_UINT256 = 1 << 256


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


def difficulty_from_bits_strict(bits: ArrayLike) -> np.ndarray:
    """Difficulty of the target a valid compact ``nBits`` encodes, refusing what Core's decoding flags.

    Parameters
    ----------
    bits : array_like of int
        Compact target [-] (see :func:`target_from_bits`), in [0, 2**32).

    Returns
    -------
    numpy.ndarray of float64
        Difficulty [-], ``0xFFFF * 2**208 / target_from_bits(bits)``; bit for
        bit equal to :func:`difficulty_from_target` of the expanded target.

    Raises
    ------
    ValueError
        ``bits`` not whole numbers in 32 bits, negative or overflowing (the
        cases ``SetCompact`` flags with ``pfNegative`` and ``pfOverflow``), or
        encoding a zero target; the message names ``bits``.

    Notes
    -----
    With ``target = m * 2**s``, the difficulty is ``(0xFFFF / m) * 2**(208 - s)``:
    one correctly rounded division then an exact power-of-two scaling. For
    the compact values ``GetCompact`` writes (every block header's) it equals
    :func:`difficulty_from_bits`, which follows ``GetDifficulty`` for any 32
    bits instead.

    References
    ----------
    Bitcoin Core ``arith_uint256::SetCompact`` [3].

    Examples
    --------
    >>> float(difficulty_from_bits_strict(0x1D00FFFF))
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


#: ``GetDifficulty`` scales the quotient by 256 for each step of the exponent away from 29.
_GETDIFFICULTY_EXPONENT = 29
#: Down-shifts by 256 that stay exact however small the quotient (>= 0xFFFF / 0xFFFFFF > 2**-8.001): the
#: result stays above 2**-1022, the smallest normal double, so one exact ``ldexp`` does them all.
_EXACT_DOWN_SHIFTS = 126


def difficulty_from_bits(bits: ArrayLike) -> np.ndarray:
    """Difficulty of any 32-bit ``nBits`` value exactly as Bitcoin Core's ``GetDifficulty`` computes it, vectorised.

    Parameters
    ----------
    bits : array_like of int
        Compact target [-], any 32-bit unsigned value: exponent in the top
        byte, mantissa in the low 24 bits (the sign bit included, as Core
        reads it here).

    Returns
    -------
    numpy.ndarray of float64
        Difficulty [-], ``0xFFFF / (bits & 0x00FFFFFF)`` in doubles, multiplied
        by 256 for each step of the exponent ``bits >> 24`` below 29 and divided
        by 256 for each step above. A zero mantissa gives ``inf`` (Core's double
        division by zero) and a large exponent underflows to 0, as in Core.

    Raises
    ------
    ValueError
        ``bits`` not whole numbers in [0, 2**32); the message names ``bits``.

    Notes
    -----
    Unlike the target decoding (``SetCompact``, :func:`target_from_bits`),
    ``GetDifficulty`` neither refuses a negative or overflowing value nor drops
    the low mantissa bytes of an exponent below 3. For the compact values
    ``GetCompact`` writes it equals :func:`difficulty_from_bits_strict` and
    :func:`difficulty_from_target` of the expanded target bit for bit. The
    scaling reproduces Core's loop step by step: the multiplications and the
    first 126 divisions are exact (one ``ldexp``); any further division, in
    the subnormal range, is rounded at each step as Core's is.

    References
    ----------
    Bitcoin Core ``rpc/blockchain.cpp`` ``GetDifficulty(const CBlockIndex&)``;
    test vectors in ``src/test/blockchain_tests.cpp`` [5].

    Examples
    --------
    >>> float(difficulty_from_bits(0x1D00FFFF))
    1.0
    >>> round(float(difficulty_from_bits(0x1EF88F6F)), 6)
    1.6e-05
    """
    b = _int_array(bits, "bits")
    if np.any(b > 0xFFFFFFFF):
        raise ValueError(f"bits must be a 32-bit unsigned integer, got {bits!r}")
    exponent = (b >> 24) & 0xFF
    mantissa = (b & 0x00FFFFFF).astype(np.float64)
    with np.errstate(divide="ignore"):
        d = np.float64(0xFFFF) / mantissa
    up = np.maximum(_GETDIFFICULTY_EXPONENT - exponent, 0)
    down = np.maximum(exponent - _GETDIFFICULTY_EXPONENT, 0)
    d = np.ldexp(d, (8 * (up - np.minimum(down, _EXACT_DOWN_SHIFTS))).astype(np.int32))
    rest = down - _EXACT_DOWN_SHIFTS
    for k in range(int(rest.max(initial=0))):
        d = np.where(rest > k, d / 256.0, d)
    return d if d.ndim else d[()]


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

