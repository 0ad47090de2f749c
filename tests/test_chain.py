"""hashpower.models.chain against Bitcoin Core's consensus rules, its own test vectors and the embedded chain data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hashpower
from hashpower.models import chain

TIMESPAN = chain.RETARGET_TIMESPAN_S  # 1,209,600 s, chainparams.cpp nPowTargetTimespan


# --------------------------------------------------------------------------- fixtures: the embedded chain data


@pytest.fixture
def epochs(home):  # noqa: ARG001 - the store lives in the test's home
    e = hashpower.epochs().set_index("epoch")
    e["target"] = [int(t, 16) for t in e["target_hex"]]
    return e


@pytest.fixture
def block_times(home):  # noqa: ARG001
    """Header time [unix s] by height from every per-block table: blocks (664,063..946,236) and block_stats."""
    b = hashpower.blocks()
    times = dict(zip(b["height"].tolist(), (b["timestamp"].astype("int64") // 10**6).tolist(), strict=True))
    assert min(times) == 664_063 and max(times) == 946_236
    con = hashpower.store.connect()
    try:
        stats = dict(con.execute("SELECT height, timestamp FROM block_stats").fetchall())
    finally:
        con.close()
    for h, t in stats.items():
        times.setdefault(h, t)
    return times


def _retarget_inputs(epochs, block_times):
    """(epoch k, target of k-1, time of block 2016(k-1), time of block 2016k-1) wherever both times are known."""
    rows = []
    for k in epochs.index[1:]:
        first, last = 2016 * (k - 1), 2016 * k - 1
        if first in block_times and last in block_times:
            rows.append((int(k), epochs.loc[k - 1, "target"], block_times[first], block_times[last]))
    return rows


# --------------------------------------------------------------------------- subsidy and halvings


def test_subsidy_ends_at_the_33rd_halving():
    # validation.cpp GetBlockSubsidy: 50 BTC >> halvings; 5e9 >> 32 = 1 sat, 5e9 >> 33 = 0.
    assert chain.subsidy_sat(32 * 210_000) == 1
    assert chain.subsidy_sat(33 * 210_000 - 1) == 1
    assert chain.subsidy_sat(33 * 210_000) == 0
    assert chain.subsidy_sat(64 * 210_000) == 0 and chain.subsidy_sat(10**9) == 0


def test_total_supply_is_20999999_9769_btc():
    # The well-known cap (Bitcoin wiki "Controlled supply"): 20,999,999.9769 BTC = 2,099,999,997,690,000 sat,
    # summed here over every height that pays a subsidy.
    total = int(chain.subsidy_sat(np.arange(0, chain.SUBSIDY_HALVINGS * 210_000 + 1)).sum())
    assert total == 2_099_999_997_690_000
    assert total / chain.SAT_PER_BTC == pytest.approx(20_999_999.9769, abs=1e-8)
    # The same by era: 210,000 blocks at each subsidy.
    eras = np.r_[0, chain.halving_heights()]
    assert int((210_000 * chain.subsidy_sat(eras)).sum()) == total


def test_halving_heights():
    # chainparams.cpp nSubsidyHalvingInterval = 210000.
    assert chain.halving_heights(4).tolist() == [210_000, 420_000, 630_000, 840_000]
    hh = chain.halving_heights()
    assert len(hh) == 33 and hh[-1] == 6_930_000 and hh.dtype == np.int64
    assert chain.halving_heights(0).tolist() == []
    # At each halving the subsidy halves (rounding down from 1 sat to 0 at the last).
    assert (chain.subsidy_sat(hh) == chain.subsidy_sat(hh - 1) // 2).all()
    assert chain.halving_height(4) == 840_000


def test_next_halving_height():
    assert chain.next_halving_height(0) == 210_000
    assert chain.next_halving_height(839_999) == 840_000
    assert chain.next_halving_height(840_000) == 1_050_000  # block 840,000 already pays 3.125 BTC
    assert chain.next_halving_height(946_236) == 1_050_000


def test_halving_functions_scalar_array_broadcast():
    assert chain.halving_height(3).shape == ()
    np.testing.assert_array_equal(chain.halving_height([1, 2]), [210_000, 420_000])
    k = np.array([[1], [2]]) + np.array([0, 2, 4])  # (2, 3) by broadcasting
    np.testing.assert_array_equal(chain.halving_height(k), 210_000 * k)
    h = np.array([[0, 209_999], [210_000, 419_999]])
    np.testing.assert_array_equal(chain.next_halving_height(h), [[210_000, 210_000], [420_000, 420_000]])
    np.testing.assert_array_equal(chain.subsidy_sat(h), [[5_000_000_000] * 2, [2_500_000_000] * 2])
    assert chain.next_halving_height(np.float64(5.0)) == 210_000  # whole floats are heights too


@pytest.mark.parametrize(
    ("height", "date"),
    [
        # The four halvings so far (real-world dates, UTC): the day whose last block first reaches the height.
        (210_000, "2012-11-28"),
        (420_000, "2016-07-09"),
        (630_000, "2020-05-11"),
        (840_000, "2024-04-20"),
    ],
)
def test_real_halving_dates_in_the_history(home, height, date):  # noqa: ARG001
    d = hashpower.history(columns=["height_end"])
    first = d.index[d["height_end"] >= height][0]
    assert first == pd.Timestamp(date)
    assert chain.halving_height(height // 210_000) == height
    assert d["height_end"].shift(1)[first] < height  # the day before had not reached it


def test_projected_halving_dates_formula():
    # From the block just before the 2024 halving, at 600 s: 10 minutes later, then 210,000 x 600 s per halving.
    h, d = chain.projected_halving_dates(839_999, np.datetime64("2024-04-20T00:00:00"))
    assert h[0] == 840_000 and h[-1] == 6_930_000 and len(h) == 30  # halvings 4..33
    assert d.dtype == np.dtype("datetime64[s]")
    assert d[0] == np.datetime64("2024-04-20T00:10:00")
    assert (np.diff(d) == np.timedelta64(210_000 * 600, "s")).all()
    # The same time given as unix seconds or as a datetime (aware or naive UTC).
    t = int(dt.datetime(2024, 4, 20, tzinfo=dt.UTC).timestamp())
    for time_now in (t, float(t), dt.datetime(2024, 4, 20, tzinfo=dt.UTC), dt.datetime(2024, 4, 20)):
        np.testing.assert_array_equal(chain.projected_halving_dates(839_999, time_now)[1], d)
    # n limits the list; a faster block interval brings the dates forward.
    h2, d2 = chain.projected_halving_dates(839_999, t, block_interval_s=300, n=2)
    assert h2.tolist() == [840_000, 1_050_000]
    assert d2[1] - np.datetime64(t, "s") == np.timedelta64(210_001 * 300, "s")
    # Nothing is left after the last halving.
    h3, d3 = chain.projected_halving_dates(7_000_000, t)
    assert len(h3) == 0 and len(d3) == 0


def test_projected_2024_halving_from_the_per_block_data(home):  # noqa: ARG001
    # From the first block of the per-block data (664,063, 2021-01-02) and the mean interval the data shows up to
    # block 840,000, the projection lands on the real halving day, 2024-04-20; at the 600 s target it is later.
    b = hashpower.blocks(end="2024-04-21").set_index("height")["timestamp"]
    t0, t1 = b.loc[664_063], b.loc[840_000]
    mean_s = (t1 - t0).total_seconds() / (840_000 - 664_063)
    assert 585 < mean_s < 595  # 591.3 s: hashrate growth: blocks came faster than the target
    _, d = chain.projected_halving_dates(664_063, t0.to_pydatetime(), block_interval_s=mean_s, n=1)
    assert str(d[0])[:10] == "2024-04-20"
    _, d600 = chain.projected_halving_dates(664_063, t0.to_pydatetime(), n=1)
    assert d600[0] > d[0] + np.timedelta64(10, "D")


# --------------------------------------------------------------------------- compact bits, targets, difficulty


@pytest.mark.parametrize(
    ("bits", "target", "compact"),
    [
        # Bitcoin Core src/test/arith_uint256_tests.cpp, bignum_SetCompact: SetCompact(bits) then GetCompact().
        (0x00000000, 0, 0),
        (0x00123456, 0, 0),
        (0x01003456, 0, 0),
        (0x02000056, 0, 0),
        (0x03000000, 0, 0),
        (0x04000000, 0, 0),
        (0x00923456, 0, 0),
        (0x01803456, 0, 0),
        (0x02800056, 0, 0),
        (0x03800000, 0, 0),
        (0x04800000, 0, 0),
        (0x01123456, 0x12, 0x01120000),
        (0x02123456, 0x1234, 0x02123400),
        (0x03123456, 0x123456, 0x03123456),
        (0x04123456, 0x12345600, 0x04123456),
        (0x05009234, 0x92340000, 0x05009234),
        (0x20123456, 0x123456 << 232, 0x20123456),
    ],
)
def test_compact_matches_core_test_vectors(bits, target, compact):
    assert chain.target_from_bits(bits) == target
    assert chain.bits_from_target(target) == compact


def test_get_compact_never_sets_the_sign_bit():
    # arith_uint256_tests.cpp: "Make sure that we don't generate compacts with the 0x00800000 bit set".
    assert chain.bits_from_target(0x80) == 0x02008000


@pytest.mark.parametrize("bits", [0x01FEDCBA, 0x04923456])  # arith_uint256_tests.cpp: fNegative
def test_negative_compact_is_refused(bits):
    with pytest.raises(ValueError, match="bits has the sign bit set"):
        chain.target_from_bits(bits)
    with pytest.raises(ValueError, match="bits"):
        chain.difficulty_from_bits_strict(bits)  # GetDifficulty reads any bits


@pytest.mark.parametrize("bits", [0xFF123456, 0x21010000, 0x22000100])  # arith_uint256_tests.cpp: fOverflow
def test_overflowing_compact_is_refused(bits):
    with pytest.raises(ValueError, match="bits overflows"):
        chain.target_from_bits(bits)
    with pytest.raises(ValueError, match="bits overflows"):
        chain.difficulty_from_bits_strict(bits)  # GetDifficulty reads any bits


def test_genesis_bits():
    # Genesis block nBits 0x1d00ffff (chainparams.cpp CreateGenesisBlock): target 0xFFFF x 2^208, difficulty 1.
    assert chain.target_from_bits(0x1D00FFFF) == chain.MAX_TARGET == 0xFFFF << 208
    assert chain.bits_from_target(chain.MAX_TARGET) == 0x1D00FFFF
    assert chain.difficulty_from_bits(0x1D00FFFF) == 1.0
    assert chain.difficulty_from_target(chain.MAX_TARGET) == 1.0
    assert chain.target_from_difficulty(1.0) == chain.MAX_TARGET
    # powLimit is 2^224 - 1; its compact form is the genesis bits.
    assert chain.POW_LIMIT == int("00000000" + "f" * 56, 16)
    assert chain.bits_from_target(chain.POW_LIMIT) == 0x1D00FFFF


def test_embedded_targets_round_trip_through_bits(epochs):
    # Every epoch target (Electrum checkpoints) is exactly compact-representable: target -> bits -> target.
    bits = [chain.bits_from_target(t) for t in epochs["target"]]
    assert [chain.target_from_bits(b) for b in bits] == epochs["target"].tolist()
    assert [chain.bits_from_target(chain.target_from_bits(b)) for b in bits] == bits
    assert bits[0] == 0x1D00FFFF
    # The vectorised difficulty of the bits equals the exact one, bit for bit, and the checkpoint's difficulty.
    exact = np.array([chain.difficulty_from_target(t) for t in epochs["target"]])
    np.testing.assert_array_equal(chain.difficulty_from_bits(bits), exact)
    np.testing.assert_allclose(chain.difficulty_from_bits(bits), epochs["difficulty"], rtol=1e-15)


def test_target_from_difficulty_inverts_difficulty_from_target(epochs):
    d = epochs["difficulty"].to_numpy()
    t = chain.target_from_difficulty(d)
    assert t.dtype == object and isinstance(t[0], int)
    np.testing.assert_array_equal(chain.difficulty_from_target(t), d)
    rel = np.array([abs(a - b) / b for a, b in zip(t, epochs["target"], strict=True)], dtype=float)
    assert rel.max() < 1e-15


def test_compact_functions_scalar_array_broadcast():
    assert isinstance(chain.target_from_bits(0x1D00FFFF), int)
    assert isinstance(chain.bits_from_target(chain.MAX_TARGET), int)
    assert isinstance(chain.difficulty_from_target(chain.MAX_TARGET), float)
    bits = np.array([[0x1D00FFFF, 0x1B0404CB], [0x170240C3, 0x03123456]])
    targets = chain.target_from_bits(bits)
    assert targets.shape == (2, 2) and targets.dtype == object
    # Bitcoin wiki "Difficulty": 0x1b0404cb is the target 0x0404cb x 2^(8 x (0x1b - 3)), difficulty 16307.42.
    assert targets[0, 1] == 0x0404CB << (8 * (0x1B - 3))
    assert chain.difficulty_from_bits(0x1B0404CB) == pytest.approx(16_307.420938523983, rel=1e-15)
    back = chain.bits_from_target(targets)
    assert back.dtype == np.int64
    np.testing.assert_array_equal(back, bits)
    np.testing.assert_array_equal(chain.difficulty_from_target(targets), chain.difficulty_from_bits(bits))
    assert chain.difficulty_from_bits(bits).shape == (2, 2)


def _normalised_bits():
    """Compact values exactly as GetCompact writes them: mantissa in [0x8000, 0x7fffff], no wasted bytes."""
    big = st.tuples(st.integers(3, 32), st.integers(0x8000, 0x7FFFFF)).map(lambda em: em[0] << 24 | em[1])
    top = st.integers(0x8000, 0xFFFF).map(lambda m: 33 << 24 | m)  # exponent 33: the mantissa fits 2 bytes
    two = st.integers(0x80, 0x7FFF).map(lambda m: 0x02000000 | m << 8)
    one = st.integers(0x01, 0x7F).map(lambda m: 0x01000000 | m << 16)
    return st.one_of(big, top, two, one)


@given(_normalised_bits())
def test_bits_round_trip_property(bits):
    target = chain.target_from_bits(bits)
    assert 0 < target < 2**256
    assert chain.bits_from_target(target) == bits


@given(st.integers(1, 2**256 - 1))
def test_compact_truncates_downwards_property(target):
    bits = chain.bits_from_target(target)
    truncated = chain.target_from_bits(bits)
    assert truncated <= target and (target - truncated) * 2**15 <= target  # top 16+ bits kept
    assert chain.bits_from_target(truncated) == bits


@given(_normalised_bits(), _normalised_bits())
def test_difficulty_strictly_decreases_with_the_target(b1, b2):
    t1, t2 = sorted((chain.target_from_bits(b1), chain.target_from_bits(b2)))
    if t1 < t2:
        assert chain.difficulty_from_target(t1) > chain.difficulty_from_target(t2)
        assert chain.difficulty_from_bits(chain.bits_from_target(t1)) > chain.difficulty_from_bits(
            chain.bits_from_target(t2)
        )


@given(st.integers(1, 2**256 - 2), st.integers(1, 2**200))
def test_difficulty_never_increases_with_the_target(t, step):
    t2 = min(t + step, 2**256 - 1)
    assert chain.difficulty_from_target(t) >= chain.difficulty_from_target(t2)


# --------------------------------------------------------------------------- work


def test_hashes_per_block():
    assert chain.hashes_per_block(1.0) == 2**32
    np.testing.assert_array_equal(chain.hashes_per_block([1.0, 2.0]), [2**32, 2**33])
    d = np.array([[1.0], [10.0]]) * np.array([1.0, 1e12])
    assert chain.hashes_per_block(d).shape == (2, 2)


def test_block_proof_is_d_times_2_48_over_ffff(epochs):
    # chain.cpp GetBlockProof = 2^256 / (target + 1); difficulty 1 needs 2^48 / 0xFFFF = 4,295,032,833 hashes.
    assert chain.block_proof(chain.MAX_TARGET) == 4_295_032_833
    targets = epochs["target"].tolist()
    proof = chain.block_proof(targets)
    d = chain.difficulty_from_target(targets)
    ratio = np.array([p / h for p, h in zip(proof, chain.hashes_per_block(d), strict=True)])
    # D x 2^32 is 1/65535 (1.5e-5) below the exact expected work, on every real target.
    np.testing.assert_allclose(ratio, 65536 / 65535, rtol=1e-9)


# --------------------------------------------------------------------------- the retarget


@pytest.mark.parametrize(
    ("bits", "first_time", "last_time", "expected"),
    [
        # Bitcoin Core src/test/pow_tests.cpp: CalculateNextWorkRequired(pindexLast, nLastRetargetTime) vectors.
        (0x1D00FFFF, 1261130161, 1262152739, 0x1D00D86A),  # get_next_work, blocks 30,240 and 32,255
        (0x1D00FFFF, 1231006505, 1233061996, 0x1D00FFFF),  # get_next_work_pow_limit, blocks 0 and 2,015
        (0x1C05A3F4, 1279008237, 1279297671, 0x1C0168FD),  # get_next_work_lower_limit_actual, blocks 66,528/68,543
        (0x1C387F6F, 1263163443, 1269211443, 0x1D00E1FD),  # get_next_work_upper_limit_actual
    ],
)
def test_retarget_matches_core_test_vectors(bits, first_time, last_time, expected):
    new = chain.next_target(chain.target_from_bits(bits), first_time, last_time)
    assert chain.bits_from_target(new) == expected
    assert new == chain.target_from_bits(expected)


def test_retarget_clamps_to_a_factor_of_four():
    prev = chain.target_from_bits(0x1B0404CB)  # any target well below the pow limit
    assert prev % 4 == 0
    # A timespan of 1 s (or a negative one) is clamped to timespan/4, of 100 weeks to timespan x 4.
    assert chain.retarget(prev, 0, 1) == prev // 4
    assert chain.retarget(prev, 1_000, 0) == prev // 4
    assert chain.retarget(prev, 0, 100 * 7 * 86_400) == prev * 4
    assert chain.retarget(prev, 0, TIMESPAN // 4) == prev // 4 and chain.retarget(prev, 0, TIMESPAN * 4) == prev * 4
    assert chain.retarget(prev, 0, TIMESPAN) == prev
    # The stored targets are the compact truncations of those.
    assert chain.next_target(prev, 0, 1) == chain.target_from_bits(chain.bits_from_target(prev // 4))
    assert chain.next_target(prev, 0, 100 * 7 * 86_400) == chain.target_from_bits(chain.bits_from_target(prev * 4))
    np.testing.assert_allclose(chain.next_difficulty(8.0, [1, TIMESPAN, 100 * 7 * 86_400, -5]), [32, 8, 2, 32])


def test_retarget_multiplies_before_dividing():
    # pow.cpp: bnNew *= nActualTimespan; bnNew /= nPowTargetTimespan (arith_uint256, floor division).
    prev = chain.MAX_TARGET - 12_345
    actual = 1_000_003
    assert chain.retarget(prev, 10, 10 + actual) == prev * actual // TIMESPAN
    assert prev * actual // TIMESPAN != prev // TIMESPAN * actual


def test_retarget_is_capped_at_the_pow_limit():
    # pow.cpp: if (bnNew > bnPowLimit) bnNew = bnPowLimit; the compact form is then 0x1d00ffff, difficulty 1.
    assert chain.retarget(chain.MAX_TARGET, 0, 2 * TIMESPAN) == chain.POW_LIMIT
    assert chain.next_target(chain.MAX_TARGET, 0, 2 * TIMESPAN) == chain.MAX_TARGET
    assert chain.retarget(chain.MAX_TARGET, 0, 2 * TIMESPAN, pow_limit=2**255) == 2 * chain.MAX_TARGET


def test_retarget_scalar_array_broadcast():
    prev = np.array([chain.MAX_TARGET >> 8, chain.MAX_TARGET >> 16], dtype=object)
    last = np.array([[TIMESPAN], [TIMESPAN * 2]])  # (2, 1) against (2,) -> (2, 2)
    out = chain.retarget(prev, 0, last)
    assert out.shape == (2, 2) and out.dtype == object
    assert out[1, 0] == (chain.MAX_TARGET >> 8) * 2 and out[0, 1] == chain.MAX_TARGET >> 16
    assert isinstance(chain.retarget(chain.MAX_TARGET >> 8, 0, TIMESPAN), int)
    nd = chain.next_difficulty(np.array([[1.0], [2.0]]), np.array([TIMESPAN, TIMESPAN / 2, TIMESPAN * 2]))
    np.testing.assert_allclose(nd, [[1, 2, 0.5], [2, 4, 1]])


def test_every_epoch_follows_from_the_previous_target_and_timestamps(epochs, block_times):
    # pow.cpp GetNextWorkRequired: epoch k's target is computed from epoch k-1's target and the header times of its
    # first block (height 2016(k-1)) and last block (height 2016k-1): 2015 intervals, not 2016.
    rows = _retarget_inputs(epochs, block_times)
    ks = [r[0] for r in rows]
    # blocks.parquet gives epochs 331..469; block_stats adds 1..7 and 250..252.
    assert set(range(331, 470)) <= set(ks) and set(range(1, 8)) <= set(ks) and {250, 251, 252} <= set(ks)
    for k, prev, first, last in rows:
        assert chain.next_target(prev, first, last) == epochs.loc[k, "target"], k
        assert chain.difficulty_from_target(chain.next_target(prev, first, last)) == epochs.loc[k, "difficulty"]
    # Vectorised, the same.
    k, prev, first, last = (np.array(c, dtype=object) for c in zip(*rows, strict=True))
    assert (chain.next_target(prev, first, last) == epochs.loc[k.astype(int), "target"].to_numpy()).all()


def test_float_next_difficulty_is_within_the_compact_truncation(epochs, block_times):
    # Away from the pow limit, the float rule differs from the chain only by the compact truncation (< 2^-15).
    rows = [r for r in _retarget_inputs(epochs, block_times) if r[0] > 7]
    k = np.array([r[0] for r in rows])
    span = np.array([r[3] - r[2] for r in rows])
    approx = chain.next_difficulty(epochs.loc[k - 1, "difficulty"].to_numpy(), span)
    np.testing.assert_allclose(approx, epochs.loc[k, "difficulty"].to_numpy(), rtol=2**-15)


def test_early_epochs_are_held_at_the_pow_limit(epochs, block_times):
    # In 2009 the first epochs took longer than two weeks (epoch 0: 23.8 days from block 0 to block 2015), so the
    # rule asked for a difficulty below 1; the pow limit kept it at 1 (block_stats' timestamps, 0..14,999).
    assert block_times[0] == 1_231_006_505 and block_times[2015] == 1_233_061_996  # as in pow_tests.cpp
    for k, prev, first, last in _retarget_inputs(epochs, block_times):
        if k <= 7:
            assert last - first > TIMESPAN
            assert chain.retarget(prev, first, last) == chain.POW_LIMIT
            assert epochs.loc[k, "difficulty"] == 1.0
            assert chain.next_difficulty(1.0, last - first) < 1.0


@pytest.mark.parametrize(
    ("start_height", "date", "change"),
    [
        (935_424, "2026-02-07", -0.1116),  # the February 2026 adjustment (the chain: to 125.86 T)
        (689_472, "2021-07-03", -0.2794),  # July 2021, after China's mining ban: the largest drop on record
    ],
)
def test_known_adjustments(epochs, block_times, start_height, date, change):
    k = start_height // 2016
    assert epochs.loc[k, "start_height"] == start_height and epochs.loc[k, "start_date"] == pd.Timestamp(date)
    assert epochs.loc[k, "difficulty"] / epochs.loc[k - 1, "difficulty"] - 1 == pytest.approx(change, abs=1e-4)
    # From the timestamps, exactly; and the estimate made at the epoch's last block gives the same change.
    first, last = block_times[start_height - 2016], block_times[start_height - 1]
    new = chain.next_target(epochs.loc[k - 1, "target"], first, last)
    got = chain.difficulty_from_target(new) / epochs.loc[k - 1, "difficulty"] - 1
    assert got == pytest.approx(change, abs=1e-4)
    est = chain.estimate_next_adjustment(start_height - 2016, first, start_height - 1, last,
                                         epochs.loc[k - 1, "difficulty"])
    assert est.change == pytest.approx(got, abs=1e-5) and est.retarget_height == start_height
    assert est.remaining_blocks == 1 and est.blocks_done == 2016


# --------------------------------------------------------------------------- the estimate


def test_estimate_on_pace_is_about_zero():
    # 600 s per interval: Core measures 2015 intervals against 2016 x 600 s, so the change is 2016/2015 - 1 (+0.05 %).
    e = chain.estimate_next_adjustment(935_424, 1_000_000, 935_424 + 1000, 1_000_000 + 1000 * 600, 100e12)
    assert e.change == pytest.approx(0, abs=1e-3)
    assert e.change == pytest.approx(2016 / 2015 - 1, rel=1e-12)
    assert e.blocks_done == 1001 and e.remaining_blocks == 1016 and e.retarget_height == 937_440
    assert e.mean_interval_s == 600 and e.projected_timespan_s == 2015 * 600
    assert e.projected_retarget_time == 1_000_000 + 2016 * 600
    assert e.new_difficulty == pytest.approx(100e12 * 2016 / 2015, rel=1e-12)


def test_estimate_twice_as_fast_and_clamped():
    twice = chain.estimate_next_adjustment(0, 0, 1008, 1008 * 300, 1.0)
    assert twice.change == pytest.approx(1.0, abs=2e-3)  # +100 % (x 2016/2015)
    very_fast = chain.estimate_next_adjustment(0, 0, 1008, 1008 * 60, 1.0)
    assert very_fast.change == 3.0 and very_fast.new_difficulty == 4.0  # clamped at x4
    very_slow = chain.estimate_next_adjustment(0, 0, 100, 100 * 6000, 8.0)
    assert very_slow.change == -0.75 and very_slow.new_difficulty == 2.0  # clamped at /4
    same_time = chain.estimate_next_adjustment(0, 0, 10, 0, 1.0)  # all timestamps equal: clamped
    assert same_time.change == 3.0


def test_estimate_at_the_first_block_assumes_the_target_spacing():
    e = chain.estimate_next_adjustment(2016, 5_000, 2016, 5_000, 2.0)
    assert e.blocks_done == 1 and e.remaining_blocks == 2016
    assert e.mean_interval_s == 600 and e.change == pytest.approx(2016 / 2015 - 1)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"tip_height": 935_423}, "tip_height"),  # tip before the epoch's start
        ({"tip_height": 935_424 + 2016}, "tip_height"),  # past the epoch's last block
        ({"tip_time": 999_999}, "tip_time"),  # tip time before the start time
        ({"epoch_start_height": 935_425, "tip_height": 935_500}, "epoch_start_height"),  # not an epoch boundary
        ({"epoch_start_height": -2016}, "epoch_start_height"),
        ({"difficulty": 0.0}, "difficulty"),
        ({"difficulty": -1.0}, "difficulty"),
        ({"difficulty": float("nan")}, "difficulty"),
        ({"tip_time": float("nan")}, "tip_time"),
        ({"tip_height": 935_500.5}, "tip_height"),
        ({"difficulty": [1.0, 2.0]}, "difficulty"),
        ({"target_spacing_s": 0}, "target_spacing_s"),
    ],
)
def test_estimate_rejects_bad_inputs(kwargs, name):
    args = {"epoch_start_height": 935_424, "epoch_start_time": 1_000_000, "tip_height": 935_500,
            "tip_time": 1_050_000, "difficulty": 1e14, **kwargs}
    with pytest.raises(ValueError, match=name):
        chain.estimate_next_adjustment(**args)


# --------------------------------------------------------------------------- bad inputs name the parameter


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: chain.subsidy_sat(-1), "height"),
        (lambda: chain.subsidy_sat([0, -5]), "height"),
        (lambda: chain.subsidy_sat(float("nan")), "height"),
        (lambda: chain.subsidy_sat(1.5), "height"),
        (lambda: chain.next_halving_height(-1), "height"),
        (lambda: chain.next_halving_height(np.nan), "height"),
        (lambda: chain.halving_height(0), "k"),
        (lambda: chain.halving_heights(-1), "n"),
        (lambda: chain.projected_halving_dates(-1, 0), "height_now"),
        (lambda: chain.projected_halving_dates(0, float("nan")), "time_now"),
        (lambda: chain.projected_halving_dates(0, np.datetime64("NaT")), "time_now"),
        (lambda: chain.projected_halving_dates(0, 0, block_interval_s=0), "block_interval_s"),
        (lambda: chain.projected_halving_dates(0, 0, block_interval_s=-600), "block_interval_s"),
        (lambda: chain.hashes_per_block(0), "difficulty"),
        (lambda: chain.hashes_per_block([1.0, -1.0]), "difficulty"),
        (lambda: chain.hashes_per_block(np.nan), "difficulty"),
        (lambda: chain.target_from_difficulty(0), "difficulty"),
        (lambda: chain.target_from_difficulty(-3.0), "difficulty"),
        (lambda: chain.target_from_difficulty(float("nan")), "difficulty"),
        (lambda: chain.target_from_difficulty(float("inf")), "difficulty"),
        (lambda: chain.next_difficulty(0, TIMESPAN), "prev_difficulty"),
        (lambda: chain.next_difficulty(1.0, np.nan), "actual_timespan_s"),
        (lambda: chain.difficulty_from_target(0), "target"),
        (lambda: chain.difficulty_from_target(-1), "target"),
        (lambda: chain.difficulty_from_target(2**256), "target"),
        (lambda: chain.difficulty_from_target(1e60), "target"),  # a float cannot be an exact 256-bit target
        (lambda: chain.bits_from_target(-1), "target"),
        (lambda: chain.bits_from_target(2**256), "target"),
        (lambda: chain.target_from_bits(-1), "bits"),
        (lambda: chain.target_from_bits(2**32), "bits"),
        (lambda: chain.difficulty_from_bits_strict(0x1D000000), "bits"),  # zero target
        (lambda: chain.difficulty_from_bits(np.nan), "bits"),
        (lambda: chain.block_proof(0), "target"),
        (lambda: chain.retarget(0, 0, TIMESPAN), "prev_target"),
        (lambda: chain.retarget(chain.MAX_TARGET, 0.5, TIMESPAN), "first_block_time"),
        (lambda: chain.retarget(chain.MAX_TARGET, 0, "soon"), "last_block_time"),
        (lambda: chain.retarget(chain.MAX_TARGET, 0, TIMESPAN, target_timespan_s=0), "target_timespan_s"),
        (lambda: chain.retarget(chain.MAX_TARGET, 0, TIMESPAN, pow_limit=0), "pow_limit"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
