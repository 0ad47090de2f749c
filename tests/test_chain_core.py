"""Difficulty from any 32-bit nBits exactly as Bitcoin Core's GetDifficulty computes it.

References: Bitcoin Core ``src/rpc/blockchain.cpp`` ``GetDifficulty(const CBlockIndex&)`` and its vectors in
``src/test/blockchain_tests.cpp`` (bitcoin/bitcoin, ``get_difficulty_for_*_target``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashpower.models import chain

#: DoubleEquals epsilon of Core's RejectDifficultyMismatch (src/test/blockchain_tests.cpp): |a - b| < 0.00001.
CORE_EPSILON = 0.00001


def core_get_difficulty(nbits: int) -> float:
    """A line-by-line port of Core's ``GetDifficulty`` (src/rpc/blockchain.cpp), in Python doubles.

    Python floats are IEEE doubles with the same round-to-nearest arithmetic as Core's ``double``; a zero
    mantissa is ``+inf`` there (IEEE division by zero), so here too.
    """
    n_shift = (nbits >> 24) & 0xFF
    mantissa = nbits & 0x00FFFFFF
    d_diff = float(0x0000FFFF) / float(mantissa) if mantissa else float("inf")
    while n_shift < 29:
        d_diff *= 256.0
        n_shift += 1
    while n_shift > 29:
        d_diff /= 256.0
        n_shift -= 1
    return d_diff


@pytest.mark.parametrize(
    ("bits", "expected"),
    [
        (0x1F111111, 0.000001),  # blockchain_tests.cpp: get_difficulty_for_very_low_target
        (0x1EF88F6F, 0.000016),  # blockchain_tests.cpp: get_difficulty_for_low_target
        (0x1DF88F6F, 0.004023),  # blockchain_tests.cpp: get_difficulty_for_mid_target
        (0x1CF88F6F, 1.029916),  # blockchain_tests.cpp: get_difficulty_for_high_target
        (0x12345678, 5913134931067755359633408.0),  # blockchain_tests.cpp: get_difficulty_for_very_high_target
    ],
)
def test_core_get_difficulty_vectors(bits, expected):
    # Core checks |difficulty - expected| < 0.00001 (DoubleEquals in RejectDifficultyMismatch).
    got = chain.difficulty_from_bits(bits)
    assert abs(got - expected) < CORE_EPSILON
    assert got == core_get_difficulty(bits)


def test_core_vectors_vectorised_and_shaped():
    bits = np.array([[0x1F111111, 0x1EF88F6F], [0x1DF88F6F, 0x1CF88F6F]])
    got = chain.difficulty_from_bits(bits)
    assert got.shape == (2, 2) and got.dtype == np.float64
    np.testing.assert_array_equal(got, [[core_get_difficulty(int(b)) for b in r] for r in bits])
    assert isinstance(chain.difficulty_from_bits(0x1D00FFFF), float)  # a numpy float64 scalar for a scalar
    assert chain.difficulty_from_bits([]).shape == (0,)


@pytest.mark.parametrize(
    "bits",
    [
        0x1D00FFFF,  # genesis (chainparams.cpp CreateGenesisBlock): difficulty 1
        0x1D000000,  # zero mantissa: Core divides 0xffff by 0.0, +inf
        0x00000000, 0x00000001, 0x01123456, 0x02008000, 0x03123456,  # exponents below 3: no mantissa bytes dropped
        0x01FEDCBA, 0x04923456, 0x1D800000,  # the sign bit: SetCompact's pfNegative, read as mantissa here
        0xFF123456, 0x21010000, 0x22000100,  # SetCompact's pfOverflow (arith_uint256_tests.cpp)
        0xFFFFFFFF, 0xFF000001, 0x9B000001, 0x9C000001, 0xA0FFFFFF, 0xA1000001,  # deep in and past the subnormals
        0x20FFFFFF, 0x1D7FFFFF,
    ],
)
def test_every_kind_of_bits_follows_core(bits):
    assert chain.difficulty_from_bits(bits) == core_get_difficulty(bits)


def test_every_exponent_follows_core_bit_for_bit():
    bits = np.array([e << 24 | m for e in range(256) for m in (0, 1, 0x7F, 0x8000, 0x7FFFFF, 0x800000, 0xFFFFFF)])
    got = chain.difficulty_from_bits(bits)
    want = np.array([core_get_difficulty(int(b)) for b in bits])
    np.testing.assert_array_equal(got, want)  # inf == inf and 0 == 0 included


@given(st.integers(0, 0xFFFFFFFF))
def test_any_32_bits_follow_core_property(bits):
    assert chain.difficulty_from_bits(bits) == core_get_difficulty(bits)


@given(st.lists(st.integers(0, 0xFFFFFFFF), min_size=1, max_size=50))
def test_vectorised_equals_elementwise_property(bits):
    np.testing.assert_array_equal(chain.difficulty_from_bits(bits), [core_get_difficulty(b) for b in bits])


@given(st.integers(1, 2**224 - 1))
def test_header_bits_agree_with_the_strict_and_the_exact_difficulty(target):
    # For the compact values GetCompact writes (every header's), GetDifficulty equals MAX_TARGET / the target.
    bits = chain.bits_from_target(target)
    expanded = chain.target_from_bits(bits)
    d = chain.difficulty_from_bits(bits)
    assert d == chain.difficulty_from_bits_strict(bits) == chain.difficulty_from_target(expanded)


@pytest.mark.parametrize("bits", [0x01FEDCBA, 0x04923456])  # arith_uint256_tests.cpp: fNegative
def test_strict_refuses_negative_bits(bits):
    assert chain.difficulty_from_bits(bits) == core_get_difficulty(bits)
    with pytest.raises(ValueError, match="bits has the sign bit set"):
        chain.difficulty_from_bits_strict(bits)


@pytest.mark.parametrize("bits", [0xFF123456, 0x21010000, 0x22000100])  # arith_uint256_tests.cpp: fOverflow
def test_strict_refuses_overflowing_bits(bits):
    assert chain.difficulty_from_bits(bits) == core_get_difficulty(bits)
    with pytest.raises(ValueError, match="bits overflows"):
        chain.difficulty_from_bits_strict(bits)


def test_strict_refuses_a_zero_target():
    assert chain.difficulty_from_bits(0x1D000000) == float("inf")
    with pytest.raises(ValueError, match="bits encodes a zero target"):
        chain.difficulty_from_bits_strict(0x1D000000)


@pytest.mark.parametrize(
    "bad",
    [-1, 2**32, 2**40, 0x1D00FFFF + 0.5, float("nan"), float("inf"), "0x1d00ffff", None, True, [1, -1],
     [0x1D00FFFF, 2**32], np.array([1.5]), 2**70],
)
@pytest.mark.parametrize("fn", [chain.difficulty_from_bits, chain.difficulty_from_bits_strict])
def test_bad_bits_raise_value_error_naming_bits(fn, bad):
    with pytest.raises(ValueError, match="bits"):
        fn(bad)


def test_integral_floats_are_accepted_as_bits():
    assert chain.difficulty_from_bits(float(0x1D00FFFF)) == 1.0
    assert chain.difficulty_from_bits(np.uint32(0xFFFFFFFF)) == core_get_difficulty(0xFFFFFFFF)
