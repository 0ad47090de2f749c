"""Hashprice, machine unit economics and the catalog: seed figures, properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashpower.models import hashprice
from hashpower.models import machines as mc
from hashpower.store.catalog import catalog

pos = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------- hashprice


def test_luxor_formula_worked_case():
    # Luxor's formula by hand: D = 100 T, reward 3.125 + 0.025 BTC, $100,000.
    # BTC/TH/day = 3.15 x 86400 x 1e12 / (100e12 x 2^32) = 6.336e-7; x 1e5 = $0.06336/TH/day.
    expected_btc = 3.15 * 86400 * 1e12 / (100e12 * 2**32)
    assert hashprice.btc_per_th_day(100e12, 3.125, 0.025) == pytest.approx(expected_btc, rel=1e-12)
    assert hashprice.usd_per_th_day(100e12, 100_000, 3.125, 0.025) == pytest.approx(0.063363, rel=1e-4)


def test_seed_hashprice_feb_2026():
    """$0.034 per TH/s per day at D = 141.67 T and $76,176 (F2Pool via the press, Feb 2026), +-3%."""
    no_fees = float(hashprice.usd_per_th_day(141.67e12, 76_176, 3.125))
    assert no_fees == pytest.approx(0.034, rel=0.03)


def test_from_hashrate_equals_from_difficulty_at_equilibrium():
    d = 141.67e12
    h_ths = d * 2**32 / 600 / 1e12  # the hashrate that finds 144 blocks a day at difficulty d
    a = hashprice.btc_per_th_day(d, 3.125, 0.02)
    b = hashprice.btc_per_th_day_from_hashrate(h_ths, 3.125, 0.02)
    assert a == pytest.approx(b, rel=1e-12)


def test_arrays_and_broadcast():
    d = np.array([100e12, 200e12])
    p = np.array([[50_000.0], [100_000.0]])
    out = hashprice.usd_per_th_day(d, p, 3.125)
    assert out.shape == (2, 2)
    assert out[1, 0] == pytest.approx(2 * out[0, 0]) and out[0, 0] == pytest.approx(2 * out[0, 1])


def test_history_vectorised_handles_missing_price_and_empty_days():
    out = hashprice.history_usd_per_th_day([1.0, 1.0, 2.0], [np.nan, 10.0, 10.0], [50.0, 0.0, 100.0],
                                           [0.0, 0.0, 0.0], [1, 0, 2])
    assert np.isnan(out[0]) and np.isnan(out[1])
    assert out[2] == pytest.approx(50 * 86400e12 / (2 * 2**32) * 10)


@settings(max_examples=60, deadline=None)
@given(pos, pos, pos, st.floats(min_value=1.5, max_value=10))
def test_hashprice_linear_in_price_and_reward_inverse_in_difficulty(d, p, s, k):
    base = hashprice.usd_per_th_day(d * 1e9, p, s)
    assert hashprice.usd_per_th_day(d * 1e9, k * p, s) == pytest.approx(k * base, rel=1e-9)
    assert hashprice.usd_per_th_day(d * 1e9, p, k * s) == pytest.approx(k * base, rel=1e-9)
    assert hashprice.usd_per_th_day(k * d * 1e9, p, s) == pytest.approx(base / k, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"difficulty": 0, "price_usd": 1, "subsidy_btc": 1}, "difficulty"),
        ({"difficulty": -1, "price_usd": 1, "subsidy_btc": 1}, "difficulty"),
        ({"difficulty": np.nan, "price_usd": 1, "subsidy_btc": 1}, "difficulty"),
        ({"difficulty": 1, "price_usd": 0, "subsidy_btc": 1}, "price_usd"),
        ({"difficulty": 1, "price_usd": np.inf, "subsidy_btc": 1}, "price_usd"),
        ({"difficulty": 1, "price_usd": 1, "subsidy_btc": -1}, "subsidy_btc"),
        ({"difficulty": 1, "price_usd": 1, "subsidy_btc": 1, "fees_btc_per_block": -0.1}, "fees_btc_per_block"),
    ],
)
def test_hashprice_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        hashprice.usd_per_th_day(**kwargs)


# ---------------------------------------------------------------- cost rate and unit economics


@pytest.mark.parametrize(
    ("efficiency", "expected"),
    [(12.3, 0.52), (23.6, 1.00), (25.7, 1.09), (38.3, 1.62)],  # F2Pool via the press, Feb 2026
)
def test_seed_cost_rates(efficiency, expected):
    assert mc.cost_rate(efficiency, 0.06, 0.034) == pytest.approx(expected, abs=0.006)


def test_mining_revenue_per_mw_year_at_34_per_ph_day():
    """Arithmetic: at $34/PH/day, 12 J/TH earns about $1.03M per MW-year, 20 J/TH $0.62M, 25 J/TH $0.50M."""
    for eff, musd in ((12, 1.03), (20, 0.62), (25, 0.50)):
        ths_per_mw = 1e6 / eff
        per_year = mc.revenue_usd_per_day(ths_per_mw, 0.034) * 365
        assert per_year / 1e6 == pytest.approx(musd, abs=0.01)


def test_breakeven_power_price_gives_cost_rate_one():
    e = np.array([12.0, 20.0, 30.0])
    bp = mc.breakeven_power_price(e, 0.034, pue=1.1, pool_fee_rate=0.02, hosting_fee_usd_per_kwh=0.005)
    np.testing.assert_allclose(mc.cost_rate(e, bp, 0.034, pue=1.1, pool_fee_rate=0.02,
                                            hosting_fee_usd_per_kwh=0.005), 1.0)
    bh = mc.breakeven_hashprice(e, 0.06, pue=1.1, pool_fee_rate=0.02)
    np.testing.assert_allclose(mc.cost_rate(e, 0.06, bh, pue=1.1, pool_fee_rate=0.02), 1.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=5, max_value=200), st.floats(min_value=0.001, max_value=0.5),
       st.floats(min_value=1e-4, max_value=1), st.floats(min_value=1.1, max_value=5))
def test_cost_rate_proportional_to_efficiency_and_power_price(e, c, hp, k):
    base = mc.cost_rate(e, c, hp)
    assert base >= 0
    assert mc.cost_rate(k * e, c, hp) == pytest.approx(k * base, rel=1e-9)
    assert mc.cost_rate(e, k * c, hp) == pytest.approx(k * base, rel=1e-9)
    assert mc.breakeven_power_price(e, hp) == pytest.approx(c / base, rel=1e-9)


def test_shutdown_price_makes_margin_zero():
    rate = mc.cost_rate(20.0, 0.06, 0.034)
    shut = mc.shutdown_price_usd(76_176, rate)
    hp_at_shut = 0.034 * shut / 76_176
    assert mc.cost_rate(20.0, 0.06, hp_at_shut) == pytest.approx(1.0)


def test_payback_constant_margin_and_never():
    # $3,000 machine earning $10/day net: 300 days = 9.856 months of 30.4375 days.
    assert mc.payback_months(3000, 10, 20) == pytest.approx(300 / 30.4375, rel=1e-9)
    assert mc.payback_months(0, 10, 20) == 0
    # margin negative from the start, or decaying away before the machine pays back: never
    assert mc.payback_months(3000, -1, 20) == np.inf
    assert mc.payback_months(3000, 2, 20, difficulty_growth_rate_per_month=0.05) == np.inf
    # difficulty growth lengthens payback
    assert mc.payback_months(3000, 10, 20, difficulty_growth_rate_per_month=0.02) > 300 / 30.4375
    out = mc.payback_months(np.array([3000, 6000]), 10, 20)
    assert out.shape == (2,) and out[1] == pytest.approx(2 * out[0])


@pytest.mark.parametrize(
    ("fn", "args", "name"),
    [
        (mc.cost_rate, (0, 0.06, 0.034), "efficiency_j_per_th"),
        (mc.cost_rate, (20, -0.01, 0.034), "power_price_usd_per_kwh"),
        (mc.cost_rate, (20, 0.06, 0), "hashprice_usd_per_th_day"),
        (mc.cost_rate, (20, np.nan, 0.034), "power_price_usd_per_kwh"),
        (mc.power_cost_usd_per_day, (-5, 0.06), "power_w"),
        (mc.revenue_usd_per_day, (100, 0.03), None),
        (mc.payback_months, (-1, 1, 1), "capex_usd"),
    ],
)
def test_unit_economics_bad_input(fn, args, name):
    if name is None:
        assert fn(*args) == pytest.approx(3.0)
        return
    with pytest.raises(ValueError, match=name):
        fn(*args)


def test_pue_and_pool_fee_bounds():
    with pytest.raises(ValueError, match="pue"):
        mc.cost_rate(20, 0.06, 0.034, pue=0.9)
    with pytest.raises(ValueError, match="pool_fee_rate"):
        mc.cost_rate(20, 0.06, 0.034, pool_fee_rate=1.0)
    with pytest.raises(ValueError, match="uptime"):
        mc.revenue_usd_per_day(100, 0.03, uptime=1.5)


# ---------------------------------------------------------------- catalog


def test_catalog_merges_both_lists_with_sources():
    cat = catalog()
    assert len(cat) >= 140
    assert len(set(cat.model)) == len(cat)  # unique names
    assert {"air", "hydro", "immersion"} >= set(cat.cooling)
    assert all(s for s in cat.source)
    s21 = cat.index("antminer s21")  # case-insensitive
    assert cat.efficiency_j_per_th[s21] == pytest.approx(3550 / 200)
    s23 = cat.index("Antminer S23")
    assert cat.generation[s23] == "latest" and cat.release[s23] == "2025-Q1"
    np.testing.assert_allclose(cat.efficiency_j_per_th, cat.power_w / cat.hashrate_ths)


def test_generation_tiers():
    out = mc.generation([12.0, 18.99, 19.0, 24.99, 25.0, 38.0, 38.01, 100])
    assert list(out) == ["latest", "latest", "mid", "mid", "old", "old", "obsolete", "obsolete"]
    cat = catalog()
    np.testing.assert_array_equal(cat.generation, mc.generation(cat.efficiency_j_per_th))


def test_unknown_model_suggests_close_names():
    with pytest.raises(ValueError, match="Antminer S21"):
        catalog().index("Antminer S12")


def test_user_models_add_and_override(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("manufacturer,model,hashrate_ths,power_w,release,cooling\n"
                 "Bitmain,Antminer S21,210,3500,2024-02,air\n"
                 "Acme,Hashbox 1,500,4000,2026-Q2,immersion\n")
    cat = catalog(f)
    assert len(cat) == len(catalog()) + 1
    assert cat.hashrate_ths[cat.index("Antminer S21")] == 210
    k = cat.index("Hashbox 1")
    assert cat.generation[k] == "latest" and str(cat.release_date[k]) == "2026-04-01"


@pytest.mark.parametrize(
    "content",
    [
        "manufacturer,model,hashrate_ths\nA,B,1\n",
        "manufacturer,model,hashrate_ths,power_w,colour\nA,B,1,1,red\n",
        "manufacturer,model,hashrate_ths,power_w\nA,B,-1,100\n",
        "manufacturer,model,hashrate_ths,power_w\nA,B,abc,100\n",
        "manufacturer,model,hashrate_ths,power_w,cooling\nA,B,1,100,oil\n",
        "manufacturer,model,hashrate_ths,power_w,release\nA,B,1,100,someday\n",
    ],
)
def test_bad_user_catalog(tmp_path, content):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    with pytest.raises(ValueError):
        catalog(f)
