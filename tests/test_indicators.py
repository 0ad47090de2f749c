"""Classic miner indicators: Hash Ribbons and the Puell multiples, on synthetic arrays and on dated public readings.

The readings (their sources are in docs/network.md, "Miner indicators"):

* Hash Ribbons, Charles Edwards (@caprioleio) on 2022-08-20, reported by U.Today ("Bitcoin (BTC) Hash Ribbon
  Indicator Prints Rare Bullish Signal", u.today/bitcoin-btc-hash-ribbon-indicator-prints-rare-bullish-signal)
  and Cointelegraph: "Hash Ribbon buy signal! The #Bitcoin miner capitulation has officially ended today,
  making it the 3rd longest capitulation in history at 71 days [...] longer than 2021, and just two days
  shorter than 2018's". CryptoSlate (via pbird.media/bitcoin-records-biggest-negative-hash-rate-adjustment-
  in-a-year): it "ended on August 18" (the last day of capitulation). Earlier buy signals ("blue dots"):
  Edwards on 2020-12-03 (Cointelegraph, via coinmarketcalendar.com/?p=12126), the daily one of 2023-08-12
  (TradingView idea "Hash Ribbons: An Infallible Bitcoin Bull Indicator?", BTCUSD/FeNBXwfN).
* Puell multiple, BeInCrypto on-chain analysis of July 2022 on Glassnode's chart ("Puell Multiple reaches
  the bottom of the bear market", republished at carbondalehistoricalsociety.org/puell-multiple-reaches-
  the-bottom-of-the-bear-market/): "a low of 0.35 on June 17 and 0.37 on July 5" (2022), and "3.22" at the
  April 2021 all-time high ($64,900, 2021-04-14/15).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from hashpower.models import indicators as ind

# ---------------------------------------------------------------- moving averages


def test_trailing_mean_known_values_and_gaps():
    m = ind.trailing_mean([1, 2, 3, 4, 5], 2)
    assert np.isnan(m[0]) and m[1:].tolist() == [1.5, 2.5, 3.5, 4.5]
    m = ind.trailing_mean([np.nan, 2, 4, np.nan, 6, 8], 2)
    assert np.isnan(m[[0, 1, 3, 4]]).all() and m[2] == 3 and m[5] == 7  # a window with a gap has no mean
    assert np.isnan(ind.trailing_mean([1.0, 2.0], 3)).all()


@pytest.mark.parametrize("w", [0, -1, 2.5, True])
def test_trailing_mean_bad_window(w):
    with pytest.raises(ValueError, match="window_days"):
        ind.trailing_mean([1.0, 2.0, 3.0], w)


# ---------------------------------------------------------------- hash ribbons, synthetic


def _ribbon_case(n=200, drop_at=80, drop_len=30, level=100.0, low=70.0):
    """Flat hashrate, a step down for ``drop_len`` days, back up; a price rising steadily (momentum > 0)."""
    hr = np.full(n, level)
    hr[drop_at:drop_at + drop_len] = low
    return hr, np.linspace(100.0, 300.0, n)


def test_ribbons_capitulation_on_a_step_is_where_the_averages_cross():
    hr, px = _ribbon_case()
    r = ind.hash_ribbons(hr, px, short_days=3, long_days=6, price_short_days=2, price_long_days=4, confirm_days=1)
    # the 3-day mean falls below the 6-day one on the day of the step; after the step back up the 3-day mean
    # is back at or above the 6-day one the day the step ends (3 x 100 >= 2 x 70 + 1 x 100 ... checked here)
    s3, s6 = ind.trailing_mean(hr, 3), ind.trailing_mean(hr, 6)
    below = np.flatnonzero(s3 < s6)
    assert r["starts"].tolist() == [80] and below[0] == 80
    assert r["ends"].tolist() == [below[-1] + 1]
    assert r["end_known"].tolist() == r["ends"].tolist() and r["start_known"].tolist() == [80]
    assert r["buy"].tolist() == r["ends"].tolist()  # momentum already positive: the recovery day itself
    st = r["state"]
    assert (st[80:r["ends"][0]] == ind.CAPITULATION).all() and st[r["ends"][0]] == ind.RECOVERY
    assert (st[:80] == ind.NONE).all() and (st[r["ends"][0] + 1:] == ind.NONE).all()


def test_ribbons_buy_waits_for_the_price_momentum():
    hr, _ = _ribbon_case()
    px = np.full(hr.size, 100.0)
    px[:150] = np.linspace(300.0, 100.0, 150)  # falling until day 149: the 2-day mean under the 4-day one
    px[150:] = np.linspace(101.0, 200.0, hr.size - 150)
    r = ind.hash_ribbons(hr, px, short_days=3, long_days=6, price_short_days=2, price_long_days=4, confirm_days=1)
    end = int(r["ends"][0])
    assert end < 150
    m2, m4 = ind.trailing_mean(px, 2), ind.trailing_mean(px, 4)
    cross = int(np.flatnonzero(m2 > m4)[0])  # the day the 2-day mean crosses above the 4-day one
    assert cross == 151 and r["buy"].tolist() == [cross]  # 2 days into the rise: (100 + 101) / 2 < 4-day mean
    assert (r["state"][end:cross + 1] == ind.RECOVERY).all() and r["state"][cross + 1] == ind.NONE


def test_ribbons_no_buy_when_a_new_capitulation_comes_first():
    hr = np.full(300, 100.0)
    hr[80:110] = 70.0
    hr[140:170] = 50.0
    px = np.linspace(300.0, 100.0, 300)  # momentum never positive
    r = ind.hash_ribbons(hr, px, short_days=3, long_days=6, price_short_days=2, price_long_days=4, confirm_days=1)
    assert r["starts"].size == 2 and r["buy"].size == 0
    assert r["state"][r["ends"][0]] == ind.RECOVERY and r["state"][r["starts"][1]] == ind.CAPITULATION


def test_ribbons_confirmation_ignores_a_one_day_crossing():
    """With confirm_days = 2 a single day back above does not end the capitulation (2022-07-04 in our data)."""
    # with 1- and 2-day averages "below" is "lower than the day before": down 3 days, up 1, down 3, then up
    hr = np.array([100.0, 90, 80, 70, 75, 65, 55, 45, 50, 55, 60, 65, 70, 75, 80])
    flat = np.ones(hr.size)  # a flat price never has positive momentum
    kw = {"short_days": 1, "long_days": 2, "price_short_days": 1, "price_long_days": 2}
    r1 = ind.hash_ribbons(hr, flat, confirm_days=1, **kw)
    assert r1["starts"].tolist() == [1, 5] and r1["ends"].tolist() == [4, 8]  # the raw crossing splits the dip
    r2 = ind.hash_ribbons(hr, flat, confirm_days=2, **kw)
    assert r2["starts"].tolist() == [1] and r2["ends"].tolist() == [8]
    assert r2["start_known"].tolist() == [2] and r2["end_known"].tolist() == [9]
    assert r2["state"][1] == ind.NONE and r2["state"][2] == ind.CAPITULATION  # known the day after
    assert r2["state"][8] == ind.CAPITULATION and (r2["state"][9:] == ind.RECOVERY).all()
    assert r2["buy"].size == 0


def test_ribbons_ongoing_capitulation_has_no_end():
    hr = np.full(100, 100.0)
    hr[70:] = np.linspace(90.0, 50.0, 30)  # still falling on the last day
    r = ind.hash_ribbons(hr, np.ones(100), short_days=3, long_days=6, price_short_days=2, price_long_days=4)
    assert r["starts"].tolist() == [70] and r["ends"].tolist() == [-1] and r["end_known"].tolist() == [-1]
    assert r["state"][-1] == ind.CAPITULATION


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"short_days": 60, "long_days": 30}, "short_days"), ({"price_short_days": 20, "price_long_days": 10},
                                                          "price_short_days"),
     ({"confirm_days": 0}, "confirm_days"), ({"long_days": 1.5}, "long_days")],
)
def test_ribbons_bad_windows(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ind.hash_ribbons(np.ones(100), np.ones(100), **kwargs)


def test_ribbons_bad_arrays():
    with pytest.raises(ValueError, match="same length"):
        ind.hash_ribbons(np.ones(100), np.ones(99))
    with pytest.raises(ValueError, match="hashrate_hs"):
        ind.hash_ribbons(-np.ones(100), np.ones(100))
    with pytest.raises(ValueError, match="price_usd"):
        ind.hash_ribbons(np.ones(100), np.full(100, np.inf))


# ---------------------------------------------------------------- Puell, synthetic


def test_puell_known_values():
    assert np.allclose(ind.puell_multiple(np.full(10, 5.0), 4)[3:], 1.0)
    x = np.array([1.0, 1, 1, 5])  # the day is 5, the 4-day mean 2
    assert ind.puell_multiple(x, 4)[-1] == pytest.approx(2.5)
    assert np.isnan(ind.puell_multiple(x, 4)[:3]).all()
    x = np.array([np.nan, 1.0, 1, 1, 1])
    assert np.isnan(ind.puell_multiple(x, 4)[:4]).all() and ind.puell_multiple(x, 4)[4] == 1.0
    assert np.isnan(ind.puell_multiple(np.zeros(5), 2)).all()  # no issuance: no multiple, not inf


def test_difficulty_adjusted_puell_removes_growth():
    days = np.arange(800)
    growth = np.exp(0.002 * days)  # ~ x2 a year
    d = 1e13 * growth
    iss = 3e7 * growth  # issuance value grows with the network: pay per unit of work is flat
    assert np.allclose(ind.difficulty_adjusted_puell(iss, d)[364:], 1.0)
    assert (ind.puell_multiple(iss)[364:] > 1.4).all()  # Puell reads the growth as a boom
    flat = np.full(800, 2e13)
    assert np.allclose(ind.difficulty_adjusted_puell(iss, flat), ind.puell_multiple(iss), equal_nan=True)


def test_puell_bad_input():
    with pytest.raises(ValueError, match="issuance_usd"):
        ind.puell_multiple(-np.ones(400))
    with pytest.raises(ValueError, match="window_days"):
        ind.puell_multiple(np.ones(400), 0)
    with pytest.raises(ValueError, match="difficulty"):
        ind.difficulty_adjusted_puell(np.ones(400), np.zeros(400))
    with pytest.raises(ValueError, match="same length"):
        ind.difficulty_adjusted_puell(np.ones(400), np.ones(300))


# ---------------------------------------------------------------- the dated public readings, embedded data


@pytest.fixture(scope="module")
def env(built_store):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(built_store.parent))
        from hashpower.figures import indicators as figs

        yield figs


def test_the_2022_capitulation_ended_after_71_days(env):
    """Edwards, 2022-08-20: ended "today", 71 days, the 3rd longest; 2018's two days longer; 2021's shorter."""
    f = env.indicators_on("2022-08-20")
    hr = f["hash_ribbons"]
    caps = {c["start"]: c for c in hr["capitulations"]}
    c22 = caps["2022-06-09"]
    assert c22 == {"start": "2022-06-09", "end": "2022-08-19", "days": 71}  # last capitulation day 08-18 (CryptoSlate)
    assert hr["last_buy_signal_date"] == "2022-08-20"  # "Hash Ribbon buy signal!", the day it was confirmed
    assert hr["last_recovery_date"] == "2022-08-19" and hr["state"] == "recovery"
    assert caps["2018-10-29"]["days"] == 73  # "just two days shorter than 2018's"
    assert max(c["days"] for s, c in caps.items() if s.startswith("2021")) < 71  # "longer than 2021"
    # the 3rd longest since prices exist (the two 2009 episodes precede any price): 2011, 2018, 2022
    priced = sorted((c for c in caps.values() if c["start"] >= "2010-07-17"), key=lambda c: -c["days"])
    assert [c["start"][:4] for c in priced[:3]] == ["2011", "2018", "2022"]


def test_the_2022_capitulation_as_known_each_day(env):
    """Nothing later is used: on 08-19 the recovery is one day old and not yet confirmed."""
    hr = env.indicators_on("2022-08-19")["hash_ribbons"]
    assert hr["state"] == "capitulation" and hr["capitulation_start"] == "2022-06-09"
    assert hr["capitulation_days"] == 72 and hr["capitulations"][-1]["end"] is None
    assert hr["last_buy_signal_date"] < "2022-06-09"
    hr = env.indicators_on("2022-07-10")["hash_ribbons"]  # across the one-day crossing of 2022-07-04
    assert hr["state"] == "capitulation" and hr["capitulation_start"] == "2022-06-09"


@pytest.mark.parametrize("day", ["2020-12-03", "2023-08-12"])
def test_published_buy_signals(env, day):
    """Edwards' "blue dot" of 2020-12-03; the daily blue signal of 2023-08-12 (TradingView idea)."""
    assert env.indicators_on(day)["hash_ribbons"]["last_buy_signal_date"] == day


