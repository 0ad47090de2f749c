"""The cost to mine one bitcoin: hand-computed site cases, properties, the network figure, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from hashpower.figures import costs as fc
from hashpower.models import costs as mc
from hashpower.models import fleet as fl
from hashpower.store.catalog import asic_prices, catalog, hardware
from hashpower.store.files import load_fleet

EXAMPLE = Path(__file__).parents[1] / "examples" / "fleet.toml"

# The Antminer S21 of the embedded catalog: 200 TH/s, 3550 W, i.e. 17.75 J/TH (data/machines.csv).
S21_THS, S21_W = 200.0, 3550.0
# A day of hashprice $0.05/TH/day at $100,000 per BTC: one TH/s earns 0.05 / 100,000 = 5e-7 BTC a day.
HP, PRICE = 0.05, 100_000.0
BTC_PER_TH_DAY = HP / PRICE
# An S21 draws 17.75 J/TH x 24 h / 1000 = 0.426 kWh per TH/s-day.
KWH_PER_TH_DAY = S21_W / S21_THS * 24 / 1000

ONE_SITE = """
[[site]]
name = "a"
power_price_usd_per_kwh = 0.05
{extra}
[[site.machines]]
model = "Antminer S21"
count = 10
{machine}
"""


_GOOD = ONE_SITE.format(extra="", machine="")


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "other.toml"
    p.write_text(text)
    return p


def _fleet(tmp_path: Path, extra: str = "", machine: str = "") -> fl.Fleet:
    p = tmp_path / "fleet.toml"
    p.write_text(ONE_SITE.format(extra=extra, machine=machine))
    return load_fleet(p)


def test_the_catalog_s21_is_the_one_the_hand_cases_use():
    cat = catalog()
    k = cat.index("Antminer S21")
    assert (cat.hashrate_ths[k], cat.power_w[k]) == (S21_THS, S21_W)


def test_electricity_per_btc_by_hand():
    # price x kWh per TH-day / BTC per TH-day = 0.05 x 0.426 / 5e-7 = 42,600 USD/BTC
    assert float(mc.electricity_usd_per_btc(0.05, KWH_PER_TH_DAY, BTC_PER_TH_DAY)) == pytest.approx(42_600.0)
    res = doctest.testmod(mc, raise_on_error=False)
    assert res.failed == 0 and res.attempted >= 1


def test_one_flat_site_electricity_cash_and_fully_loaded_by_hand(tmp_path):
    f = _fleet(tmp_path, extra="pool_fee_rate = 0.02\nhosting_fee_usd_per_kwh = 0.01\nopex_usd_per_mw_year = 100000\n"
                                "facility_capex_usd_per_mw = 400000\nfacility_life_years = 12\n"
                                "machine_life_years = 4\ninterest_rate = 0.1",
               machine="capex_usd = 3000")
    s = fc.fleet_costs(f, HP, PRICE)["sites"][0]
    # 10 units x 200 TH/s x 5e-7 BTC = 0.001 BTC a day (the S21 runs: 9.8 USD/day of revenue after the fee
    # over 3.55 kW x 24 h is a breakeven of 0.115 USD/kWh, above 0.05 + 0.01)
    btc = 10 * 200 * 5e-7
    assert s["btc_mined"] == pytest.approx(btc) and s["btc_received"] == pytest.approx(btc * 0.98)
    mw = 10 * 3550 / 1e6
    day = {
        "electricity": 10 * 3.55 * 24 * 0.05,            # 42.60 USD
        "hosting": 10 * 3.55 * 24 * 0.01,                # 8.52
        "pool_fee": 0.02 * btc * PRICE,                   # 2.00
        "opex": mw * 100_000 / 365.25,                    # 9.72
        "machine_depreciation": 10 * 3000 / (4 * 365.25),     # 20.53
        "facility_depreciation": mw * 400_000 / (12 * 365.25),  # 3.24
        "interest": 0.1 * (10 * 3000 + mw * 400_000) / 2 / 365.25,  # 6.05: half the capital outstanding
    }
    cash = day["electricity"] + day["hosting"] + day["pool_fee"] + day["opex"]
    full = cash + day["machine_depreciation"] + day["facility_depreciation"] + day["interest"]
    for k, v in day.items():
        assert s["usd_per_day"][k] == pytest.approx(v), k
        assert s["usd_per_btc"][k] == pytest.approx(v / btc), k
    assert s["electricity_usd_per_btc"] == pytest.approx(42_600.0)
    assert s["cash_usd_per_btc"] == pytest.approx(cash / btc)
    assert s["fully_loaded_usd_per_btc"] == pytest.approx(full / btc)
    assert s["margin_usd_per_btc"]["cash"] == pytest.approx(PRICE - cash / btc)
    assert s["margin_rate"]["fully_loaded"] == pytest.approx(1 - full / btc / PRICE)
    a = s["assumptions"]
    assert {k: a[k]["from"] for k in fl.COST_KEYS} == dict.fromkeys(fl.COST_KEYS, "file")
    assert a["machines"] == [{"model": "Antminer S21", "count": 10, "capex_usd_per_unit": 3000.0, "from": "file",
                              "source": "capex_usd or usd_per_th of the fleet file"}]


def test_pue_counts_and_uptime_cancels(tmp_path):
    s = fc.fleet_costs(_fleet(tmp_path, extra="pue = 1.1\nuptime = 0.9"), HP, PRICE)["sites"][0]
    assert s["electricity_usd_per_btc"] == pytest.approx(42_600.0 * 1.1)
    assert s["btc_mined"] == pytest.approx(10 * 200 * 5e-7 * 0.9)


def test_defaults_are_used_and_said(tmp_path):
    s = fc.fleet_costs(_fleet(tmp_path), HP, PRICE)["sites"][0]
    a = s["assumptions"]
    for k in fl.COST_KEYS:
        assert a[k] == {"value": mc.DEFAULTS[k], "from": "default", "source": mc.SOURCES[k]}
    latest = asic_prices()["latest"]["usd_per_th"]  # the S21 (17.75 J/TH) is in the "latest" tier (< 19 J/TH)
    m = a["machines"][0]
    assert m["from"] == "default" and m["capex_usd_per_unit"] == pytest.approx(latest * 200)
    assert "tier 'latest'" in m["source"]
    mw = 10 * 3550 / 1e6
    assert s["usd_per_day"]["machine_depreciation"] == pytest.approx(10 * latest * 200 / (3 * 365.25))
    assert s["usd_per_day"]["opex"] == pytest.approx(mw * 87_660 / 365.25)


def test_a_machine_without_a_price_leaves_fully_loaded_null(tmp_path, monkeypatch):
    import hashpower.store.catalog as cat

    monkeypatch.setattr(cat, "asic_prices", lambda: {})
    out = fc.fleet_costs(_fleet(tmp_path), HP, PRICE)
    s = out["sites"][0]
    assert s["fully_loaded_usd_per_btc"] is None and "Antminer S21" in s["fully_loaded_reason"]
    assert s["cash_usd_per_btc"] is not None and s["assumptions"]["machines"][0]["from"] == "missing"
    assert out["fleet"]["fully_loaded_usd_per_btc"] is None and out["fleet"]["fully_loaded_reason"]


def test_everything_curtailed_gives_null_per_btc_with_a_reason(tmp_path):
    fleet = load_fleet(_write(tmp_path, _GOOD.replace("0.05", "0.2")))
    out = fc.fleet_costs(fleet, HP, PRICE)  # 0.2 USD/kWh x 0.426 kWh = 0.085 USD a TH-day > 0.05 earned
    s = out["sites"][0]
    assert fleet.sites[0].curtail and s["btc_mined"] == 0 and s["running_share"] == 0
    assert all(s[f"{k}_usd_per_btc"] is None for k in ("electricity", "cash", "fully_loaded"))
    assert "curtailed" in s["reason"]
    assert s["usd_per_day"]["electricity"] == 0 and s["usd_per_day"]["opex"] > 0  # fixed costs run on
    assert out["fleet"]["cash_usd_per_btc"] is None and out["fleet"]["reason"]


def test_btc_mined_counts_only_the_running_hours(tmp_path):
    tariff = [0.02] * 12 + [0.20] * 12
    text = _GOOD.replace("power_price_usd_per_kwh = 0.05", f"tariff_usd_per_kwh = {tariff}")
    out = fc.fleet_costs(load_fleet(_write(tmp_path, text)), 0.034, PRICE)
    s = out["sites"][0]
    # at $0.034/TH/day the S21 breaks even at 0.034 / 0.426 = 0.0798 USD/kWh: on in the 12 cheap hours only
    assert s["running_share"] == pytest.approx(0.5)
    assert s["btc_mined"] == pytest.approx(10 * 200 * 0.034 / PRICE / 2)
    # the running hours' price over the BTC of the running hours: 0.02 x 0.426 / 3.4e-7
    assert s["electricity_usd_per_btc"] == pytest.approx(0.02 * KWH_PER_TH_DAY / (0.034 / PRICE))


def test_hourly_prices_of_the_day(tmp_path):
    f = _fleet(tmp_path)
    day = dt.date(2026, 3, 2)
    prices = np.r_[np.full(24, 0.5), np.full(24, 0.03), np.full(24, 0.5)]  # the day before, the day, the day after
    hp = fl.HourlyPrices(np.datetime64("2026-03-01T00", "h"), prices, "test.csv")
    site = dataclasses.replace(f.sites[0], hourly=hp, flat=False, tariff_usd_per_kwh=np.full(24, prices.mean()))
    f = dataclasses.replace(f, sites=(site,))
    s = fc.fleet_costs(f, HP, PRICE, day)["sites"][0]
    assert s["tariff"].startswith("the day's hourly prices")
    assert s["electricity_usd_per_btc"] == pytest.approx(0.03 * KWH_PER_TH_DAY / BTC_PER_TH_DAY)
    s = fc.fleet_costs(f, HP, PRICE, dt.date(2026, 4, 1))["sites"][0]  # outside: the mean shape (0.343), curtailed
    assert "outside" in s["tariff"] and s["electricity_usd_per_btc"] is None
    s = fc.fleet_costs(f, HP, PRICE)["sites"][0]  # no day given: the mean shape too
    assert s["tariff"] == "the mean by UTC hour of the hourly prices (test.csv)"


def test_fleet_totals_add_the_sites():
    out = fc.fleet_costs(load_fleet(EXAMPLE), 0.045, 90_000.0)
    tot = out["fleet"]
    assert tot["btc_mined"] == pytest.approx(sum(s["btc_mined"] for s in out["sites"]))
    for k in fc.PARTS:
        assert tot["usd_per_day"][k] == pytest.approx(sum(s["usd_per_day"][k] for s in out["sites"]))
    assert tot["cash_usd_per_btc"] == pytest.approx(tot["usd_per_day"]["cash"] / tot["btc_mined"])
    assert tot["units"] == 2800


def test_electricity_is_linear_in_the_power_price(tmp_path):
    base = ONE_SITE.format(extra="curtail = false", machine="")
    e = []
    for p in (0.03, 0.06, 0.12):
        f = load_fleet(_write(tmp_path, base.replace("0.05", str(p))))
        e.append(fc.fleet_costs(f, HP, PRICE)["sites"][0]["electricity_usd_per_btc"])
    assert e[1] == pytest.approx(2 * e[0]) and e[2] == pytest.approx(4 * e[0])


_nonneg = st.floats(0, 1e7, allow_nan=False)


@given(btc=st.floats(0, 100), price=_nonneg, power=_nonneg, fee=st.floats(0, 0.5), hosting=_nonneg,
       mw=st.floats(0, 1000), opex=_nonneg, capex=_nonneg, fac=_nonneg, life_m=st.floats(0.25, 30),
       life_f=st.floats(0.5, 100), rate=st.floats(0, 1), basis=st.sampled_from(mc.INTEREST_BASES))
def test_costs_are_never_negative_and_ordered(btc, price, power, fee, hosting, mw, opex, capex, fac, life_m, life_f,
                                              rate, basis):
    c = mc.cost_to_mine(btc, price, power, pool_fee_rate=fee, hosting_cost_usd=hosting, capacity_mw=mw,
                        opex_usd_per_mw_year=opex, machine_capex_usd=capex, facility_capex_usd_per_mw=fac,
                        machine_life_years=life_m, facility_life_years=life_f, interest_rate=rate,
                        interest_basis=basis)
    for k, v in c.items():
        assert np.all(np.isnan(v) | (v >= 0)), k
    assert c["fully_loaded_usd"] >= c["cash_usd"] >= c["electricity_usd"]
    if btc > 0:
        assert c["fully_loaded_usd_per_btc"] >= c["cash_usd_per_btc"] >= c["electricity_usd_per_btc"]
    else:
        assert np.isnan(c["cash_usd_per_btc"])


@given(p=st.floats(0, 10), k=st.floats(0, 100), kwh=st.floats(0, 100), btc=st.floats(1e-12, 1))
def test_electricity_formula_is_linear_in_price(p, k, kwh, btc):
    a = float(mc.electricity_usd_per_btc(p * k, kwh, btc))
    b = k * float(mc.electricity_usd_per_btc(p, kwh, btc))
    assert a == pytest.approx(b, rel=1e-12, abs=1e-300)


def test_interest_bases_and_bad_values():
    assert float(mc.interest_usd_per_day(365.25, 0.1, "full")) == pytest.approx(0.1)
    assert float(mc.interest_usd_per_day(365.25, 0.1, "average")) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="basis"):
        mc.interest_usd_per_day(1.0, 0.1, "peak")
    with pytest.raises(ValueError, match="interest_rate"):
        mc.interest_usd_per_day(1.0, 1.5)
    with pytest.raises(ValueError, match="life_years"):
        mc.straight_line_usd_per_day(1.0, 0)
    with pytest.raises(ValueError, match="power_price_usd_per_kwh"):
        mc.network_electricity_usd_per_btc(1e9, -0.05, 500)
    assert np.isnan(mc.per_btc(10.0, 0.0))


# --- the network -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2017-12-17", "2021-06-01", "2024-01-02"])
def test_network_figure_against_the_store_columns(home, day):
    from hashpower import store
    from hashpower.figures.network import network_figures

    p = 0.05
    out = fc.costs_figures(date=day)["network"]
    raw = store.history().loc[day]  # the store's own columns (these days have fee data)
    btc = raw["subsidy_btc"] + raw["fees_btc"]
    assert out["btc_issued"] == pytest.approx(btc) and out["fees_estimated"] is False
    # lower bound, from scratch: the most efficient model released by the day x hashrate x PUE 1.01 (CBECI)
    rel, eff = hardware()
    d = (dt.date.fromisoformat(day) - dt.date(1970, 1, 1)).days
    lower_w = eff[rel <= d].min() * raw["hashrate_ths"] * 1.01
    assert out["electricity_usd_per_btc"]["lower"] == pytest.approx(lower_w / 1000 * 24 * p / btc, rel=1e-9)
    # every bound, from the power that hashpower network reports
    gw = network_figures(day)["power_gw"]
    for b in fc.BOUNDS:
        assert out["electricity_usd_per_btc"][b] == pytest.approx(gw[b] * 1e6 * 24 * p / btc, rel=1e-9)
        assert out["power_gw"][b] == pytest.approx(gw[b], rel=1e-12)


def test_estimated_fees_are_flagged(home):
    out = fc.costs_figures()["network"]  # the store's fee data ends before its last day
    assert out["fees_estimated"] is True and "estimated" in out["fees_note"]


def test_bounds_are_ordered_in_usd_per_btc(home):
    for p in (0.05, 0.08):
        df = fc.network_cost_series(p)
        e = df[[f"electricity_usd_per_btc_{b}" for b in fc.BOUNDS]].dropna()
        assert len(e) > 5000
        assert (e.iloc[:, 0] <= e.iloc[:, 1] * (1 + 1e-12)).all() and (e.iloc[:, 1] <= e.iloc[:, 2] * (1 + 1e-12)).all()
        assert (e >= 0).all().all()


def test_network_series_matches_the_day(home):
    df = fc.network_cost_series(0.06, "2024-01-01", "2024-01-31")
    assert isinstance(df.index, pd.DatetimeIndex) and len(df) == 31
    assert {"btc_issued", "fees_estimated", "price_usd", "power_gw_best", "electricity_usd_per_btc_upper"} <= set(df)
    day = fc.costs_figures(date="2024-01-15", power_price_usd_per_kwh="0.06")
    assert day["network"]["power_price_from"] == "given"
    for b in fc.BOUNDS:
        assert df.loc["2024-01-15", f"electricity_usd_per_btc_{b}"] == pytest.approx(
            day["network"]["electricity_usd_per_btc"][b], rel=1e-12)
    with pytest.raises(ValueError, match="after"):
        fc.network_cost_series(None, "2024-02-01", "2024-01-01")


def test_without_a_fleet_only_the_network(home):
    out = fc.costs_figures()
    assert out["sites"] == [] and out["fleet"] is None
    assert out["network"]["power_price_usd_per_kwh"] == 0.05 and "default" in out["network"]["power_price_from"]


def test_fleet_as_path_document_or_object(home):
    import tomllib

    a = fc.costs_figures(EXAMPLE, "2025-06-01")
    b = fc.costs_figures(tomllib.loads(EXAMPLE.read_text()), "2025-06-01")
    c = fc.costs_figures(load_fleet(EXAMPLE), "2025-06-01")
    assert a["fleet"]["cash_usd_per_btc"] == b["fleet"]["cash_usd_per_btc"] == c["fleet"]["cash_usd_per_btc"]
    assert [s["name"] for s in a["sites"]] == ["west-texas", "hosted-georgia"]


@pytest.mark.parametrize("value", [-1, 0, math.nan, math.inf, 11, "abc", True])
def test_bad_power_price(home, value):
    with pytest.raises(ValueError, match="power_price_usd_per_kwh"):
        fc.costs_figures(power_price_usd_per_kwh=value)


def test_a_fleet_needs_a_price(home):
    assert fc.costs_figures(date="2009-06-01")["price_usd"] is None
    with pytest.raises(ValueError, match="no bitcoin price"):
        fc.costs_figures(EXAMPLE, "2009-06-01")


# --- the command line --------------------------------------------------------------------------------------


def test_cli_json_table_and_csv(home, tmp_path):
    out_csv = tmp_path / "net.csv"
    r = run_cli("costs", str(EXAMPLE), "--date", "2025-06-01", "--json", "--csv", str(out_csv), home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"date", "price_usd", "network", "sites", "fleet", "assumptions"} <= set(out)
    assert {"power_price_usd_per_kwh", "electricity_usd_per_btc"} <= set(out["network"])
    assert set(out["network"]["electricity_usd_per_btc"]) == {"lower", "best", "upper"}
    levels = {"electricity_usd_per_btc", "cash_usd_per_btc", "fully_loaded_usd_per_btc"}
    assert all(levels | {"name"} <= set(s) for s in out["sites"]) and levels <= set(out["fleet"])
    df = pd.read_csv(out_csv)
    assert list(df.columns[:5]) == ["date", "price_usd", "subsidy_btc", "fees_btc", "btc_issued"]
    assert df["date"].iloc[0] == "2009-01-03" and out["csv"] == str(out_csv)
    row = df.set_index("date").loc["2025-06-01"]
    assert row["electricity_usd_per_btc_best"] == pytest.approx(out["network"]["electricity_usd_per_btc"]["best"])

    r = run_cli("costs", str(EXAMPLE), "--date", "2025-06-01", home=home, env={"COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    for text in ("west-texas", "hosted-georgia", "fleet", "lower", "best", "upper", "electricity"):
        assert text in r.stdout
    assert f"${out['sites'][0]['cash_usd_per_btc'] / 1e3:,.2f}k" in r.stdout

    r = run_cli("costs", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sites"] == [] and out["fleet"] is None


def test_cli_help_gives_every_default(home):
    r = run_cli("costs", "--help", home=home)
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    for v in (f"{mc.OPEX_USD_PER_MW_YEAR:,.0f} USD/MW-year", f"{mc.FACILITY_CAPEX_USD_PER_MW:,.0f} USD/MW",
              f"{mc.FACILITY_LIFE_YEARS:g} years", f"{mc.MACHINE_LIFE_YEARS:g} years",
              f"{mc.INTEREST_RATE:g} per year", "default 0.05", "average outstanding balance"):
        assert v in text, v
    for tier, row in asic_prices().items():
        assert f"{tier} ${row['usd_per_th']:g}" in text


@pytest.mark.parametrize(
    ("args", "toml", "match"),
    [
        (("--date", "2031-01-01"), None, "outside the data"),
        (("--date", "someday"), None, "YYYY-MM-DD"),
        (("--power-price", "-1"), None, "power_price_usd_per_kwh"),
        (("--power-price", "nan"), None, "power_price_usd_per_kwh"),
        ((), "[[site", "not valid TOML"),
        ((), _GOOD.replace('name = "a"', 'name = "a"\nopex_usd_per_year = 5'), "unknown keys"),
        ((), _GOOD.replace('name = "a"', 'name = "a"\ninterest_rate = 7.5'), "interest_rate"),
        ((), _GOOD.replace('name = "a"', 'name = "a"\nmachine_life_years = 0'), "machine_life_years"),
    ],
)
def test_cli_bad_input(home, tmp_path, args, toml, match):
    out_csv = tmp_path / "net.csv"
    fleet_args = ()
    if toml is not None:
        (tmp_path / "f.toml").write_text(toml)
        fleet_args = (str(tmp_path / "f.toml"),)
    r = run_cli("costs", *fleet_args, *args, "--csv", str(out_csv), home=home)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("hashpower: error:") and r.stderr.count("\n") == 1 and match in r.stderr, r.stderr
    assert r.stdout == "" and not out_csv.exists()


def test_days_without_issuance_have_no_cost(home):
    df = fc.network_cost_series(None, "2009-01-03", "2009-01-20")
    empty = df["btc_issued"] == 0
    assert empty.any() and df.loc[empty, "electricity_usd_per_btc_best"].isna().all()
    assert df.loc[~empty, "electricity_usd_per_btc_best"].notna().any()
    n = fc.costs_figures(date="2009-01-05")["network"]
    assert n["electricity_usd_per_btc"] == {"lower": None, "best": None, "upper": None} and "no BTC" in n["reason"]
