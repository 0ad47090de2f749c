"""Network analytics: estimates and their intervals, drawdowns, CBECI bounds, the index, the outlook."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from hashpower.figures import network as netfig
from hashpower.figures import series as analytics
from hashpower.models import index as mindex
from hashpower.models import network

# ---------------------------------------------------------------- intervals


def test_poisson_interval_matches_garwood_table():
    # exact 90% limits for a count of 10: 5.4254 and 16.9622 (chi-square quantiles; Garwood 1936)
    lo, hi = network.poisson_interval(10, 0.90)
    assert lo == pytest.approx(5.4254, rel=2e-3) and hi == pytest.approx(16.9622, rel=2e-3)
    lo, hi = network.poisson_interval(0, 0.90)
    assert lo == 0 and hi == pytest.approx(2.9957, rel=2e-2)  # -ln(0.05)


def test_block_count_interval_covers_the_truth_90_percent():
    """Seeded simulation of Poisson block arrivals at a known hashrate: 90% intervals cover it 90% of the time.

    8,000 windows of 7 days: the standard error of the coverage is sqrt(0.9 x 0.1 / 8000) = 0.0034, so a
    tolerance of 0.012 (3.5 SE) fails a correct method with probability < 1e-3.
    """
    rng = np.random.default_rng(2026)
    d = 1.4e14
    true_hs = d * 2**32 / 600  # the hashrate that finds 144 blocks a day
    blocks = rng.poisson(144, size=8000 * 7).astype(float)
    est, lo, hi = network.hashrate_from_blocks(np.full(blocks.size, d), blocks, 7)
    sel = np.arange(6, blocks.size, 7)  # non-overlapping windows
    covered = (lo[sel] <= true_hs) & (true_hs <= hi[sel])
    assert covered.mean() == pytest.approx(0.90, abs=0.012)
    assert np.mean(est[sel]) / true_hs == pytest.approx(1, abs=0.002)


def test_timestamp_interval_covers_the_truth_90_percent():
    """getnetworkhashps-style estimate over 120 blocks with exponential inter-arrival times (seeded).

    5,000 disjoint windows: SE of the coverage 0.0042; tolerance 0.015 (3.5 SE).
    """
    rng = np.random.default_rng(7)
    d = 1e14
    true_hs = d * 2**32 / 600
    n = 120
    gaps = rng.exponential(600, size=5000 * n + 1)
    t = np.cumsum(gaps)
    est, lo, hi = network.hashrate_from_timestamps(t, np.full(t.size, d), n)
    sel = np.arange(n, t.size, n)
    covered = (lo[sel] <= true_hs) & (true_hs <= hi[sel])
    assert covered.mean() == pytest.approx(0.90, abs=0.015)


@pytest.mark.parametrize("window", [0, -3, 1.5])
def test_bad_windows(window):
    with pytest.raises(ValueError, match="window_days"):
        network.hashrate_from_blocks([1.0, 1.0], [1.0, 1.0], window)


# ---------------------------------------------------------------- drawdowns


def test_drawdown_episodes_on_a_simple_series():
    x = np.array([1, 2, 3, 2.4, 1.5, 2, 3, 3.5, 3.2, 3.6, 2.8])
    ep = network.drawdown_episodes(x)
    assert list(ep["peak"]) == [2, 7, 9]
    assert list(ep["trough"]) == [4, 8, 10]
    assert list(ep["recovery"]) == [6, 9, -1]
    np.testing.assert_allclose(ep["depth"], [0.5, 1 - 3.2 / 3.5, 1 - 2.8 / 3.6])
    assert list(network.largest_since(ep["depth"])) == [-1, 0, 0]
    assert list(network.drawdown_episodes(x, min_depth=0.2)["peak"]) == [2, 9]


def test_lowest_since():
    assert list(network.lowest_since([5, 3, 4, 3, 1, np.nan, 2])) == [-1, -1, 1, 1, -1, -1, 4]


@pytest.fixture(scope="module")
def series(built_store):
    import os

    os.environ["HASHPOWER_HOME"] = str(built_store.parent)
    return analytics.series()


def _episodes(series):
    return analytics.episode_records(series["episodes_30d"], series["dates"])


def test_2025_26_decline_is_the_largest_since_the_china_ban(series):
    """CryptoQuant via the press: ~12-15% on the 30-day mean, the largest since mid-2021 (~43-53%).

    Read as the press read it, on the data to 2026-03-01 (the decline deepened later: 19.5 % by 2026-07-28).
    """
    n = int(np.searchsorted(series["dates"].values, np.datetime64("2026-03-01", "ns"))) + 1
    ep = network.drawdown_episodes(series["hashrate_30d"][0][:n], analytics.MIN_EPISODE_DEPTH)
    eps = analytics.episode_records(ep, series["dates"][:n])
    cur = [e for e in eps if "2025-10-15" <= e["peak_date"] <= "2025-12-01"]
    assert len(cur) == 1
    e = cur[0]
    assert 0.12 <= e["depth"] <= 0.16
    assert "2026-01-15" <= e["trough_date"] <= "2026-02-28"
    ban = [x for x in eps if x["peak_date"] == e["largest_since"]][0]
    assert "2021-04" <= ban["peak_date"] <= "2021-05-31" and 0.40 <= ban["depth"] <= 0.53
    # the 2021 episode: trough in July 2021, recovered by December 2021
    assert ban["trough_date"].startswith("2021-07") and ban["recovery_date"].startswith("2021-12")


def test_cbeci_bounds_are_ordered_every_day(series):
    p = series["power_w"]
    h = series["history"]["hashrate_ths"].to_numpy()
    ok = np.isfinite(h) & (h > 0)
    assert ok.sum() > 6000
    assert (p["lower"][ok] < p["best"][ok]).all() and (p["best"][ok] < p["upper"][ok]).all()


def test_cbeci_threshold_and_profitable_set():
    day = np.array([0.0, 10.0])
    out = network.cbeci_power_bounds([1e6, 1e6], [0.06, 0.06], day, [0.0, 0.0, 5.0], [20.0, 40.0, 10.0], 0.05)
    # threshold = 0.06 x 1000 / (24 x 0.05) = 50 J/TH: day 0 has models 20 and 40, day 10 adds 10
    np.testing.assert_allclose(out["threshold_j_per_th"], 50.0)
    assert list(out["profitable_models"]) == [2, 3]
    assert out["lower"][0] == pytest.approx(20 * 1e6 * 1.01)
    assert out["best"][1] == pytest.approx(70 / 3 * 1e6 * 1.10)
    assert out["upper"][1] == pytest.approx(40 * 1e6 * 1.20)
    with pytest.raises(ValueError, match="power_price"):
        network.cbeci_power_bounds([1.0], [1.0], [0.0], [0.0], [1.0], 0.0)


# ---------------------------------------------------------------- index


def test_index_late_january_2026_near_the_published_21(series):
    """CryptoQuant's reading: 21 in late January 2026, the lowest since the end of 2024 (method not public)."""
    d, idx = series["dates"], series["index"]
    late = idx[(d >= "2026-01-20") & (d <= "2026-01-31")]
    assert 15 <= late.mean() <= 27
    # the first day of the late-2025 slide to that level is the lowest since late 2024
    k = np.flatnonzero((d >= "2025-10-01") & (idx <= late.mean()))[0]
    since = d[network.lowest_since(idx)[k]]
    assert pd.Timestamp("2024-09-01") <= since <= pd.Timestamp("2024-12-31")


