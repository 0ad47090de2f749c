"""Consensus facts of the Bitcoin main chain, as Bitcoin Core computes them.

Constants live here together and are passed explicitly; nothing reads a
global switch.

References
----------
.. [1] Bitcoin Core, ``src/validation.cpp`` ``GetBlockSubsidy`` and
   ``src/kernel/chainparams.cpp`` (``nSubsidyHalvingInterval = 210000``,
   ``powLimit``).
.. [2] Bitcoin Core, ``src/pow.cpp`` ``CalculateNextWorkRequired``
   (2016-block retarget, 4x clamp).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Satoshis per bitcoin.
SAT_PER_BTC = 100_000_000
#: Blocks between two subsidy halvings [1].
HALVING_INTERVAL_BLOCKS = 210_000
#: Blocks between two difficulty retargets [2].
RETARGET_INTERVAL_BLOCKS = 2016
#: Target block spacing [s] [2].
TARGET_SPACING_S = 600
#: The initial block subsidy [sat] [1].
INITIAL_SUBSIDY_SAT = 50 * SAT_PER_BTC
#: Difficulty-1 target, ``0xFFFF * 2**208`` (mainnet ``powLimit`` truncated to compact form) [2].
MAX_TARGET = 0xFFFF << 208


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
    h = np.asarray(height)
    if not np.issubdtype(h.dtype, np.integer):
        if not np.all(np.isfinite(h)) or not np.all(h == np.floor(h)):
            raise ValueError(f"height must be whole block numbers, got {height!r}")
        h = h.astype(np.int64)
    if np.any(h < 0):
        raise ValueError(f"height must be >= 0, got {height!r}")
    halvings = h // HALVING_INTERVAL_BLOCKS
    shifted = np.right_shift(np.int64(INITIAL_SUBSIDY_SAT), np.minimum(halvings, 63).astype(np.int64))
    return np.where(halvings >= 64, 0, shifted).astype(np.int64)


def difficulty_from_target(target: int) -> float:
    """Difficulty of a 256-bit target: ``MAX_TARGET / target`` [2].

    Parameters
    ----------
    target : int
        The proof-of-work target, > 0.
    """
    if target <= 0:
        raise ValueError(f"target must be > 0, got {target!r}")
    return MAX_TARGET / target


def target_from_bits(bits: int) -> int:
    """Expand a compact ``nBits`` value into the 256-bit target (Bitcoin Core ``arith_uint256::SetCompact``)."""
    if bits < 0 or bits > 0xFFFFFFFF:
        raise ValueError(f"bits must be a 32-bit unsigned integer, got {bits!r}")
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    if bits & 0x00800000:
        raise ValueError(f"bits has the sign bit set: {bits:#010x}")
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))
