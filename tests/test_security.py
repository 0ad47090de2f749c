"""Security: double-spend odds, attack costs, Budish, concentration, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from hashpower.figures import series
from hashpower.figures.security import decline_change
from hashpower.models import security as sec
from hashpower.store.catalog import template_groups

# ---------------------------------------------------------------- double spending


@pytest.mark.parametrize(
    ("q", "z", "p"),
    [  # Nakamoto (2008), section 11, the table's values
        (0.1, 0, 1.0), (0.1, 1, 0.2045873), (0.1, 2, 0.0509779), (0.1, 5, 0.0009137), (0.1, 10, 0.0000012),
        (0.3, 0, 1.0), (0.3, 5, 0.1773523), (0.3, 10, 0.0416605), (0.3, 20, 0.0024804), (0.3, 50, 0.0000006),
    ],
)
def test_nakamoto_whitepaper_table(q, z, p):
    assert sec.double_spend_probability(q, z, "nakamoto") == pytest.approx(p, abs=5e-8)


def test_rosenfeld_closed_forms_and_paper_values():
    # one confirmation: P = 2q exactly (Rosenfeld 2014, from eq. 1 with n = 1)
    for q in (0.05, 0.1, 0.3):
        assert sec.double_spend_probability(q, 1) == pytest.approx(2 * q)
    # Rosenfeld (2014): q = 10%, 6 confirmations -> 0.059 %; 5 by Nakamoto are not enough for 0.1 %
    assert sec.double_spend_probability(0.1, 6) == pytest.approx(0.000591, abs=1e-6)
    assert sec.double_spend_probability(0.1, 5) > 0.001 > sec.double_spend_probability(0.1, 5, "nakamoto")
    assert sec.double_spend_probability(0.5, 100) == 1.0
    assert sec.double_spend_probability(0.0, 3) == 0.0


def test_rosenfeld_matches_a_seeded_simulation_of_the_race():
    """The attacker's blocks while the merchant waits are negative binomial; it then catches up from a deficit
    k with probability (q/p)^k. 400,000 races: SE <= 0.0008, tolerance 4 SE."""
    rng = np.random.default_rng(11)
    for q, z in ((0.1, 2), (0.3, 5), (0.25, 3)):
        p = 1 - q
        m = rng.negative_binomial(z, p, size=400_000)
        deficit = z - m
        sim = np.where(deficit <= 0, 1.0, (q / p) ** np.maximum(deficit, 0)).mean()
        se = np.sqrt(sim * (1 - sim) / 400_000)
        assert sec.double_spend_probability(q, z) == pytest.approx(sim, abs=4 * se + 1e-4)


def test_double_spend_is_monotone_and_broadcasts():
    out = sec.double_spend_probability(np.array([[0.1], [0.2], [0.3]]), np.arange(8))
    assert out.shape == (3, 8)
    assert (np.diff(out, axis=1) <= 1e-15).all() and (np.diff(out, axis=0) >= 0).all()


@pytest.mark.parametrize(("q", "z"), [(1.0, 5), (-0.1, 5), (np.nan, 5), (0.1, -1), (0.1, 2.5)])
def test_double_spend_bad_input(q, z):
    with pytest.raises(ValueError, match="q|z"):
        sec.double_spend_probability(q, z)


# ---------------------------------------------------------------- attack costs


def test_rental_cost_units_and_rewards():
    # 1,000 EH/s = 1e9 TH/s at $0.035/TH/day: rewards $1.458M/hour; a 10% premium costs $145.8k/hour net
    r = sec.rental_attack_cost_usd_per_hour(1e9, 0.035, 0.10)
    assert r["rewards"] == pytest.approx(1e9 * 0.035 / 24)
    assert r["gross"] == pytest.approx(1.1 * r["rewards"]) and r["net"] == pytest.approx(0.1 * r["rewards"])
    with pytest.raises(ValueError, match="rental_premium_rate"):
        sec.rental_attack_cost_usd_per_hour(1e9, 0.035, -0.1)
    with pytest.raises(ValueError, match="hashprice"):
        sec.rental_attack_cost_usd_per_hour(1e9, -1, 0.1)


def test_hardware_cost():
    h = sec.hardware_attack_cost_usd(1e9, 16.0, 15.0, facility_capex_usd_per_mw=400_000, power_price_usd_per_kwh=0.05,
                                     pue=1.1)
    assert h["power_mw"] == pytest.approx(1e9 * 15 * 1.1 / 1e6)  # 16.5 GW
    assert h["machines_usd"] == pytest.approx(16e9)
    assert h["hardware_usd"] == pytest.approx(16e9 + 16_500 * 400_000)
    assert h["energy_usd_per_hour"] == pytest.approx(16_500 * 1000 * 0.05)


def test_budish_breakeven():
    # $33M a day to miners is $1.375M an hour; a 6-hour attack with equal hashrate pays above $8.25M at stake
    assert sec.budish_breakeven_value_usd(33e6 / 24, 6) == pytest.approx(8.25e6)
    assert sec.budish_breakeven_value_usd(1e6, 1, 2.0) == pytest.approx(2e6)
    with pytest.raises(ValueError, match="duration_hours"):
        sec.budish_breakeven_value_usd(1e6, -1)


def test_budget_projection_halves_at_each_halving():
    p = sec.security_budget_projection(940_000, 0.0, 70_000, years=8)
    s = p["subsidy_btc_per_block"]
    # halvings at 1,050,000 (year 2) and 1,260,000 (year 6) at 52,596 blocks a year
    assert s[0] == 3.125 and s[4] == pytest.approx(1.5625) and s[8] == pytest.approx(0.78125)
    assert 1.5625 < s[2] < 3.125
    assert p["budget_usd_per_day"][0] == pytest.approx(3.125 * 144 * 70_000)
    g = sec.security_budget_projection(940_000, 0.02, 70_000, years=12, fee_growth_rate=0.2)
    assert (np.diff(g["fee_share"]) > 0).all()


# ---------------------------------------------------------------- concentration


def test_hhi_and_nakamoto_coefficient():
    assert sec.hhi([0.5, 0.5]) == 5000
    assert sec.hhi([1.0]) == 10_000
    assert sec.nakamoto_coefficient([0.3, 0.25, 0.2, 0.15, 0.1]) == 2
    assert sec.nakamoto_coefficient([0.5, 0.5]) == 2  # over 50%, not at it
    assert sec.nakamoto_coefficient([0.2] * 2) == 0


def test_wilson_interval_known_value():
    # Wilson (1927): 8 of 10 at 95% -> (0.4902, 0.9433)
    lo, hi = sec.wilson_interval(8, 10, 0.95)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)


def test_concentration_windows_match_pandas_groupby(home):
    """The vectorised windows equal a per-window groupby over the real blocks."""
    import hashpower

    s = series.concentration_series(7)
    b = hashpower.blocks()
    b["day"] = b["timestamp"].dt.tz_localize(None).dt.normalize()
    for day in ("2021-07-15", "2024-04-20", "2026-02-11"):
        end = pd.Timestamp(day)
        w = b[(b["day"] > end - pd.Timedelta(days=7)) & (b["day"] <= end)]
        shares = w["pool"].value_counts() / len(w)
        i = int(np.searchsorted(s["dates"], np.datetime64(day)))
        mine = dict(zip(s["labels"], s["shares"][i], strict=True))
        for pool, share in shares.items():
            if pool != "unknown":
                assert mine[pool] == pytest.approx(share)
        expect_hhi = ((100 * shares.drop("unknown", errors="ignore")) ** 2).sum()
        assert s["hhi"][i] == pytest.approx(expect_hhi)


def test_template_merge_raises_concentration(home):
    a = series.concentration_on(pd.Timestamp("2026-02-11").date(), 30)
    b = series.concentration_on(pd.Timestamp("2026-02-11").date(), 30, merge_templates=True)
    assert b["hhi"] > a["hhi"] and b["nakamoto_coefficient"] <= a["nakamoto_coefficient"]
    assert any(p["pool"] == "AntPool & friends" for p in b["pools"])
    assert "b10c" in template_groups()["source"]


def test_decline_lowers_attack_costs(home):
    """The seed's point: from November 2025 to February 2026 falling hashrate cut the cost of attacks."""
    d = decline_change()
    assert d["hashrate_change"] < -0.05
    assert d["attack_cost_change"]["hardware_usd"] == pytest.approx(d["hashrate_change"], abs=1e-9)
    assert d["attack_cost_change"]["rent_usd_per_hour"] < 0


def test_security_cli_contract(home):
    r = run_cli("security", "--date", "2026-02-11", "--window-days", "30", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"security_budget_usd_per_day", "fee_share", "attack_cost", "hhi", "nakamoto_coefficient"} <= set(out)
    assert {"rent_usd_per_hour", "hardware_usd", "energy_usd_per_hour"} <= set(out["attack_cost"])
    assert 0 < out["fee_share"] < 0.1 and 500 < out["hhi"] < 5000 and out["nakamoto_coefficient"] >= 2
    assert out["double_spend"][0]["nakamoto"] == pytest.approx(0.0002428, abs=1e-6)
    r = run_cli("security", home=home)
    assert r.returncode == 0 and "HHI" in r.stdout and "Rosenfeld" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--q", "1.0"), ("--q", "-0.2"), ("--q", "nan"), ("--z", "-1"),
        ("--window-days", "0"), ("--window-days", "5000"), ("--date", "2010-01-01"), ("--date", "2099-01-01"),
        ("--rental-premium", "-0.1"), ("--power-price", "-1"), ("--attack-hours", "-2"),
    ],
)
def test_security_bad_input(home, args):
    r = run_cli("security", *args, home=home)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
