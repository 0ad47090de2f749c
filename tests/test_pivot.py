"""The AI pivot: lease data, cash flows, NPV/IRR, the value of waiting, energy competition, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from hashpower.models import pivot as pv
from hashpower.store import catalog, files


def test_lease_table_per_mw_year_matches_the_deals():
    """Company announcements: Hut 8 ~$1.90M, TeraWulf ~$1.85M, Core Scientific ~$1.45M, Cipher ~$1.22M per MW-year."""
    rows = {r["miner"]: r for r in catalog.lease_table()}
    for miner, expected in (("Hut 8", 1.90), ("TeraWulf", 1.85), ("Core Scientific", 1.45), ("Cipher Mining", 1.22)):
        r = rows[miner]
        implied = r["contract_usd"] / (r["it_mw"] * r["term_years"]) / 1e6
        assert implied == pytest.approx(expected, abs=0.01)
        assert r["usd_per_mw_year"] / 1e6 == pytest.approx(implied, abs=0.005)
        assert r["source"]
    assert rows["Hut 8"]["escalator_rate"] == 0.03
    assert pv.Site().lease_rate == pytest.approx(np.median([r["usd_per_mw_year"] for r in rows.values()]))


def test_mining_revenue_per_mw_year_matches_product_figures():
    # arithmetic: at $34/PH/day, 12 J/TH earns ~$1.03M per MW-year -> $118/MWh
    assert pv.energy_value_usd_per_mwh(0.034, 12) * 8766 / 1e6 == pytest.approx(1.03, abs=0.02)
    assert pv.ai_value_usd_per_mwh(1.905e6, 0.7) == pytest.approx(1.905e6 * 0.7 / 8766)


def test_cash_flows_by_hand():
    s = pv.Site(grid_mw=10, power_price_usd_per_kwh=0.05, efficiency_j_per_th=20, pue=1.0, pool_fee_rate=0.0,
                uptime=1.0, it_to_grid_ratio=0.5, capex_usd_per_mw_it=1e6, lead_time_months=2,
                lease_usd_per_mw_year=1.2e6, escalator_rate=0.0, term_years=1, operating_margin_rate=1.0,
                discount_rate=0.0)
    assert s.months == 14 and s.hashrate_ths == pytest.approx(5e5)
    hp = np.full(s.months, 0.05)
    mine = pv.cash_flows(s, hp, None)
    per_month = 5e5 * 0.05 * pv.DAYS_PER_MONTH - 10_000 * pv.HOURS_PER_MONTH * 0.05
    np.testing.assert_allclose(mine, per_month)
    conv = pv.cash_flows(s, hp, 1)
    assert conv[0] == pytest.approx(per_month)
    assert conv[1] == pytest.approx(-5e6) and conv[2] == 0
    np.testing.assert_allclose(conv[3:], 5 * 1.2e6 / 12)  # 5 MW of IT at $1.2M per MW-year
    assert pv.npv(conv, 0.0) == pytest.approx(conv.sum())


def test_npv_irr_payback():
    cf = np.zeros(12)
    cf[0], cf[11] = -100.0, 110.0
    r = pv.irr(cf)
    # NPV(r) = 0: 100 (1+r)^(-1/12) = 110 (1+r)^(-1) -> (1+r)^(11/12) = 1.1
    assert r == pytest.approx(1.1 ** (12 / 11) - 1, abs=1e-8)
    assert pv.irr(np.ones(5)) is None
    assert pv.payback_months(cf) == 11.0 and pv.payback_months(-np.ones(3)) is None
    with pytest.raises(ValueError, match="discount_rate"):
        pv.npv(cf, -1.0)


def _small_site(**kw):
    base = dict(grid_mw=50, lead_time_months=12, term_years=10, discount_rate=0.1)
    return pv.Site(**{**base, **kw})


def test_flat_hashprice_option_equals_best_conversion_month():
    """With one known path, LSMC's rule is the best month to convert, found by enumeration."""
    s = _small_site()
    for hp0 in (0.02, 0.035, 0.06):
        paths = np.full((4, s.months), hp0)
        best = max([float(pv.npv(pv.cash_flows(s, paths[0], None), s.discount_rate))]
                   + [float(pv.npv(pv.cash_flows(s, paths[0], k), s.discount_rate)) for k in range(s.months)])
        r = pv.switch_option(s, paths, hp0)
        assert r["flexible_npv_usd"] == pytest.approx(best, rel=1e-9)


def test_flexible_value_beats_each_static_choice():
    """Seeded GBM paths: mining with the option is worth at least mining on and converting now (within 3 SE)."""
    s = _small_site()
    rng = np.random.default_rng(42)
    paths = pv.hashprice_paths(0.035, -0.29, 0.5, s.months, 20_000, rng)
    r = pv.switch_option(s, paths, 0.035)
    se = r["flexible_npv_se_usd"] + r["mining_npv_se_usd"]
    assert r["flexible_npv_usd"] >= r["mining_npv_usd"] - 3 * se
    assert r["flexible_npv_usd"] >= r["convert_now_npv_usd"] - 3 * r["flexible_npv_se_usd"]
    b = np.asarray(r["boundary_usd_per_ph_day"])
    assert np.nanmax(b) < 100  # converts only at low hashprice