def test_index_is_low_after_the_2020_and_2024_halvings(series):
    d, idx = series["dates"], series["index"]
    for month in ("2020-06", "2024-05"):
        assert np.nanmin(idx[d.strftime("%Y-%m") == month]) < 20
    ok = np.isfinite(idx)
    assert ((idx[ok] >= 0) & (idx[ok] <= 100)).all()


def test_index_bands():
    assert [mindex.index_band(v) for v in (0, 9.9, 10, 50, 70, 95, 100)] == [
        "extremely underpaid", "extremely underpaid", "underpaid", "fair", "overpaid", "extremely overpaid",
        "extremely overpaid"]
    with pytest.raises(ValueError):
        mindex.index_band(101)


# ---------------------------------------------------------------- outlook and CLI


@pytest.mark.parametrize("day", ["2026-02-05", "2025-08-20", "2023-03-01", "2021-07-01"])
def test_outlook_late_in_an_epoch_is_close_to_the_actual_adjustment(home, day):
    o = netfig.difficulty_outlook(pd.Timestamp(day).date())
    assert o["epoch_start_time_from"] == "block timestamp"
    if o["remaining_blocks"] < 400:
        assert o["expected_change"] == pytest.approx(o["actual_change"], abs=0.03)
    assert o["expected_change"] == pytest.approx(o["actual_change"], abs=0.10)


def test_network_cli_contract(home):
    r = run_cli("network", "--date", "2026-02-15", "--window-days", "14", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for k in ("date", "hashrate_ehs_7d", "hashrate_ehs_30d", "change_1y", "drawdown", "largest_drawdown_since",
              "power_gw", "energy_twh_per_year"):
        assert k in out
    assert {"peak_date", "trough_date", "depth"} <= set(out["drawdown"])
    assert {"lower", "best", "upper"} == set(out["power_gw"]) == set(out["energy_twh_per_year"])
    assert out["power_gw"]["lower"] < out["power_gw"]["best"] < out["power_gw"]["upper"]
    assert out["largest_drawdown_since"].startswith("2021-04")
    assert "14d" in out["hashrate_ehs"]
    assert out["energy_twh_per_year"]["best"] == pytest.approx(out["power_gw"]["best"] * 8.766)
    cheaper = json.loads(run_cli("network", "--date", "2026-02-15", "--power-price", "0.03", "--json",
                                 home=home).stdout)
    assert cheaper["profitable_models"] >= out["profitable_models"]


def test_index_cli_contract(home):
    r = run_cli("index", "--date", "2026-01-28", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"date", "sustainability_index", "lowest_since"} <= set(out)
    assert 0 <= out["sustainability_index"] <= 100
    r = run_cli("index", home=home)
    assert r.returncode == 0 and "sustainability index" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("network", "--date", "2008-01-01"),
        ("network", "--date", "2027-01-01"),
        ("network", "--power-price", "0"),
        ("network", "--power-price", "-0.05"),
        ("network", "--window-days", "0"),
        ("network", "--window-days", "-7"),
        ("network", "--window-days", "100000"),
        ("index", "--date", "2030-01-01"),
        ("index", "--date", "2010-01-01"),
    ],
)
def test_network_bad_input(home, args):
    r = run_cli(*args, home=home)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_network_json_before_the_windows_fill(home):
    """Days before a 7- or 30-day window exists have no estimate: JSON null, not an error."""
    r = run_cli("network", "--date", "2009-01-05", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["hashrate_ehs_7d"] is None and out["hashrate_ehs_30d"] is None and out["change_1y"] is None
