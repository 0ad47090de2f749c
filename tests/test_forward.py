"""The fleet's P&L ahead: per path, month, site and model; switch-off month, payback, IRR, hedges, fair strikes.

Most checks run on small hand-made hashprice paths (the outlook's engine run replaced by a fixed array) against
plain loops; a few run the real outlook to check the wiring, the JSON contract and the reproducibility.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import statistics
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import run_cli

from hashpower import cli
from hashpower.figures import fleet as ff
from hashpower.figures import outlook as fo
from hashpower.models import fleet as fl
from hashpower.models import forward as fw
from hashpower.sim import engine
from hashpower.store.catalog import catalog
from hashpower.store.files import load_fleet

EXAMPLE = Path(__file__).parents[1] / "examples" / "fleet.toml"
MONTHS = ["2026-11", "2026-12", "2027-01", "2027-02"]
DAYS = [30, 31, 31, 28]
#: Hashprice paths [USD/(PH/s)/day], 5 paths x 4 months, falling: the median is 40, 30, 25, 20.
PATHS = np.array([[40.0, 30, 25, 20], [50, 35, 30, 25], [30, 25, 20, 15], [45, 32, 26, 19], [35, 28, 22, 21]])
# The Antminer S21 of the catalog: 200 TH/s, 3,550 W (asicminervalue.com, data/machines.csv); at $0.06/kWh it costs
# 3.55 kW x 24 h x 0.06 = $5.112 a day and earns 0.2 x hashprice [USD/PH/day]: breakeven 25.56 USD/PH/day.
S21_COST_DAY = 3.55 * 24 * 0.06
SITE = """
[[site]]
name = "a"
power_price_usd_per_kwh = 0.06
curtail = false

[[site.machines]]
model = "Antminer S21"
count = 10
capex_usd = 150.0

[[site.machines]]
model = "Antminer S19j Pro 100T"
count = 4
"""


@pytest.fixture(scope="module")
def store_home(built_store):
    """The session's embedded store as ``$HASHPOWER_HOME`` (the fleet commands only read it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(built_store.parent))
        mp.setenv("HASHPOWER_NO_CACHE", "1")
        yield built_store.parent


def _parse(toml: str) -> fl.Fleet:
    import tomllib

    return fl.parse(tomllib.loads(toml), catalog(None))


def _fake(monkeypatch, hp: np.ndarray, months=MONTHS, days=DAYS) -> None:
    """Replace the outlook's engine run by the given paths (paths, months) [USD/(PH/s)/day]."""
    cols = engine.OUTPUTS
    out = np.zeros((hp.shape[0], hp.shape[1], len(cols)))
    out[:, :, cols.index("hashprice_usd_per_ph_day")] = hp
    res = {"start": "2026-10-31", "months": list(months), "end_dates": [f"{m}-28" for m in months],
           "days": np.array(days), "outputs": out, "columns": cols, "paths": hp.shape[0], "seed": 0,
           "preset": "baseline", "backtest": {"source": None, "data_last_day": None, "origins": 0},
           "backtest_coverage": [None] * len(months), "calibration": {}}
    monkeypatch.setattr(fo, "month_paths", lambda *a, **k: res)


def _forward(monkeypatch, toml: str, hp: np.ndarray = PATHS, **kw) -> dict:
    _fake(monkeypatch, hp)
    return ff.fleet_figures(_parse(toml), forward_months=hp.shape[1], **kw)["forward"]


def _margin_s21(hp: float, days: int, units: int = 10) -> float:
    return units * (0.2 * hp - S21_COST_DAY) * days


# --------------------------------------------------------------------------- the P&L, by a plain loop


