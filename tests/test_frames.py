"""The notebook API: the derived daily series as DataFrames and the Monte Carlo results with ``.to_frame()``.

The daily frames are checked against the commands' ``--json`` figures of the same days (the numbers a
user sees in the terminal), the units per PH/s against Luxor's formula worked by hand, and the runs'
frames against their own dicts.
"""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

import hashpower
from hashpower.figures import backtest as fbacktest
from hashpower.figures import outlook as foutlook
from hashpower.figures import simulate as fsimulate
from hashpower.sim.engine import OUTPUTS

DAY = "2026-03-01"  # a day with fee data, inside the per-block pool data
POOL_DAY = "2021-06-15"  # an early day of the pool data (the 2021 China ban)
FEES_ESTIMATED_DAY = "2026-10-07"  # the embedded data's last day: no fee data, fees estimated


@pytest.fixture(scope="module")
def mhome(tmp_path_factory, built_store):
    """One ``$HASHPOWER_HOME`` for the module (the frames and the CLI read the same store copy)."""
    h = tmp_path_factory.mktemp("frames-home")
    shutil.copyfile(built_store, h / "hashpower.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(h))
        yield h


def cli(home, *args: str) -> dict:
    r = run_cli(*args, "--json", home=home)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def at(df: pd.DataFrame, day: str) -> pd.Series:
    return df.loc[pd.Timestamp(day)]


# --------------------------------------------------------------------------- index and columns

FRAMES = {
    "hashprice_daily": ["hashprice_usd_per_ph_day", "hashprice_btc_per_ph_day", "hashprice_sat_per_ph_day",
                        "price_usd", "difficulty", "subsidy_btc_per_block", "fees_btc_per_block", "fees_estimated"],
    "index_daily": ["sustainability_index", "band", "lowest_since"],
    "hashrate_daily": [f"hashrate_{w}d{k}_ehs" for w in (1, 3, 7, 30) for k in ("", "_lower_90", "_upper_90")]
    + ["drawdown_30d"],
    "power_daily": ["power_lower_gw", "power_best_gw", "power_upper_gw", "energy_lower_twh_per_year",
                    "energy_best_twh_per_year", "energy_upper_twh_per_year", "profitability_threshold_j_per_th",
                    "profitable_models"],
    "concentration_daily": ["blocks", "hhi", "nakamoto_coefficient", "top_pool", "top_pool_share",
                            "unattributed_share"],
    "indicators_daily": ["hashrate_sma_30d_ehs", "hashrate_sma_60d_ehs", "hash_ribbons_state",
                         "hash_ribbons_buy_signal", "puell_multiple", "puell_multiple_difficulty_adjusted"],
}


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_each_daily_frame_has_a_daily_date_index_and_unit_named_columns(mhome, name):
    df = getattr(hashpower, name)()
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
    assert df.index.tz is None and df.index.freq == "D" and df.index.is_monotonic_increasing
    assert (df.index == df.index.normalize()).all()  # whole days
    assert list(df.columns) == FRAMES[name]
    assert set(df.attrs["units"]) == set(df.columns)
    h = hashpower.history(columns=["blocks"])
    if name != "concentration_daily":  # the whole history, one row per day of the store
        assert df.index.equals(pd.DatetimeIndex(h.index, name="date", freq="D"))
    else:  # the days whose 7-day window lies in the pool data (first full day 2021-01-03)
        assert df.index[0] == pd.Timestamp("2021-01-09")


def test_the_frames_are_re_exported_at_the_root_and_the_models_modules_stay():
    from hashpower.figures import frames, runs

    for name in (*FRAMES, "drawdowns", "pool_shares_daily"):
        assert getattr(hashpower, name) is getattr(frames, name)
    for name in ("simulate", "outlook", "backtest"):
        assert getattr(hashpower, name) is getattr(runs, name)
    assert hashpower.hashprice.__name__ == "hashpower.models.hashprice"
    assert hashpower.index.__name__ == "hashpower.models.index"


def test_start_and_end_cut_the_frames_inclusively(mhome):
    df = hashpower.hashprice_daily(start="2026-02-27", end=pd.Timestamp("2026-03-02"))
    assert list(df.index.strftime("%Y-%m-%d")) == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    import datetime as dt

    one = hashpower.index_daily(dt.date(2026, 3, 1), "2026-03-01")
    assert len(one) == 1 and one.index[0] == pd.Timestamp(DAY)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"start": "2026-13-01"}, "start must be a date as YYYY-MM-DD"),
    ({"end": "yesterday"}, "end must be a date as YYYY-MM-DD"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "start 2026-03-02 is after end 2026-03-01"),
    ({"start": "2030-01-01"}, "outside the data"),
    ({"end": "2008-01-01"}, "outside the data"),
])
@pytest.mark.parametrize("name", [*sorted(FRAMES), "drawdowns", "pool_shares_daily"])
def test_bad_start_or_end_raise_a_value_error_naming_it(mhome, name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(hashpower, name)(**kwargs)


def test_pool_frames_clip_to_the_pool_data_and_refuse_a_window_outside_it(mhome):
    df = hashpower.concentration_daily(start="2015-01-01", end="2021-01-20")
    assert df.index[0] == pd.Timestamp("2021-01-09") and df.index[-1] == pd.Timestamp("2021-01-20")
    with pytest.raises(ValueError, match=r"outside the data \(2021-01-09 \.\. 2026-04-21\)"):
        hashpower.concentration_daily(end="2020-06-01")


@pytest.mark.parametrize(("call", "match"), [
    (lambda: hashpower.hashrate_daily(window_days=0), r"window_days must be a whole number in \[1, "),
    (lambda: hashpower.hashrate_daily(window_days=2.5), "window_days must be a whole number"),
    (lambda: hashpower.drawdowns(window_days=366), r"window_days must be a whole number in \[1, 365\]"),
    (lambda: hashpower.drawdowns(min_depth=1.0), r"min_depth must be a decimal in \[0, 1\)"),
    (lambda: hashpower.power_daily(power_price_usd_per_kwh=0), "power_price_usd_per_kwh must be a number > 0 USD/kWh"),
    (lambda: hashpower.power_daily(power_price_usd_per_kwh=float("nan")), "power_price_usd_per_kwh must be a number"),
    (lambda: hashpower.power_daily(method="ours"), "method must be one of hashpower, ccaf"),
    (lambda: hashpower.concentration_daily(window_days=10_000), "window_days must be a whole number in"),
    (lambda: hashpower.concentration_daily(merge_templates="yes"), "merge_templates must be True or False"),
    (lambda: hashpower.pool_shares_daily(top=0), r"top must be a whole number in \[1, 1000\]"),
])
def test_bad_parameters_raise_a_value_error_naming_them(mhome, call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- the numbers: per PH/s, as the CLI


def test_hashprice_per_ph_follows_luxors_formula_worked_by_hand(mhome):
    """Luxor's hashprice (Hashrate Index methodology): (subsidy + fees) per block x 86,400 s x 1e15 H/s /
    (difficulty x 2^32) x price, for 1 PH/s, from the store's raw row of the day."""
    raw = hashpower.history(start=DAY, end=DAY).iloc[0]
    per_block = (raw["subsidy_btc"] + raw["fees_btc"]) / raw["blocks"]
    btc_ph = per_block * 86_400 * 1e15 / (raw["difficulty"] * 2**32)
    row = at(hashpower.hashprice_daily(), DAY)
    assert row["hashprice_btc_per_ph_day"] == pytest.approx(btc_ph, rel=1e-12)
    assert row["hashprice_usd_per_ph_day"] == pytest.approx(btc_ph * raw["price_usd"], rel=1e-12)
    assert row["hashprice_sat_per_ph_day"] == pytest.approx(btc_ph * 1e8, rel=1e-12)
    # per PH/s, not per TH/s: tens of USD in 2026, where per TH/s it is a few cents
    assert 10 < row["hashprice_usd_per_ph_day"] < 100


@pytest.mark.parametrize("day", [DAY, FEES_ESTIMATED_DAY])
def test_hashprice_equals_the_hashprice_and_security_commands(mhome, day):
    row = at(hashpower.hashprice_daily(), day)
    c = cli(mhome, "hashprice", "--date", day)
    for k in ("usd_per_ph_day", "btc_per_ph_day", "sat_per_ph_day"):
        assert row[f"hashprice_{k}"] == pytest.approx(c[k], rel=1e-12)
    assert row["fees_btc_per_block"] == pytest.approx(c["fees_btc_per_block"], rel=1e-12)
    assert bool(row["fees_estimated"]) is c["fees_estimated"]
    assert row["fees_estimated"] == (day == FEES_ESTIMATED_DAY)
    sec = cli(mhome, "security", "--date", day) if day == DAY else None
    if sec:
        assert row["hashprice_usd_per_ph_day"] == pytest.approx(sec["hashprice_usd_per_ph_day"], rel=1e-12)


def test_on_a_halving_day_the_frame_prices_the_days_own_blocks(mhome):
    """2024-04-20 (block 840,000, the fourth halving): the day's blocks paid 6.25 BTC before the halving
    and 3.125 after, so the day's mean subsidy per block is between the two; ``hashprice --date`` prices
    the next block's 3.125 BTC (docs/notebooks.md)."""
    row = at(hashpower.hashprice_daily(), "2024-04-20")
    c = cli(mhome, "hashprice", "--date", "2024-04-20")
    assert c["subsidy_btc"] == 3.125 and 3.125 < row["subsidy_btc_per_block"] < 6.25
    ratio = (row["subsidy_btc_per_block"] + row["fees_btc_per_block"]) / (3.125 + c["fees_btc_per_block"])
    assert row["hashprice_usd_per_ph_day"] / c["usd_per_ph_day"] == pytest.approx(ratio, rel=1e-12)


def test_power_at_another_price_equals_the_network_command_at_that_price(mhome):
    c = cli(mhome, "network", "--date", DAY, "--power-price", "0.08")
    pw = hashpower.power_daily(DAY, DAY, power_price_usd_per_kwh=0.08)
    assert pw.attrs["power_price_usd_per_kwh"] == 0.08
    assert pw["power_best_gw"].iloc[0] == pytest.approx(c["power_gw"]["best"], rel=1e-12)
    assert pw["profitable_models"].iloc[0] == c["profitable_models"]
    assert pw["profitable_models"].iloc[0] < at(hashpower.power_daily(), DAY)["profitable_models"]


def test_index_equals_the_index_command(mhome):
    row = at(hashpower.index_daily(), DAY)
    c = cli(mhome, "index", "--date", DAY)
    assert row["sustainability_index"] == pytest.approx(c["sustainability_index"], rel=1e-12)
    assert row["band"] == c["band"]
    assert row["lowest_since"] == pd.Timestamp(c["lowest_since"])
    first = hashpower.index_daily()["sustainability_index"].first_valid_index()
    assert first > pd.Timestamp("2010-01-01")  # NaN before the index's first full window


def test_hashrate_power_drawdown_and_indicators_equal_the_network_command(mhome):
    c = cli(mhome, "network", "--date", DAY, "--window-days", "14")
    hr = at(hashpower.hashrate_daily(window_days=14), DAY)
    for w in ("1d", "3d", "7d", "30d", "14d"):
        e = c["hashrate_ehs"][w]
        assert hr[f"hashrate_{w}_ehs"] == pytest.approx(e["estimate"], rel=1e-12)
        assert hr[f"hashrate_{w}_lower_90_ehs"] == pytest.approx(e["lower_90"], rel=1e-12)
        assert hr[f"hashrate_{w}_upper_90_ehs"] == pytest.approx(e["upper_90"], rel=1e-12)
        assert e["lower_90"] < e["estimate"] < e["upper_90"]
    assert hr["drawdown_30d"] == pytest.approx(c["drawdown"]["current"], rel=1e-12)
    pw = at(hashpower.power_daily(), DAY)
    for k in ("lower", "best", "upper"):
        assert pw[f"power_{k}_gw"] == pytest.approx(c["power_gw"][k], rel=1e-12)
        assert pw[f"energy_{k}_twh_per_year"] == pytest.approx(c["energy_twh_per_year"][k], rel=1e-12)
    assert pw["profitability_threshold_j_per_th"] == pytest.approx(c["profitability_threshold_j_per_th"], rel=1e-12)
    assert pw["profitable_models"] == c["profitable_models"]
    ind = hashpower.indicators_daily(end=DAY)
    hr_c, today = c["indicators"]["hash_ribbons"], ind.iloc[-1]
    assert today["hashrate_sma_30d_ehs"] == pytest.approx(hr_c["hashrate_ehs_sma_30d"], rel=1e-12)
    assert today["hashrate_sma_60d_ehs"] == pytest.approx(hr_c["hashrate_ehs_sma_60d"], rel=1e-12)
    assert today["hash_ribbons_state"] == hr_c["state"]
    assert ind.index[ind["hash_ribbons_buy_signal"]][-1] == pd.Timestamp(hr_c["last_buy_signal_date"])
    assert today["puell_multiple"] == pytest.approx(c["indicators"]["puell_multiple"], rel=1e-12)
    assert today["puell_multiple_difficulty_adjusted"] == pytest.approx(
        c["indicators"]["puell_multiple_difficulty_adjusted"], rel=1e-12)


def test_ccaf_power_equals_the_network_command_with_method_ccaf(mhome):
    c = cli(mhome, "network", "--date", DAY, "--method", "ccaf")
    pw = hashpower.power_daily(DAY, DAY, method="ccaf")
    assert pw.attrs["method"] == "ccaf"
    for k in ("lower", "best", "upper"):
        assert pw[f"power_{k}_gw"].iloc[0] == pytest.approx(c["power_gw"][k], rel=1e-12)
    ours = hashpower.power_daily(DAY, DAY)
    assert ours["power_best_gw"].iloc[0] != pytest.approx(pw["power_best_gw"].iloc[0], rel=1e-3)


def test_drawdown_episodes_equal_the_network_commands_drawdown(mhome):
    """On the latest day the ongoing episode of the 30-day hashrate is the one ``network`` reports."""
    c = cli(mhome, "network")
    ep = hashpower.drawdowns()
    assert ep.index.name == "peak_date" and isinstance(ep.index, pd.DatetimeIndex)
    assert ep.attrs["episodes_in_history"] == c["drawdown"]["episodes"] == len(ep)
    last = ep.loc[pd.Timestamp(c["drawdown"]["peak_date"])]
    assert last["trough_date"] == pd.Timestamp(c["drawdown"]["trough_date"])
    assert last["depth"] == pytest.approx(c["drawdown"]["depth"], rel=1e-12)
    assert last["rank"] == c["drawdown"]["rank"]
    assert last["largest_since"] == pd.Timestamp(c["largest_drawdown_since"])
    assert pd.isna(last["recovery_date"]) and math.isnan(last["days_to_recovery"])  # still under the peak
    assert sorted(ep["rank"]) == list(range(1, len(ep) + 1))
    assert (ep["depth"] >= 0.02).all()
    assert (ep["trough_date"] - ep.index).dt.days.equals(ep["days_to_trough"].astype("int64"))
    assert hashpower.hashrate_daily()["drawdown_30d"].iloc[-1] == pytest.approx(c["drawdown"]["current"], rel=1e-12)
    cut = hashpower.drawdowns(start="2021-01-01", end="2021-12-31")
    assert len(cut) and (cut.index.year == 2021).all()
    assert set(cut["rank"]) <= set(ep["rank"])  # ranks are over the whole history


@pytest.mark.parametrize("day", [DAY, POOL_DAY])
def test_concentration_equals_the_security_command(mhome, day):
    c = cli(mhome, "security", "--date", day)
    row = at(hashpower.concentration_daily(), day)
    conc = c["concentration"]
    assert conc["window_days"] == 7
    assert row["hhi"] == pytest.approx(c["hhi"], rel=1e-12)
    assert row["nakamoto_coefficient"] == c["nakamoto_coefficient"]
    assert row["blocks"] == conc["blocks"]
    assert row["top_pool"] == conc["pools"][0]["pool"]
    assert row["top_pool_share"] == pytest.approx(conc["pools"][0]["share"], rel=1e-12)
    assert row["unattributed_share"] == pytest.approx(conc["unattributed_share"], rel=1e-9, abs=1e-15)
    month = cli(mhome, "security", "--date", day, "--window-days", "30")
    assert at(hashpower.concentration_daily(window_days=30), day)["hhi"] == pytest.approx(month["hhi"], rel=1e-12)


def test_pool_shares_sum_to_one_and_match_the_security_commands_shares(mhome):
    df = hashpower.pool_shares_daily(window_days=30, top=5)
    assert list(df.columns[-2:]) == ["others", "unknown"] and len(df.columns) == 7
    assert np.allclose(df.sum(axis=1), 1.0, atol=1e-12)
    c = cli(mhome, "security", "--date", DAY, "--window-days", "30", "--top", "30")
    shares = {p["pool"]: p["share"] for p in c["concentration"]["pool_shares"]}
    row = at(df, DAY)
    for pool in df.columns[:-2]:
        assert row[pool] == pytest.approx(shares.get(pool, 0.0), rel=1e-12, abs=1e-15)
    assert row["unknown"] == pytest.approx(shares["unknown"], rel=1e-9)
    # the five columns are the five pools with the most blocks over the frame's days
    full = hashpower.pool_shares_daily(window_days=30, top=1000)
    assert list(df.columns[:-2]) == list(full.drop(columns=["others", "unknown"]).sum().nlargest(5).index)


# --------------------------------------------------------------------------- the runs and .to_frame()


@pytest.fixture(scope="module")
def sim(mhome):
    return hashpower.simulate("baseline", paths=300, years=3, seed=7, keep_paths=True)


def test_simulate_returns_the_commands_dict_and_still_serialises(mhome, sim):
    plain = hashpower.simulate("baseline", paths=300, years=3, seed=7)
    assert isinstance(sim, dict) and dict(sim) == dict(plain) == fsimulate.run("baseline", 300, 3, 7)
    assert json.loads(json.dumps(sim))["hashrate_ehs"] == sim["hashrate_ehs"]
    c = cli(mhome, "simulate", "--preset", "baseline", "--paths", "300", "--years", "3", "--seed", "7")
    assert c["hashrate_ehs"] == sim["hashrate_ehs"]  # JSON floats round-trip exactly


def test_simulation_to_frame_is_tidy_and_equals_the_dicts_percentiles(sim):
    f = sim.to_frame()
    variables = sim.variables()
    assert list(f.columns) == ["statistic", "percentile", "year", "date", "variable", "value", "unit"]
    assert len(f) == 3 * 3 * len(variables) and variables == list(OUTPUTS)
    assert f["date"].dtype.kind == "M"
    for v in ("hashrate_ehs", "hashprice_usd_per_ph_day", "miner_margin"):
        for q in ("p5", "p50", "p95"):
            got = f[(f["variable"] == v) & (f["statistic"] == q)].sort_values("year")["value"].tolist()
            assert got == sim[v][q]
        assert set(f.loc[f["variable"] == v, "unit"]) == {sim["units"][v]}
    assert set(f["percentile"]) == {5.0, 50.0, 95.0}
    assert list(pd.to_datetime(sim["year_end_dates"])) == sorted(set(f["date"]))


def test_simulation_paths_give_back_the_percentiles(sim):
    p = sim.to_frame(paths=True)
    assert list(p.columns) == ["path", "year", "date", "variable", "value", "unit"]
    assert len(p) == 300 * 3 * len(OUTPUTS) and p["path"].nunique() == 300
    for v in ("hashrate_ehs", "security_budget_usd_per_day"):
        for y in (1, 3):
            x = p[(p["variable"] == v) & (p["year"] == y)]["value"].to_numpy()
            got = np.percentile(x, (5, 50, 95))
            assert got.tolist() == [sim[v][q][y - 1] for q in ("p5", "p50", "p95")]
    with pytest.raises(ValueError, match="keep_paths=True"):
        hashpower.simulate("baseline", paths=50, years=1, seed=7).to_frame(paths=True)
    with pytest.raises(ValueError, match="keep_paths must be True or False"):
        hashpower.simulate("baseline", paths=50, years=1, seed=7, keep_paths="yes")


def test_a_seed_gives_the_same_frames_and_another_seed_other_ones(mhome, sim):
    again = hashpower.simulate("baseline", paths=300, years=3, seed=7, keep_paths=True)
    pd.testing.assert_frame_equal(again.to_frame(), sim.to_frame())
    pd.testing.assert_frame_equal(again.to_frame(paths=True), sim.to_frame(paths=True))
    other = hashpower.simulate("baseline", paths=300, years=3, seed=8)
    assert other["hashrate_ehs"]["p50"] != sim["hashrate_ehs"]["p50"]


@pytest.fixture(scope="module")
def look(mhome):
    return hashpower.outlook(months=6, paths=2000, seed=3, keep_paths=True)


def test_outlook_returns_the_commands_dict_and_its_frame_equals_it(mhome, look):
    assert dict(look) == foutlook.outlook(6, 2000, 3)
    json.dumps(look)
    f = look.to_frame()
    assert list(f.columns) == ["statistic", "percentile", "month", "date", "variable", "value", "unit"]
    series = ["hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day", "hashprice_btc_per_ph_day"]
    assert len(f) == 6 * 6 * 4 and list(dict.fromkeys(f["variable"])) == series
    for r in look["months"]:
        for v in series:
            got = f[(f["month"] == r["month"]) & (f["variable"] == v)].set_index("statistic")["value"]
            assert got.to_dict() == r[v]
    assert f.loc[f["statistic"] == "mean", "percentile"].isna().all()
    assert set(f.loc[f["variable"] == "hashprice_usd_per_ph_day", "unit"]) == {"USD/(PH/s)/day"}


def test_outlook_paths_give_back_its_percentiles_and_means(look):
    p = look.to_frame(paths=True)
    assert len(p) == 2000 * 6 * 4
    for v, x in look.samples.items():
        assert x.shape == (2000, 6)
        for m, r in enumerate(look["months"]):
            q = np.percentile(x[:, m], (5, 25, 50, 75, 95))
            assert q.tolist() == [r[v][f"p{k}"] for k in (5, 25, 50, 75, 95)]
            assert float(x[:, m].mean()) == pytest.approx(r[v]["mean"], rel=1e-12)


def test_outlook_medians_of_two_seeds_agree_within_their_standard_error(mhome, look):
    """Two seeds are two independent samples of the same distribution: their medians of the first month's
    hashprice differ by less than 4 standard errors of the difference. The median of n draws has a standard
    error of sqrt(pi / 2) x sd / sqrt(n) (normal approximation), the sd estimated from the kept paths'
    interquartile range / 1.349; the difference of two has sqrt(2) times that. The test fails with a
    probability of about 6e-5 when both runs are right, and catches two seeds giving the same paths."""
    other = hashpower.outlook(months=6, paths=2000, seed=4)
    v = "hashprice_usd_per_ph_day"
    x = look.samples[v][:, 0]
    q25, q75 = np.percentile(x, (25, 75))
    sd = (q75 - q25) / 1.349  # a normal's interquartile range is 1.349 sd
    se_median = 1.2533 * sd / math.sqrt(x.size)  # sqrt(pi/2) sd / sqrt(n)
    diff = look["months"][0][v]["p50"] - other["months"][0][v]["p50"]
    assert diff != 0
    assert abs(diff) < 4 * math.sqrt(2) * se_median


def test_outlook_with_a_price_growth_keeps_the_same_paths(mhome):
    o = hashpower.outlook(months=3, paths=300, seed=1, price_growth_per_year=0.2, keep_paths=True)
    assert o["price_view"].startswith("given: +20.0% a year")
    x = o.samples["hashprice_usd_per_ph_day"][:, 2]
    assert float(np.median(x)) == o["months"][2]["hashprice_usd_per_ph_day"]["p50"]
    with pytest.raises(ValueError, match="months must be a whole number"):
        hashpower.outlook(months=0, keep_paths=True)


def test_backtest_returns_the_commands_dict_and_its_frames(mhome):
    b = hashpower.backtest(origin="2022-01-01", horizons=(3, 6), paths=200, seed=0)
    assert dict(b) == fbacktest.backtest(origin="2022-01-01", horizons=(3, 6), paths=200, seed=0)
    json.dumps(b)
    f = b.to_frame()
    assert list(f.columns) == ["origin", "horizon_months", "date", "mode", "variable", "statistic", "percentile",
                               "value", "unit"]
    assert len(f) == len(b["cases"]) * 9 and len(b["cases"]) == 2 * 3 * 2
    for c in b["cases"]:
        sel = f[(f["mode"] == c["mode"]) & (f["variable"] == c["series"])
                & (f["horizon_months"] == c["horizon_months"])]
        vals = sel.set_index("statistic")["value"]
        for k in ("p5", "p50", "p95", "mean", "actual", "persistence", "trend"):
            assert vals[k] == c[k]
    assert set(f["date"]) == {pd.Timestamp("2022-04-01"), pd.Timestamp("2022-07-01")}
    m = b.metrics_frame()
    assert list(m.columns) == ["mode", "variable", "horizon_months", "metric", "value"]
    cov = m[(m["mode"] == "unconditional") & (m["metric"] == "coverage_90") & (m["variable"] == "hashrate_ehs")
            & (m["horizon_months"] == 3)]["value"].iloc[0]
    assert cov == b["modes"]["unconditional"]["hashrate_ehs"]["3"]["coverage_90"]
    assert m[(m["mode"] == "conditional") & (m["metric"] == "coverage_90")]["value"].isna().all()
    with pytest.raises(ValueError, match="origin must be in"):
        hashpower.backtest(origin="2010-01-01", horizons=3, paths=10)
