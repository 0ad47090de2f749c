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

Modules: :mod:`.consensus` (constants, subsidy, halvings), :mod:`.targets` (targets, compact bits,
difficulty, work), :mod:`.retarget` (the retarget and the next-adjustment estimate from the tip) and
:mod:`.adjustment` (mempool.space's estimate by the clock, locked at the epoch's end); every public
name is re-exported here.
"""

from __future__ import annotations

from hashpower.models.chain.adjustment import MAX_FUTURE_BLOCK_TIME_S, DifficultyAdjustment, difficulty_adjustment
from hashpower.models.chain.consensus import (
    HALVING_INTERVAL_BLOCKS,
    INITIAL_SUBSIDY_SAT,
    MAX_TARGET,
    POW_LIMIT,
    RETARGET_CLAMP_FACTOR,
    RETARGET_INTERVAL_BLOCKS,
    RETARGET_TIMESPAN_S,
    SAT_PER_BTC,
    SUBSIDY_HALVINGS,
    TARGET_SPACING_S,
    halving_height,
    halving_heights,
    next_halving_height,
    projected_halving_dates,
    subsidy_sat,
)
from hashpower.models.chain.retarget import (
    AdjustmentEstimate,
    estimate_next_adjustment,
    next_difficulty,
    next_target,
    retarget,
)
from hashpower.models.chain.targets import (
    bits_from_target,
    block_proof,
    difficulty_from_bits,
    difficulty_from_bits_strict,
    difficulty_from_target,
    hashes_per_block,
    target_from_bits,
    target_from_difficulty,
)

__all__ = [
    "HALVING_INTERVAL_BLOCKS",
    "INITIAL_SUBSIDY_SAT",
    "MAX_FUTURE_BLOCK_TIME_S",
    "MAX_TARGET",
    "POW_LIMIT",
    "RETARGET_CLAMP_FACTOR",
    "RETARGET_INTERVAL_BLOCKS",
    "RETARGET_TIMESPAN_S",
    "SAT_PER_BTC",
    "SUBSIDY_HALVINGS",
    "TARGET_SPACING_S",
    "AdjustmentEstimate",
    "DifficultyAdjustment",
    "bits_from_target",
    "block_proof",
    "difficulty_adjustment",
    "difficulty_from_bits",
    "difficulty_from_bits_strict",
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