def test_pnl_and_prob_loss_against_a_plain_loop(store_home, monkeypatch):
    f = _forward(monkeypatch, SITE)
    for m, row in enumerate(f["months"]):
        s21 = row["sites"][0]["models"][0]
        assert s21["model"] == "Antminer S21" and s21["units"] == 10
        margins = sorted(_margin_s21(PATHS[p, m], DAYS[m]) for p in range(5))
        assert s21["margin_usd"]["p50"] == pytest.approx(margins[2])  # 5 paths: the median is the third
        assert s21["revenue_usd"]["p50"] == pytest.approx(10 * 0.2 * statistics.median(PATHS[:, m]) * DAYS[m])
        assert s21["power_cost_usd"]["p5"] == pytest.approx(10 * S21_COST_DAY * DAYS[m])  # no curtailment
        assert s21["prob_loss"] == pytest.approx(sum(x < 0 for x in margins) / 5)
        # the S19j Pro 100T (100 TH/s, 3,050 W) breaks even at 43.92 USD/PH/day
        s19 = row["sites"][0]["models"][1]
        assert s19["prob_loss"] == pytest.approx(sum(PATHS[p, m] < 3.05 * 24 * 0.06 / 0.1 for p in range(5)) / 5)
        fleet = [_margin_s21(PATHS[p, m], DAYS[m]) + 4 * (0.1 * PATHS[p, m] - 3.05 * 24 * 0.06) * DAYS[m]
                 for p in range(5)]
        assert row["fleet"]["prob_loss"] == pytest.approx(sum(x < 0 for x in fleet) / 5)
        assert row["sites"][0]["margin_usd"]["p50"] == pytest.approx(sorted(fleet)[2])
    assert [r["prob_loss"] for r in (f["months"][m]["fleet"] for m in range(4))] == [0.0, 0.4, 0.8, 1.0]


def test_cost_rate_month_is_the_first_median_at_100_percent(store_home, monkeypatch):
    f = _forward(monkeypatch, SITE)
    rows = {m["model"]: m for m in f["models"]}
    # plain: the median over the paths of cost / revenue of a unit running every hour
    rates = [statistics.median(S21_COST_DAY / (0.2 * x) for x in PATHS[:, m]) for m in range(4)]
    assert [r > 1 for r in rates] == [False, False, True, True]  # 25 < 25.56 in the third month
    assert rows["Antminer S21"]["cost_rate_100_month"] == MONTHS[2]
    assert rows["Antminer S21"]["cost_rate_p50_first_month"] == pytest.approx(rates[0])
    assert rows["Antminer S19j Pro 100T"]["cost_rate_100_month"] == MONTHS[0]  # 40 < 43.92 already
    never = _forward(monkeypatch, SITE, PATHS + 100.0)
    assert all(m["cost_rate_100_month"] is None for m in never["models"])


def test_payback_against_a_plain_loop(store_home, monkeypatch):
    f = _forward(monkeypatch, SITE)
    s21 = next(m for m in f["models"] if m["model"] == "Antminer S21")
    assert s21["capex_usd"] == 1500.0 and s21["capex_units"] == 10
    months = []
    for p in range(5):
        cum, got = 0.0, math.inf
        for m in range(4):
            cum += (0.2 * PATHS[p, m] - S21_COST_DAY) * DAYS[m]
            if cum >= 150.0:
                got = m + 1
                break
        months.append(got)
    assert months == [math.inf, 2, math.inf, 2, math.inf]
    srt = sorted(months)  # quantiles as observed values (inverted CDF): p5 the 1st of 5, p50 the 3rd, p95 the 5th
    pb = s21["payback_months"]
    assert (pb["p5"], pb["p50"], pb["p95"]) == (srt[0], None, None)
    assert pb["prob_never"] == pytest.approx(0.6)
    assert next(m for m in f["models"] if m["model"] != "Antminer S21")["payback_months"] is None  # no price
    early = _forward(monkeypatch, SITE, PATHS + 30.0)  # pays back within the first month on every path
    assert next(m for m in early["models"] if m["model"] == "Antminer S21")["payback_months"]["p95"] == 1


def test_irr_sets_the_npv_to_zero():
    # 100 now, then 10 a month for a year: Excel's RATE(12, 10, -100) = 2.92285 % a month
    assert fw.irr_per_year(100.0, np.full(12, 10.0)) == pytest.approx((1 + 0.0292285) ** 12 - 1, rel=1e-5)
    rng = np.random.default_rng(3)
    margins = rng.uniform(0.0, 40.0, size=(200, 24))
    capex = rng.uniform(50.0, 900.0, size=200)
    irr = fw.irr_per_year(capex, margins)
    assert np.isfinite(irr).all()
    for c, m, r in zip(capex, margins, irr, strict=True):
        monthly = (1 + r) ** (1 / 12) - 1
        npv = -c + sum(x / (1 + monthly) ** (t + 1) for t, x in enumerate(m))  # a plain sum, not Horner
        assert abs(npv) < 1e-7 * c
    np.testing.assert_allclose(fw.npv((1 + irr) ** (1 / 12) - 1, capex, margins), 0.0, atol=1e-7 * capex.max())
    # flows that never change sign have no IRR
    assert np.isnan(fw.irr_per_year(np.array([100.0, 0.0]), np.array([np.zeros(12), np.full(12, 5.0)]))).all()