def test_lower_lease_rate_delays_conversion():
    s = _small_site()
    paths = pv.hashprice_paths(0.035, -0.29, 0.5, s.months, 4000, np.random.default_rng(3))
    high = pv.switch_option(s.with_(lease_usd_per_mw_year=1.9e6), paths, 0.035)
    low = pv.switch_option(s.with_(lease_usd_per_mw_year=1.2e6), paths, 0.035)
    assert high["convert_share"] >= low["convert_share"]
    assert high["flexible_npv_usd"] > low["flexible_npv_usd"]


def test_network_diversion():
    v = pv.network_diversion(1000, 20, 0.10, [20.0, 30.0], [0.5, 0.5])
    # 2 GW at 25 J/TH = 80 EH/s = 8% of the network; those who stay earn 1/0.92 - 1 = 8.7% more per TH
    assert v["converting_gw"] == pytest.approx(2.0)
    assert v["diverted_ehs"] == pytest.approx(80.0)
    assert v["hashprice_change_after_retarget"] == pytest.approx(1 / 0.92 - 1)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"grid_mw": -1}, "grid_mw"), ({"grid_mw": 0}, "grid_mw"), ({"power_price_usd_per_kwh": -0.01}, "power_price"),
     ({"capex_usd_per_mw_it": -5}, "capex"), ({"lead_time_months": -1}, "lead_time"),
     ({"discount_rate": -1}, "discount"),
     ({"term_years": 0}, "term_years"), ({"lease_usd_per_mw_year": -1.0}, "lease"), ({"pue": 0.9}, "pue"),
     ({"lead_time_months": 1.5}, "lead_time")],
)
def test_site_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        pv.Site(**kwargs)


def test_site_file_unknown_keys(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("grid_mw = 10\nvoltage = 240\n")
    with pytest.raises(ValueError, match="unknown keys"):
        files.load_site(f)


def test_pivot_cli_contract(home):
    r = run_cli("pivot", "examples/site.toml", "--paths", "2000", "--seed", "1", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"mining_npv_usd", "ai_npv_usd", "option_value_usd", "recommendation", "reason"} <= set(out)
    assert out["option_value_usd"] >= 0 and len(out["alternatives"]) == 5
    again = json.loads(run_cli("pivot", "examples/site.toml", "--paths", "2000", "--seed", "1", "--json",
                               home=home).stdout)
    assert again["flexible_npv_usd"] == out["flexible_npv_usd"]  # seeded
    e = out["energy_competition"]
    assert e["mining_usd_per_mwh"]["latest"] > e["mining_usd_per_mwh"]["obsolete"]
    r = run_cli("pivot", "--mw", "20", "--path", "flat", home=home)
    assert r.returncode == 0 and "recommendation" not in r.stdout and "NPV" in r.stdout


@pytest.mark.parametrize(
    "args",
    [("--mw", "-5"), ("--power-price", "-0.1"), ("--capex-per-mw", "-1"), ("--lead-months", "-3"),
     ("--discount-rate", "-1"), ("--term-years", "0"), ("--paths", "1"), ("--paths", "10000000"),
     ("--hashprice", "0"), ("/nonexistent/site.toml",)],
)
def test_pivot_bad_input(home, args):
    r = run_cli("pivot", *args, home=home)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_pivot_cli_unknown_site_key(home, tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("grid_mw = 10\ncolour = 'red'\n")
    r = run_cli("pivot", str(f), home=home)
    assert r.returncode == 2 and "unknown keys" in r.stderr


def test_pivot_help_gives_the_site_defaults():
    """The defaults written in ``pivot --help`` are those of ``models.pivot.Site`` (the help cannot import it)."""
    from click.testing import CliRunner

    from hashpower.cli import cli
    from hashpower.models.pivot import REFERENCE_LEASE_USD_PER_MW_YEAR, Site

    text = " ".join(CliRunner().invoke(cli, ["pivot", "--help"], terminal_width=400).output.split())
    s = Site()
    for flag, value in (("--mw", f"{s.grid_mw:g}"), ("--power-price", f"{s.power_price_usd_per_kwh:g}"),
                        ("--efficiency", f"{s.efficiency_j_per_th:g}"),
                        ("--lease-rate", f"{REFERENCE_LEASE_USD_PER_MW_YEAR:,.0f}"),
                        ("--capex-per-mw", f"{s.capex_usd_per_mw_it:,.0f}"),
                        ("--lead-months", f"{s.lead_time_months}"), ("--term-years", f"{s.term_years:g}"),
                        ("--escalator", f"{s.escalator_rate:.2f}"), ("--it-ratio", f"{s.it_to_grid_ratio:.2f}"),
                        ("--discount-rate", f"{s.discount_rate:.2f}")):
        i = text.index(flag)
        assert f"(default: {value}" in text[i:i + 200], (flag, value, text[i:i + 200])


def test_pivot_text_gives_the_standard_error_and_warns_on_few_paths(home):
    from conftest import run_cli

    r = run_cli("pivot", "--paths", "3", home=home)
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "3 hashprice paths" in out and "standard error of the flexible NPV" in out
    assert "too few for a verdict" in out
    r = run_cli("pivot", "--paths", "200", home=home)
    assert "too few" not in r.stdout and "200 hashprice paths" in " ".join(r.stdout.split())
