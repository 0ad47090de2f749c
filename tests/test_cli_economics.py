"""`hashpower hashprice` and `hashpower machines`: the contract's keys, the seed figures, bad input."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

HASHPRICE_KEYS = {"date", "price_usd", "difficulty", "hashrate_ehs", "subsidy_btc", "fees_btc_per_block",
                  "usd_per_th_day", "usd_per_ph_day", "btc_per_ph_day"}
MACHINE_KEYS = {"model", "manufacturer", "generation", "hashrate_ths", "power_w", "efficiency_j_per_th", "cost_rate",
                "margin_usd_per_day", "breakeven_power_price_usd_per_kwh", "shutdown_price_usd"}


def test_hashprice_seed_figure(home):
    """F2Pool via the press (Feb 2026): difficulty in force on 2026-02-01 (141.67 T), $76,176 -> $0.034/TH/day.

    Within 3 %.
    """
    r = run_cli("hashprice", "--date", "2026-02-01", "--price", "76176", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert HASHPRICE_KEYS <= set(out)
    assert out["difficulty"] / 1e12 == pytest.approx(141.67, abs=0.01)
    assert out["usd_per_th_day"] == pytest.approx(0.034, rel=0.03)
    assert out["usd_per_ph_day"] == pytest.approx(34, rel=0.03)
    assert out["fees_btc_per_block"] > 0 and out["subsidy_btc"] == 3.125


def test_hashprice_from_hashrate(home):
    r = run_cli("hashprice", "--date", "2026-02-01", "--price", "76176", "--hashrate", "890EH/s",
                "--fees-btc-per-block", "0", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["method"] == "hashrate" and out["hashrate_ehs"] == pytest.approx(890)
    # 144 x 3.125 BTC / 890e6 TH/s x $76,176 = $0.0385 per TH/s per day
    assert out["usd_per_th_day"] == pytest.approx(144 * 3.125 / 890e6 * 76176, rel=1e-9)
    r2 = run_cli("hashprice", "--hashrate", "890 EH/s", "--json", home=home)
    assert json.loads(r2.stdout)["hashrate_ehs"] == pytest.approx(890)


def test_hashprice_terminal_table(home):
    r = run_cli("hashprice", home=home)
    assert r.returncode == 0 and "per PH/s per day" in r.stdout


def test_machines_seed_cost_rates(home):
    """F2Pool via the press (Feb 2026): at $0.06/kWh and $34/PH/day the newest run at ~52%, mid ~100%, old 109-162%."""
    r = run_cli("machines", "--date", "2026-02-01", "--power-price", "0.06", "--hashprice", "34", "--json",
                home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["hashprice_usd_per_ph_day"] == pytest.approx(34) and out["power_price_usd_per_kwh"] == 0.06
    ms = out["machines"]
    assert ms and all(MACHINE_KEYS <= set(m) for m in ms)
    for m in ms:
        assert m["cost_rate"] == pytest.approx(m["efficiency_j_per_th"] * 24 * 0.06 / 1000 / 0.034)
    assert all(m["release"] <= "2026-02" for m in ms)  # released by the date
    by_gen = out["generations"]
    assert by_gen["latest"]["min_cost_rate"] < 0.55
    assert 0.8 < by_gen["mid"]["median_cost_rate"] < 1.06
    assert 1.05 <= by_gen["old"]["min_cost_rate"] and by_gen["old"]["max_cost_rate"] <= 1.63


def test_machines_payback_and_filters(home):
    r = run_cli("machines", "--generation", "latest", "--capex-per-th", "15", "--difficulty-growth", "0.02",
                "--json", home=home)
    assert r.returncode == 0, r.stderr
    ms = json.loads(r.stdout)["machines"]
    assert ms and all(m["generation"] == "latest" for m in ms)
    assert all(m["payback_months"] == "never" or m["payback_months"] > 0 for m in ms)
    r = run_cli("machines", "--power-price", "0.2", "--capex-per-th", "15", "--json", home=home)
    assert all(m["payback_months"] == "never" for m in json.loads(r.stdout)["machines"])


def test_machines_table_grouped_by_generation(home):
    r = run_cli("machines", "--date", "2026-02-01", home=home)
    assert r.returncode == 0, r.stderr
    for gen in ("latest", "mid", "old", "obsolete"):
        assert gen in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("hashprice", "--price", "-5"),
        ("hashprice", "--price", "0"),
        ("hashprice", "--price", "nan"),
        ("hashprice", "--price", "abc"),
        ("hashprice", "--difficulty", "0"),
        ("hashprice", "--difficulty", "inf"),
        ("hashprice", "--hashrate", "890 parsecs"),
        ("hashprice", "--hashrate", "-890 EH/s"),
        ("hashprice", "--hashrate", ""),
        ("hashprice", "--fees-btc-per-block", "-1"),
        ("hashprice", "--date", "2030-01-01"),
        ("machines", "--power-price", "-0.01"),
        ("machines", "--power-price", "nan"),
        ("machines", "--hashprice", "0"),
        ("machines", "--pue", "0.5"),
        ("machines", "--pool-fee", "1.5"),
        ("machines", "--uptime", "2"),
        ("machines", "--capex-per-th", "-1"),
        ("machines", "--difficulty-growth", "-1"),
        ("machines", "--catalog", "/nonexistent.csv"),
        ("machines", "--date", "1990-01-01"),
    ],
)
def test_bad_input_exits_2(home, args):
    r = run_cli(*args, home=home)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("hashpower: error: ") and "Traceback" not in r.stderr