def test_irr_in_the_forward_view_counts_paths_without_one(store_home, monkeypatch):
    toml = SITE.replace("curtail = false", "curtail = true")
    hp = np.vstack([PATHS, np.full((1, 4), 20.0)])  # below breakeven every month: curtailed, nothing earned
    f = _forward(monkeypatch, toml, hp)
    s21 = next(m for m in f["models"] if m["model"] == "Antminer S21")
    per_unit = [[max(0.2 * hp[p, m] - S21_COST_DAY, 0.0) * DAYS[m] for m in range(4)] for p in range(6)]
    irr = fw.irr_per_year(150.0, np.array(per_unit))
    assert np.isnan(irr[-1]) and np.isfinite(irr[:-1]).all()
    assert s21["irr_per_year"]["paths_without_irr"] == 1
    assert s21["irr_per_year"]["p50"] == pytest.approx(np.percentile(irr[:-1], 50))


# --------------------------------------------------------------------------- the model against the past P&L


def test_a_month_at_a_constant_hashprice_equals_the_daily_pnl():
    f = load_fleet(EXAMPLE)  # a flat site and a 24-hour tariff, both curtailing
    hp = np.array([[30.0, 55.0], [12.0, 41.0]])
    pr, res = fw.fleet_pnl(f, hp, [30, 31], ["2026-11", "2026-12"])
    assert list(pr.units) == list(f.group_count)  # one group per model in the example
    for p in range(2):
        for m, days in enumerate((30, 31)):
            d = fl.daily_pnl(f, np.full(days, hp[p, m] / 1000.0))
            for key, daily in (("revenue_usd", d.group_revenue_usd), ("power_cost_usd", d.group_power_cost_usd),
                               ("hosting_cost_usd", d.group_hosting_cost_usd),
                               ("curtailed_unit_days", d.group_curtailed_unit_days)):
                np.testing.assert_allclose(res[key][p, m], daily, rtol=1e-12, atol=1e-9)


def test_group_totals_sum_to_the_site_totals():
    f = load_fleet(EXAMPLE)
    r = fl.daily_pnl(f, np.linspace(0.01, 0.08, 40), chunk_groups=1)
    for g, k in (("group_revenue_usd", "revenue_usd"), ("group_power_cost_usd", "power_cost_usd"),
                 ("group_hosting_cost_usd", "hosting_cost_usd"), ("group_curtailed_unit_days", "curtailed_unit_days")):
        per_site = np.bincount(f.group_site, weights=getattr(r, g), minlength=len(f.sites))
        np.testing.assert_allclose(per_site, getattr(r, k).sum(axis=0), rtol=1e-12)


def test_the_past_per_model_split_sums_to_the_site(store_home):
    out = ff.fleet_figures(EXAMPLE, "2026-01-01", "2026-03-31")
    assert "forward" not in out
    for s in out["sites"]:
        for key in ("revenue_usd", "power_cost_usd", "hosting_cost_usd", "profit_usd", "curtailed_unit_days"):
            assert sum(m[key] for m in s["models"]) == pytest.approx(s[key], rel=1e-12, abs=1e-9)
        for m in s["models"]:
            assert m["cost_rate"] == pytest.approx((m["power_cost_usd"] + m["hosting_cost_usd"]) / m["revenue_usd"])
    assert sum(m["units"] for s in out["sites"] for m in s["models"]) == out["units"]


def test_the_forward_per_model_split_sums_to_the_site(store_home, monkeypatch):
    one = PATHS[1:2]  # one path: every quantile is the path's value, so the split must add up exactly
    f = _forward(monkeypatch, SITE, one)
    for row in f["months"]:
        s = row["sites"][0]
        for key in ("revenue_usd", "power_cost_usd", "hosting_cost_usd", "margin_usd"):
            assert sum(m[key]["p50"] for m in s["models"]) == pytest.approx(s[key]["p50"])
            assert row["fleet"][key]["p50"] == pytest.approx(s[key]["p50"])


# --------------------------------------------------------------------------- hourly prices: the price year


def _hourly(start: str, hours: int) -> fl.HourlyPrices:
    h = np.datetime64(start, "h") + np.arange(hours)
    year = h.astype("datetime64[Y]").astype(int) + 1970
    return fl.HourlyPrices(np.datetime64(start, "h"), 0.01 * (year - 2020) + 0.001 * (h.astype(int) % 24), "test")