def test_ribbon_30d_sma_is_the_30_day_hashrate(env):
    from hashpower.figures.network import network_figures

    f = network_figures("2026-02-15")
    assert f["indicators"]["hash_ribbons"]["hashrate_ehs_sma_30d"] == pytest.approx(f["hashrate_ehs_30d"], rel=1e-9)


@pytest.mark.parametrize(("day", "published"), [("2022-06-17", 0.35), ("2022-07-05", 0.37), ("2021-04-15", 3.22)])
def test_puell_matches_glassnode_readings(env, day, published):
    """BeInCrypto on Glassnode's chart. Tolerance 3 %: the published figures are rounded to 2 decimals (up to
    1.4 % of 0.35) and Glassnode prices the day's issuance at its own daily price, which differs from Coin Metrics'
    reference rate by up to ~1 %; the subsidy is the chain's, the same in both."""
    assert env.indicators_on(day)["puell_multiple"] == pytest.approx(published, rel=0.03)


def test_difficulty_adjusted_puell_is_lower_in_a_growing_network(env):
    """In June 2022 difficulty had grown through the year: per unit of work pay was further below its year's mean."""
    f = env.indicators_on("2022-06-17")
    assert f["puell_multiple_difficulty_adjusted"] < f["puell_multiple"]


def test_network_cli_shows_the_indicators(home):
    r = run_cli("network", "--date", "2022-08-20", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)["indicators"]
    assert {"hash_ribbons", "puell_multiple", "puell_multiple_difficulty_adjusted"} == set(out)
    assert {"hashrate_ehs_sma_30d", "hashrate_ehs_sma_60d", "state", "capitulation_start", "capitulation_days",
            "last_buy_signal_date", "capitulations"} <= set(out["hash_ribbons"])
    r = run_cli("network", "--date", "2022-08-20", home=home)
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "hash ribbons" in text and "recovery" in text and "2022-08-20" in text and "Puell multiple 0.52" in text
    early = json.loads(run_cli("network", "--date", "2009-01-05", "--json", home=home).stdout)["indicators"]
    assert early["puell_multiple"] is None and early["hash_ribbons"]["hashrate_ehs_sma_60d"] is None
