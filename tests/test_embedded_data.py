"""The embedded data checked against the chain's own facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hashpower
from hashpower.models import chain


@pytest.fixture(scope="module")
def daily(built_store):  # noqa: ARG001 - needs the store built
    import os

    os.environ.setdefault("HASHPOWER_HOME", str(built_store.parent))
    return hashpower.history()


@pytest.fixture(scope="module")
def epochs(daily):  # noqa: ARG001
    return hashpower.epochs()


def test_daily_range_is_contiguous_2009_to_2026(daily):
    assert len(daily) >= 6300
    assert daily.index[0] == pd.Timestamp("2009-01-03")
    assert daily.index[-1] == pd.Timestamp("2026-10-07")
    assert (np.diff(daily.index.values) == np.timedelta64(1, "D")).all()


def test_required_columns_present(daily):
    for c in ("blocks", "height_end", "price_usd", "hashrate_ths", "difficulty", "subsidy_btc", "fees_btc",
              "revenue_usd", "supply_btc", "market_cap_usd", "tx_count"):
        assert c in daily.columns


def test_block_counts_sum_to_heights(daily):
    h = daily["height_end"].to_numpy()
    b = daily["blocks"].to_numpy()
    # Each day's last height is the previous one plus the day's blocks; genesis is height 0.
    assert h[0] == 0
    assert (h[1:] == h[:-1] + b[1:]).all()
    assert h[-1] > 946_236  # beyond the last block with a pool (2026-04-22)


def test_daily_subsidy_follows_the_schedule_by_height(daily):
    """The day's issuance equals the scheduled subsidy of its heights (Bitcoin Core GetBlockSubsidy)."""
    h = daily["height_end"].to_numpy()
    start = np.r_[0, h[:-1]]
    cum = np.cumsum(chain.subsidy_sat(np.arange(0, h[-1] + 1)))
    expected_btc = (cum[h] - cum[start]) / chain.SAT_PER_BTC
    got = daily["subsidy_btc"].to_numpy()
    ok = ~np.isnan(got)
    assert ok.all()
    np.testing.assert_allclose(got, expected_btc, rtol=0, atol=1e-8)


def test_hashrate_is_difficulty_times_blocks(daily):
    """Coin Metrics' HashRate = difficulty x 2^32 x blocks / 86400 (median ratio 1 since 2015)."""
    d = daily.loc["2015":]
    implied = d["difficulty"] * 2**32 * d["blocks"] / 86_400 / 1e12
    assert abs(np.median(d["hashrate_ths"] / implied) - 1) < 1e-4


def test_epochs_are_contiguous_and_match_their_targets(epochs):
    assert (epochs["start_height"] == epochs["epoch"] * 2016).all()
    assert (epochs["end_height"] == epochs["start_height"] + 2015).all()
    targets = [int(t, 16) for t in epochs["target_hex"]]
    diff = np.array([chain.difficulty_from_target(t) for t in targets])
    np.testing.assert_allclose(epochs["difficulty"], diff, rtol=1e-12)


@pytest.mark.parametrize(
    ("date", "change"),
    [
        ("2026-02-07", -0.1116),  # chain: adjustment at height 935,424 (the chain: 2026-02-07, -11.16 %)
        ("2021-07-03", -0.2794),  # chain: the China ban adjustment at height 689,472
    ],
)
def test_known_difficulty_adjustments(epochs, date, change):
    e = epochs.set_index("epoch")
    row = epochs[epochs["start_date"] == pd.Timestamp(date)]
    assert len(row) == 1
    k = int(row["epoch"].iloc[0])
    assert e.loc[k, "difficulty"] / e.loc[k - 1, "difficulty"] - 1 == pytest.approx(change, abs=5e-5)


def test_difficulty_in_force_on_2026_02_01(daily):
    """141.67 T on 2026-02-01 (F2Pool via the press), 125.86 T after 2026-02-07."""
    assert daily.loc["2026-02-01", "difficulty"] / 1e12 == pytest.approx(141.67, abs=0.005)
    assert daily.loc["2026-02-08", "difficulty"] / 1e12 == pytest.approx(125.86, abs=0.005)


def test_blocks_table_is_contiguous_and_matches_daily_counts(daily):
    b = hashpower.blocks()
    assert b["height"].iloc[0] == 664_063 and b["height"].iloc[-1] == 946_236
    assert (np.diff(b["height"]) == 1).all()
    per_day = b.groupby(b["timestamp"].dt.tz_localize(None).dt.normalize()).size()
    j = daily["blocks"].reindex(per_day.index)
    inner = per_day.index[1:-1]  # the first and last day are partial
    assert (per_day[inner] == j[inner]).mean() > 0.999


def test_block_stats_subsidy_matches_schedule():
    con = hashpower.store.connect()
    try:
        s = con.execute("SELECT height, subsidy_sat FROM block_stats").df()
    finally:
        con.close()
    assert len(s) == 80_118
    assert (s["subsidy_sat"].to_numpy() == chain.subsidy_sat(s["height"].to_numpy())).all()


def test_every_pool_slug_has_a_name():
    pools = hashpower.store.pools()
    b = hashpower.blocks(start="2026-01-01")
    known = set(pools["names"]) | {p["slug"] for p in pools["pools"]}
    assert set(b["pool"]) - known <= {"unknown"}


def test_licences_ship_beside_the_data():
    lic = hashpower.store.embedded_path("LICENSE-CC-BY-NC-4.0.txt").read_text()
    assert lic.startswith("Attribution-NonCommercial 4.0 International")
    assert "Section 8 -- Interpretation." in lic
    sources = hashpower.store.embedded_path("SOURCES.md").read_text()
    assert "Coin Metrics Community Data" in sources and "CC BY-NC 4.0" in sources