def test_hourly_sites_take_the_latest_whole_calendar_month():
    site = dataclasses.replace(_parse(SITE).sites[0], hourly=_hourly("2022-01-01T00", 3 * 8760 + 24))  # 2022-2024
    tables, years = fw.price_tables(site, ["2026-11", "2027-02"])
    assert years == {"11": "2024", "02": "2024"}
    assert tables[0].size == 30 * 24 and tables[1].size == 29 * 24  # February 2024 had 29 days
    np.testing.assert_allclose(tables[0], np.sort(np.tile(0.04 + 0.001 * np.arange(24), 30)))
    cut = dataclasses.replace(site, hourly=_hourly("2022-01-01T00", (365 + 365 + 166) * 24))  # to 2024-06-14
    _, years = fw.price_tables(cut, ["2026-06", "2026-07", "2026-05"])
    assert years == {"06": "2023", "07": "2023", "05": "2024"}
    short = dataclasses.replace(site, hourly=_hourly("2024-03-05T00", 10 * 24))
    _, years = fw.price_tables(short, ["2026-03", "2026-05"])
    assert years == {"03": "2024 (partial)", "05": "all hours"}


def test_an_hourly_table_runs_the_cheap_hours_only():
    # as tests/test_fleet.py::test_tariff_runs_only_in_profitable_hours: at 34 USD/PH/day the S21 breaks even at
    # $0.0798/kWh, so it runs in the hours at $0.02 and not in those at $0.20
    site = _parse(SITE.replace("curtail = false", "curtail = true")).sites[0]
    table = np.sort(np.r_[np.full(360, 0.02), np.full(360, 0.20)])  # a 30-day month, half cheap
    r = fw.site_pnl(site, [200.0], [3550.0], [10], [[34.0]], [30], [table])
    assert r["revenue_usd"][0, 0, 0] == pytest.approx(10 * 200 * 0.034 / 2 * 30)
    assert r["power_cost_usd"][0, 0, 0] == pytest.approx(10 * 3.55 * 12 * 0.02 * 30)
    assert r["curtailed_unit_days"][0, 0, 0] == pytest.approx(10 * 30 / 2)
    assert r["cost_rate_always"][0, 0, 0] == pytest.approx(3.55 * 24 * 0.11 / (200 * 0.034))


# --------------------------------------------------------------------------- hedges and fair strikes


def _hedge(**kw) -> fl.Hedge:
    return fl.Hedge(**{"name": "h", "side": "sell", "quantity_phs": 2.0, "strike_usd_per_ph_day": 30.0,
                       "tenor_months": 4, **kw})


def test_a_sale_at_the_realised_mean_pays_nothing():
    hp = np.array([[40.0, 40.0, 40.0, 40.0], [31.0, 29.0, 35.0, 20.0]])
    pay = fw.hedge_payoff(_hedge(strike_usd_per_ph_day=40.0), MONTHS, hp, DAYS)
    assert (pay[0] == 0).all()
    mean = float(np.dot(DAYS, hp[1]) / sum(DAYS))  # the day-weighted mean of the second path
    assert fw.hedge_payoff(_hedge(strike_usd_per_ph_day=mean), MONTHS, hp, DAYS)[1].sum() == pytest.approx(0.0,
                                                                                                          abs=1e-9)
    sale = fw.hedge_payoff(_hedge(), MONTHS, hp, DAYS)
    np.testing.assert_allclose(sale, (30.0 - hp) * 2.0 * np.array(DAYS))
    np.testing.assert_allclose(fw.hedge_payoff(_hedge(side="buy"), MONTHS, hp, DAYS), -sale)


def test_hedge_months_outside_the_view_are_not_counted():
    covered, outside = fw.hedge_months(_hedge(start_month="2027-01", tenor_months=4), MONTHS)
    assert covered.tolist() == [False, False, True, True] and outside == ["2027-03", "2027-04"]
    covered, outside = fw.hedge_months(_hedge(start_month="2030-01", tenor_months=2), MONTHS)
    assert not covered.any() and outside == ["2030-01", "2030-02"]
    assert (fw.hedge_payoff(_hedge(start_month="2030-01"), MONTHS, PATHS, DAYS) == 0).all()


@pytest.mark.parametrize("path", range(5))
def test_hedged_is_unhedged_plus_the_payoff_on_each_path(store_home, monkeypatch, path):
    toml = SITE + '\n[[hedge]]\nside = "sell"\nquantity_phs = 1.5\nstrike_usd_per_ph_day = 33.0\ntenor_months = 3\n'
    f = _forward(monkeypatch, toml, PATHS[path:path + 1])
    pays = [(33.0 - PATHS[path, m]) * 1.5 * DAYS[m] if m < 3 else 0.0 for m in range(4)]
    for m, row in enumerate(f["months"]):
        q = row["fleet"]
        assert q["hedge_payoff_usd"]["p50"] == pytest.approx(pays[m], abs=1e-9)
        assert q["hedged_margin_usd"]["p50"] == pytest.approx(q["margin_usd"]["p50"] + pays[m])
        assert q["p5_improvement_usd"] == pytest.approx(pays[m], abs=1e-6)
    assert f["total"]["hedged_margin_usd"]["p50"] == pytest.approx(f["total"]["margin_usd"]["p50"] + sum(pays))
    assert f["hedges"][0]["months_covered"] == MONTHS[:3] and f["hedges"][0]["months_outside"] == []


def test_a_hedge_against_the_exposure_narrows_the_margin(store_home, monkeypatch):
    # 10 S21 = 2 PH/s, no pool fee, full uptime, no curtailment: revenue is 2 x hashprice x days, so selling
    # 2 PH/s fixes the margin on every path; selling 1 PH/s halves the spread; buying widens it
    base = SITE.replace('count = 4\n', 'count = 0\n')
    spread = {}
    for name, extra in (("none", ""), ("full", "sell\"\nquantity_phs = 2.0"), ("half", "sell\"\nquantity_phs = 1.0"),
                        ("buy", "buy\"\nquantity_phs = 1.0")):
        toml = base + (f'\n[[hedge]]\nside = "{extra}\nstrike_usd_per_ph_day = 30.0\ntenor_months = 4\n'
                       if extra else "")
        t = _forward(monkeypatch, toml)["total"]
        spread[name] = t["hedged_margin_spread_usd"] if extra else t["margin_spread_usd"]
        if extra:
            assert t["margin_spread_usd"] == pytest.approx(spread["none"])
    assert spread["full"] == pytest.approx(0.0, abs=1e-6)
    assert spread["half"] == pytest.approx(spread["none"] / 2)
    assert spread["buy"] > spread["none"]


def test_fair_strikes_value_a_forward_at_zero(store_home, monkeypatch):
    fs = fw.fair_strikes(PATHS, DAYS)
    assert fs[0] == pytest.approx(PATHS[:, 0].mean())
    for k in range(4):
        h = _hedge(tenor_months=k + 1, strike_usd_per_ph_day=float(fs[k]))
        assert fw.hedge_payoff(h, MONTHS, PATHS, DAYS).sum(axis=1).mean() == pytest.approx(0.0, abs=1e-9)
    f = _forward(monkeypatch, SITE, fair_strikes=True)
    assert [t["usd_per_ph_day"] for t in f["fair_strikes"]["tenors"]] == pytest.approx(fs.tolist())
    assert "not a market quote" in f["fair_strikes"]["label"]


# --------------------------------------------------------------------------- the real outlook, the CLI


def test_without_forward_months_the_engine_does_not_run(store_home, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the engine ran")

    monkeypatch.setattr(fo, "month_paths", boom)
    assert "forward" not in ff.fleet_figures(EXAMPLE)


def test_forward_runs_on_the_outlooks_paths_and_is_reproducible(store_home):
    a = ff.fleet_figures(EXAMPLE, forward_months=3, paths=200, seed=5)["forward"]
    b = ff.fleet_figures(load_fleet(EXAMPLE), forward_months=3, paths=200, seed=5)["forward"]
    assert json.dumps(a) == json.dumps(b)
    c = ff.fleet_figures(EXAMPLE, forward_months=3, paths=200, seed=6)["forward"]
    assert c["months"][1]["fleet"]["margin_usd"] != a["months"][1]["fleet"]["margin_usd"]
    look = fo.outlook(months=3, paths=200, seed=5)
    for row, lk in zip(a["months"], look["months"], strict=True):
        assert row["month"] == lk["month"]
        for k in ("p5", "p50", "p95", "mean"):
            assert row["hashprice_usd_per_ph_day"][k] == pytest.approx(lk["hashprice_usd_per_ph_day"][k], rel=1e-12)
    assert a["start"] == look["start"] and (a["paths"], a["seed"], a["preset"]) == (200, 5, "baseline")


def test_cli_json_has_the_contract_keys(home, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "fleet.toml")
    r = run_cli("fleet", str(tmp_path / "fleet.toml"), "--forward-months", "3", "--paths", "200", "--json",
                home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"from", "to", "days", "units", "revenue_usd", "profit_usd", "sites"} <= set(out)  # the past is kept
    fwd = out["forward"]
    assert {"months", "total", "models", "hedges", "paths", "seed", "preset", "start", "label", "price_basis",
            "backtest"} <= set(fwd)
    assert len(fwd["months"]) == 3 and fwd["paths"] == 200 and "not a market quote" in fwd["label"]
    band = {"p5", "p50", "p95"}
    for row in fwd["months"]:
        assert {"month", "sites", "fleet"} <= set(row)
        for s in row["sites"]:
            assert {"name", "revenue_usd", "power_cost_usd", "margin_usd", "prob_loss", "models"} <= set(s)
            for key in ("revenue_usd", "power_cost_usd", "margin_usd"):
                assert set(s[key]) == band and s[key]["p5"] <= s[key]["p50"] <= s[key]["p95"]
            assert 0 <= s["prob_loss"] <= 1
            for m in s["models"]:
                assert {"model", "units", "revenue_usd", "power_cost_usd", "margin_usd", "prob_loss"} <= set(m)
    assert fwd["hedges"], "the example has a hedge"
    assert {"hedged_margin_usd", "hedged_prob_loss", "p5_improvement_usd"} <= set(fwd["total"])
    priced = [m for m in fwd["models"] if m["capex_usd"] is not None]
    assert priced and all({"p5", "p50", "p95", "prob_never"} <= set(m["payback_months"]) for m in priced)
    assert all({"p50", "paths_without_irr"} <= set(m["irr_per_year"]) for m in priced)


def test_cli_table_shows_the_forward_view(store_home):
    r = CliRunner().invoke(cli.cli, ["fleet", str(EXAMPLE), "--forward-months", "2", "--paths", "100",
                                     "--fair-strikes"], env={"COLUMNS": "160"})
    assert r.exit_code == 0, (r.output, r.exception)
    text = " ".join(r.output.split())
    for words in ("forward P&L", "not a market quote", "margin per month, hedged", "payback", "fair strikes",
                  "Antminer S21 x1,200"):
        assert words in text, words


def test_fair_strikes_alone_use_a_year(store_home):
    f = ff.fleet_figures(EXAMPLE, fair_strikes=True, paths=100)["forward"]
    assert f["months_ahead"] == ff.FAIR_STRIKE_MONTHS == len(f["fair_strikes"]["tenors"])


def _fails(args: list[str], capsys) -> str:
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hashpower: error:") and "\n" not in err, err
    return err


@pytest.mark.parametrize(("args", "word"), [
    (["--forward-months", "0"], "forward months"),
    (["--forward-months", "61"], "[1, 60]"),
    (["--forward-months", "3", "--paths", "0"], "paths"),
    (["--forward-months", "3", "--paths", "20001"], "paths"),
    (["--forward-months", "3", "--seed", "-1"], "seed"),
    (["--forward-months", "3", "--preset", "nope"], "nope"),
])
def test_bad_forward_flags_exit_2_with_one_line(store_home, capsys, tmp_path, args, word):
    out_csv = tmp_path / "pnl.csv"
    err = _fails(["fleet", str(EXAMPLE), *args, "--csv", str(out_csv)], capsys)
    assert word in err
    assert not out_csv.exists()  # nothing written on bad input


@pytest.mark.parametrize(("hedge", "word"), [
    ("side = \"sell\"\nquantity_phs = 1.0\nstrike_usd_per_ph_day = 30.0\ntenor_months = -1", "tenor_months"),
    ("side = \"sell\"\nquantity_phs = -1.0\nstrike_usd_per_ph_day = 30.0\ntenor_months = 3", "quantity_phs"),
    ("side = \"sell\"\nquantity_phs = 1.0\nstrike_usd_per_ph_day = 30.0\ntenor_months = 3\nnotional = 5",
     "unknown keys"),
    ("side = \"short\"\nquantity_phs = 1.0\nstrike_usd_per_ph_day = 30.0\ntenor_months = 3", "side"),
    ("side = \"sell\"\nquantity_phs = 1.0\nstrike_usd_per_ph_day = 30.0\ntenor_months = 3\nstart_month = \"26-1\"",
     "start_month"),
])
def test_bad_hedges_exit_2_with_one_line(store_home, capsys, tmp_path, hedge, word):
    p = tmp_path / "f.toml"
    p.write_text(SITE + "\n[[hedge]]\n" + hedge + "\n")
    assert word in _fails(["fleet", str(p), "--forward-months", "3"], capsys)
