"""The hourly run/curtail plan: exact against brute force and a plain loop, the 2024 West hub figures, the CLI."""

from __future__ import annotations

import csv
import itertools
import json
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import digest

from hashpower import cli
from hashpower.figures.fleet_plan import plan_figures
from hashpower.models import plan as pm
from hashpower.store import prices
from hashpower.store.files import load_fleet

EXAMPLE = Path(__file__).parents[1] / "examples" / "fleet-ercot.toml"


# --- the schedule: exact ---------------------------------------------------------------------------------------

def _inner_spells_ok(s, run: int, off: int) -> bool:
    """Every spell touching neither edge lasts at least its minimum (the plan's edge convention)."""
    n, i = len(s), 0
    while i < n:
        j = i
        while j < n and s[j] == s[i]:
            j += 1
        if i > 0 and j < n and j - i < (run if s[i] else off):
            return False
        i = j
    return True


@lru_cache(maxsize=64)
def _valid_schedules(n: int, run: int, off: int) -> np.ndarray:
    every = np.array(list(itertools.product([False, True], repeat=n)), dtype=bool)
    return every[[_inner_spells_ok(s, run, off) for s in every]]


@pytest.mark.parametrize("n", [1, 2, 5, 9, 12])
@pytest.mark.parametrize(("run", "off"), [(1, 1), (2, 1), (1, 3), (3, 2), (4, 4), (5, 2), (13, 1)])
def test_schedule_equals_brute_force(n, run, off):
    """All 2^n schedules honouring the spells, evaluated; the plan's value is their maximum and its schedule valid."""
    rng = np.random.default_rng(1000 * n + 10 * run + off)
    v1 = rng.normal(size=(30, n))
    v0 = rng.normal(scale=0.5, size=(30, n))
    got = pm.schedule(v1, v0, run, off)
    cand = _valid_schedules(n, run, off)  # (schedules, n)
    for g in range(v1.shape[0]):
        values = np.where(cand, v1[g], v0[g]).sum(axis=1)
        assert _inner_spells_ok(got[g], run, off)
        assert np.where(got[g], v1[g], v0[g]).sum() == pytest.approx(values.max(), abs=1e-9)


def test_groups_of_different_spells_in_one_call():
    rng = np.random.default_rng(7)
    run, off = np.array([1, 3, 2, 6, 1]), np.array([4, 1, 2, 3, 1])
    v1, v0 = rng.normal(size=(5, 11)), rng.normal(size=(5, 11))
    got = pm.schedule(v1, v0, run, off)
    for g in range(5):
        alone = pm.schedule(v1[g:g + 1], v0[g:g + 1], int(run[g]), int(off[g]))
        np.testing.assert_array_equal(got[g], alone[0])
        cand = _valid_schedules(11, int(run[g]), int(off[g]))
        assert np.where(got[g], v1[g], v0[g]).sum() == pytest.approx(np.where(cand, v1[g], v0[g]).sum(1).max())


def test_one_hour_spells_are_the_hour_by_hour_rule_also_through_the_programme():
    rng = np.random.default_rng(3)
    v1, v0 = rng.normal(size=(4, 500)), rng.normal(size=(4, 500))
    np.testing.assert_array_equal(pm.schedule(v1, v0), v1 > v0)
    np.testing.assert_array_equal(pm._dp(v1, v0, np.ones(4, int), np.ones(4, int)), v1 > v0)


def _loop_value(v1: np.ndarray, v0: np.ndarray, run: int, off: int) -> float:
    """A plain loop over states (on/off, hours in the spell so far, capped at the minimum)."""
    best = {(True, run): v1[0], (False, off): v0[0]}
    for t in range(1, len(v1)):
        new: dict = {}
        for (on, k), val in best.items():
            cap = run if on else off
            for state, add in (((on, min(k + 1, cap)), v1[t] if on else v0[t]),
                               (((not on, 1), v0[t] if on else v1[t]) if k == cap else (None, 0.0))):
                if state is not None and (state not in new or val + add > new[state]):
                    new[state] = val + add
        best = {(on, k if k < (run if on else off) else (run if on else off)): v for (on, k), v in new.items()}
    return max(best.values())


def test_a_year_of_west_hub_hours_agrees_with_a_plain_loop():
    """A year of real prices (the S21 at 2024's mean hashprice), spells 1..8 hours, beside the loop's optimum."""
    p = prices.embedded("HB_WEST").usd_per_kwh[-8784:] + 0.01
    v1 = (200 * 0.0646 / 24 * 0.98 - 3.7275 * p)[None, :].repeat(4, axis=0)
    v0 = np.full_like(v1, 3.7275 * 0.005)  # a 5 USD/MWh credit
    run, off = np.array([1, 3, 8, 2]), np.array([1, 2, 8, 6])
    got = pm.schedule(v1, v0, run, off)
    for g in range(4):
        assert _inner_spells_ok(got[g], int(run[g]), int(off[g]))
        ours = np.where(got[g], v1[g], v0[g]).sum()
        assert ours == pytest.approx(_loop_value(v1[g], v0[g], int(run[g]), int(off[g])), rel=1e-12)


def test_minimum_spells_are_respected():
    rng = np.random.default_rng(11)
    v1 = rng.normal(size=(3, 3000)) + np.sin(np.arange(3000) / 5)
    got = pm.schedule(v1, np.zeros_like(v1), [6, 24, 1], [4, 1, 12])
    for g, (r, f) in enumerate([(6, 4), (24, 1), (1, 12)]):
        s = got[g].astype(np.int8)
        cut = np.flatnonzero(np.diff(s)) + 1
        lengths, first = np.diff(cut), s[cut[:-1]]
        assert (lengths[first == 1] >= r).all() and (lengths[first == 0] >= f).all()
        assert len(cut) > 20  # it does switch


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_run_hours": 0}, r"min_run_hours must be whole hours in \[1, 168\], got 0"),
    ({"min_off_hours": 169}, r"min_off_hours must be whole hours in \[1, 168\], got 169"),
    ({"min_run_hours": 1.5}, r"min_run_hours must be whole hours"),
])
def test_schedule_refuses_bad_spells(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pm.schedule(np.zeros((1, 3)), np.zeros((1, 3)), **kwargs)


# --- the plan of a fleet ---------------------------------------------------------------------------------------

SITE = """
[[site]]
name = "a"
hourly_prices = "ercot:HB_WEST"
price_adder_usd_per_kwh = 0.01
{extra}
[[site.machines]]
model = "Antminer S21"
count = 10
"""


def _fleet(tmp_path, extra: str = ""):
    f = tmp_path / "f.toml"
    f.write_text(SITE.format(extra=extra))
    return f


def test_credit_turns_off_exactly_the_hours_it_outbids(home, tmp_path):
    base = plan_figures(_fleet(tmp_path), start="2024-01-01", days=366)
    cred = plan_figures(_fleet(tmp_path, "curtailment_credit_usd_per_mwh = 20.0"), start="2024-01-01", days=366)
    a, b = base["sites"][0], cred["sites"][0]
    assert b["hours_curtailed"] > a["hours_curtailed"] > 0
    assert b["credit_usd"] > 0 == a["credit_usd"]
    # every hour off without the credit stays off with it (the hour rule: off when margin < credit)
    f = load_fleet(_fleet(tmp_path))
    p = f.sites[0].hourly
    k = int((np.datetime64("2024-01-01T00", "h") - p.start).astype(int))
    hp = np.repeat(_independent_hashprice("2024-01-01", "2024-12-31"), 24)
    margin = 200 * hp / 24 - 3.55 * p.usd_per_kwh[k:k + 8784]  # per unit-hour, USD
    credit = 3.55 * 0.020
    assert b["hours_curtailed"] == int((margin < credit).sum()) and a["hours_curtailed"] == int((margin < 0).sum())
    assert b["credit_usd"] == pytest.approx(10 * credit * (margin < credit).sum())
    assert b["savings_usd"] > a["savings_usd"]


def test_curtail_false_is_always_on(home, tmp_path):
    f = plan_figures(_fleet(tmp_path, "curtail = false\ncurtailment_credit_usd_per_mwh = 50.0"),
                     start="2024-01-01", days=30)
    s = f["sites"][0]
    assert s["hours_curtailed"] == 0 and s["savings_usd"] == 0 and s["credit_usd"] == 0
    assert s["models"][0]["spells"] == [{"from": "2024-01-01T00:00Z", "to": "2024-01-31T00:00Z", "on": True,
                                         "hours": 720}]
    assert s["margin_usd"] == pytest.approx(s["always_on"]["margin_usd"])


def test_spells_and_minimums_in_the_output(home, tmp_path):
    f = plan_figures(_fleet(tmp_path, "min_run_hours = 6\nmin_off_hours = 3"), start="2024-06-01", days=92)
    m = f["sites"][0]["models"][0]
    sp = m["spells"]
    assert sp[0]["from"] == "2024-06-01T00:00Z" and sp[-1]["to"] == "2024-09-01T00:00Z"
    assert sum(x["hours"] for x in sp) == f["hours"] == 92 * 24
    assert all(a["to"] == b["from"] and a["on"] != b["on"] for a, b in itertools.pairwise(sp))
    assert all(x["hours"] >= (6 if x["on"] else 3) for x in sp[1:-1])
    assert m["hours_curtailed"] == sum(x["hours"] for x in sp if not x["on"]) > 0
    assert m["margin_usd"] >= m["always_on"]["margin_usd"]


def test_prices_override_every_site_with_its_adder_and_a_parsed_fleet(home, tmp_path):
    r = plan_figures(EXAMPLE, prices="ercot:LZ_WEST", start="2024-01-01", days=366)
    lz = prices.embedded("LZ_WEST")
    k = int((np.datetime64("2024-01-01T00", "h") - lz.start).astype(int))
    mean = lz.usd_per_kwh[k:k + 8784].mean()
    hub, zone = r["sites"]
    assert r["prices"] == lz.source and "LZ_WEST" in hub["price_source"] and "adder" in hub["price_source"]
    assert hub["price_mean_usd_per_kwh"] == pytest.approx(mean + 0.010)
    assert zone["price_mean_usd_per_kwh"] == pytest.approx(mean)
    f = load_fleet(EXAMPLE)
    assert plan_figures(f, start="2024-03-01", days=3)["total"] == plan_figures(EXAMPLE, start="2024-03-01",
                                                                                days=3)["total"]
    import tomllib

    from hashpower.models import fleet as fl
    from hashpower.store.catalog import catalog

    unread = fl.parse(tomllib.loads(EXAMPLE.read_text()), catalog())
    with pytest.raises(ValueError, match="site 'west-hub': its hourly prices 'ercot:HB_WEST' are not read"):
        plan_figures(unread)


def _independent_hashprice(first: str, last: str, estimated_fees: bool = False) -> np.ndarray:
    """Hashprice from the store's history: (subsidy + fees) per block x 86,400 x 1e12 / (D x 2^32) x price.

    The raw history, or with the fees of the days without fee data estimated (after 2026-06-01).
    """
    import hashpower
    from hashpower.figures import series

    h = series.history().loc[first:last] if estimated_fees else hashpower.store.history(first, last)
    per_block = (h["subsidy_btc"] + h["fees_btc"]) / h["blocks"]
    return (per_block * 86400 * 1e12 / (h["difficulty"] * 2**32) * h["price_usd"]).to_numpy()


#: Measured by this test's independent computation (docs/plan.md): the 1,000 S21s of examples/fleet-ercot.toml
#: on HB_WEST + 0.010 USD/kWh in the UTC year 2024.
WEST_HUB_2024 = {"hours_curtailed": 175, "savings_usd": 120_584.01}


def test_west_hub_2024_s21_against_a_plain_computation(home):
    """The example's west-hub site (1,000 Antminer S21, 200 TH/s, 3,550 W; PUE 1.05, pool fee 2 %, HB_WEST
    + 0.010 USD/kWh) over the UTC year 2024, against pandas from the embedded file and the store's history."""
    f = plan_figures(EXAMPLE)
    assert (f["from"], f["to"], f["hours"]) == ("2024-01-01", "2024-12-31", 8784)  # the default span
    assert f["hashprice_days_history"] == 366 and f["hashprice_days_outlook"] == 0
    s = next(x for x in f["sites"] if x["name"] == "west-hub")

    path = Path(prices.__file__).parents[1] / "data" / "ercot_west_dam.parquet"
    px = duckdb.connect().execute(f"SELECT hour_utc, hb_west_cents_per_mwh FROM read_parquet('{path}') WHERE "
                                  "hour_utc >= '2024-01-01' AND hour_utc < '2025-01-01' ORDER BY 1").df()
    assert len(px) == 8784
    df = pd.DataFrame({"hour": px["hour_utc"], "usd_per_kwh": px["hb_west_cents_per_mwh"] / 100 / 1000 + 0.010})
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    hp = pd.Series(_independent_hashprice("2024-01-01", "2024-12-31"), index=days)
    df["hashprice"] = df["hour"].dt.floor("D").map(hp)
    kwh = 3550 * 1.05 / 1000
    df["revenue"] = 1000 * 200 * df["hashprice"] / 24 * 0.98
    df["cost"] = 1000 * kwh * df["usd_per_kwh"]
    df["on"] = df["revenue"] > df["cost"]
    hours_off = int((~df["on"]).sum())
    saving = float((df["cost"] - df["revenue"])[~df["on"]].sum())
    margin = float((df["revenue"] - df["cost"])[df["on"]].sum())

    assert s["hours_curtailed"] == hours_off == WEST_HUB_2024["hours_curtailed"]
    assert s["savings_usd"] == pytest.approx(saving, rel=1e-9)
    assert s["savings_usd"] == pytest.approx(WEST_HUB_2024["savings_usd"], abs=0.01)
    assert s["margin_usd"] == pytest.approx(margin, rel=1e-9)
    assert s["always_on"]["margin_usd"] == pytest.approx(float((df["revenue"] - df["cost"]).sum()), rel=1e-9)
    assert s["energy_mwh"] == pytest.approx(kwh * 1000 * (8784 - hours_off) / 1000, rel=1e-12)
    assert s["always_on"]["power_price_paid_usd_per_kwh"] == pytest.approx(df["usd_per_kwh"].mean(), rel=1e-12)


def test_forward_days_take_the_outlook_median(home, tmp_path):
    f = tmp_path / "flat.toml"
    f.write_text('[[site]]\nname = "f"\npower_price_usd_per_kwh = 0.05\n[[site.machines]]\nmodel = "Antminer S21"\n'
                 'count = 3\n')
    r = plan_figures(f, start="2026-09-28", days=40)  # the store ends 2026-10-07: 10 days of history, 30 ahead
    assert (r["hashprice_days_history"], r["hashprice_days_outlook"]) == (10, 30)
    assert "outlook's median monthly hashprice" in r["hashprice_source"]
    from hashpower.figures.outlook import outlook

    o = outlook(months=2, paths=2000, seed=0)
    p50 = {m["month"]: m["hashprice_usd_per_ph_day"]["p50"] / 1000 for m in o["months"]}
    assert r["hashprice_fees_estimated_days"] == 10  # public fee data ends 2026-06-01 (data/SOURCES.md)
    hist = _independent_hashprice("2026-09-28", "2026-10-07", estimated_fees=True)
    # the flat site runs all hours (S21 breaks even far above 0.05 USD/kWh): revenue = 3 x 200 x hp x days
    expect = 3 * 200 * (hist.sum() + 24 * p50["2026-10"] + 6 * p50["2026-11"])
    assert r["sites"][0]["revenue_usd"] == pytest.approx(expect, rel=1e-9)
    assert plan_figures(f)["from"] == "2026-10-08"  # the default: the day after the store's last


# --- the command line ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _template_digest(path: str) -> str:
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        shutil.copyfile(path, Path(d) / "hashpower.duckdb")
        return digest(Path(d))


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_csv_and_table(home, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code, text, _ = _run(capsys, "fleet", "plan", str(EXAMPLE), "--from", "2024-08-01", "--days", "7", "--csv",
                         str(out), "--json")
    assert code == 0
    f = json.loads(text)
    for k in ("from", "to", "hours", "hashprice_source", "sites", "total", "data_last_day"):
        assert k in f
    s = f["sites"][1]
    for k in ("name", "price_source", "hours_curtailed", "energy_mwh", "revenue_usd", "power_cost_usd", "credit_usd",
              "margin_usd", "always_on", "savings_usd", "models"):
        assert k in s
    assert set(s["always_on"]) >= {"energy_mwh", "revenue_usd", "power_cost_usd", "credit_usd", "margin_usd"}
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 7 * 24 * 3  # hours x machine groups
    assert list(rows[0])[:6] == ["hour_utc", "site", "model", "units", "units_on", "price_usd_per_kwh"]
    assert rows[0]["hour_utc"] == "2024-08-01T00:00Z"
    by_site = {}
    for r in rows:
        by_site.setdefault(r["site"], []).append(r)
    for site in f["sites"]:
        rs = by_site[site["name"]]
        assert sum(float(r["margin_usd"]) for r in rs) == pytest.approx(site["margin_usd"], rel=1e-9)
        off = sum(int(r["units"]) - int(r["units_on"]) for r in rs)
        assert off == pytest.approx(site["unit_hours_curtailed"])
    code, text, _ = _run(capsys, "fleet", "plan", str(EXAMPLE), "--from", "2024-08-01", "--days", "7")
    assert code == 0 and "west-zone-dr" in text and "always-on" in text and "saving" in text and "$" in text


BAD_PRICES = {
    "missing": "hour_utc,usd_per_mwh\n2024-01-01T00:00Z,10\n2024-01-01T02:00Z,10\n",
    "duplicate": "hour_utc,usd_per_mwh\n2024-01-01T00:00Z,10\n2024-01-01T00:00Z,11\n",
    "ambiguous": "hour_local,timezone,usd_per_mwh\n2024-11-03T00:00,America/Chicago,1\n"
                 "2024-11-03T01:00,America/Chicago,1\n",
}


@pytest.mark.parametrize(("case", "args", "message"), [
    ("missing", ["--prices", "p.csv"], "line 3: no price for the 1 hour from 2024-01-01T01:00Z"),
    ("duplicate", ["--prices", "p.csv"], "line 3: the hour 2024-01-01T00:00Z is given twice"),
    ("ambiguous", ["--prices", "p.csv"], "line 3, column hour_local: 2024-11-03T01:00 is ambiguous"),
    (None, ["--from", "2021-06-01"], "cover 2022-01-01T06:00Z .. 2025-01-01T05:00Z; the plan 2021-06-01"),
    (None, ["--from", "2024-12-01", "--days", "40"], "choose --from and --days within the whole UTC days"),
    (None, ["--days", "0"], r"--days must be a whole number of days in [1, 1,096], got 0"),
    (None, ["--days", "1097"], "--days must be a whole number of days in [1, 1,096], got 1097"),
    (None, ["--from", "2024-02-30"], "--from must be a day YYYY-MM-DD, got '2024-02-30'"),
    (None, ["--prices", "ercot:HB_NORTH"], "--prices: ERCOT settlement point must be one of HB_WEST, LZ_WEST"),
    (None, ["--prices", "nosuch.csv"], "no such file"),
])
def test_cli_bad_input_exits_2_with_one_line(home, built_store, tmp_path, capsys, monkeypatch, case, args, message):
    monkeypatch.chdir(tmp_path)
    if case:
        (tmp_path / "p.csv").write_text(BAD_PRICES[case])
    db = home / "hashpower.duckdb"
    before = (db.stat().st_mtime_ns, db.stat().st_size)
    code, text, err = _run(capsys, "fleet", "plan", str(EXAMPLE), *args)
    assert code == 2 and text == ""
    assert err.startswith("hashpower: error: ") and err.count("\n") == 1 and message in err, err
    assert (db.stat().st_mtime_ns, db.stat().st_size) == before  # the store is not written
    if case == "missing":
        assert digest(home) == _template_digest(str(built_store))


@pytest.mark.parametrize(("machine", "message"), [
    ('model = "Antminer S21"\ncount = -3', "count must be a whole number in [0, 10,000,000], got -3"),
    ('model = "Antminer S12"\ncount = 3', "model 'Antminer S12' is not in the catalog; did you mean"),
])
def test_cli_bad_fleet_exits_2(home, tmp_path, capsys, machine, message):
    f = tmp_path / "f.toml"
    f.write_text(f'[[site]]\nname = "a"\nhourly_prices = "ercot:HB_WEST"\n[[site.machines]]\n{machine}\n')
    code, _, err = _run(capsys, "fleet", "plan", str(f))
    assert code == 2 and err.count("\n") == 1 and message in err, err


# --- hashpower machines --tariff -------------------------------------------------------------------------------

def _s21(rows):
    return next(r for r in rows if r["model"] == "Antminer S21")


def test_machines_tariff_shape(home, capsys):
    shape = [0.03] * 16 + [0.20] * 4 + [0.03] * 4
    code, text, _ = _run(capsys, "machines", "--hashprice", "40", "--tariff", ",".join(map(str, shape)), "--json")
    assert code == 0
    f = json.loads(text)
    m = _s21(f["machines"])
    # 200 TH/s x 0.040 USD/TH/day / 24 = 0.3333 USD an hour against 3.55 kWh x price: on below 0.0939 USD/kWh
    assert m["tariff_hours_on_per_day"] == 20
    assert m["tariff_revenue_usd_per_day"] == pytest.approx(200 * 0.040 * 20 / 24)
    assert m["tariff_power_cost_usd_per_day"] == pytest.approx(3.55 * 20 * 0.03)
    assert m["tariff_margin_usd_per_day"] == pytest.approx(200 * 0.040 * 20 / 24 - 3.55 * 20 * 0.03)
    assert m["tariff_effective_power_price_usd_per_kwh"] == pytest.approx(0.03)
    assert f["tariff"]["mean_usd_per_kwh"] == pytest.approx(np.mean(shape))
    # the flat columns are unchanged by the tariff: only keys are added
    code, plain, _ = _run(capsys, "machines", "--hashprice", "40", "--json")
    base = json.loads(plain)
    assert {k: v for k, v in m.items() if not k.startswith("tariff_")} == _s21(base["machines"])
    assert set(f) - set(base) == {"tariff"}
    code, text, _ = _run(capsys, "machines", "--hashprice", "40", "--tariff", ",".join(map(str, shape)))
    assert code == 0 and "under the tariff" in text


def test_machines_tariff_ercot_uses_the_last_365_days(home, capsys, tmp_path):
    code, text, _ = _run(capsys, "machines", "--hashprice", "45", "--tariff", "ercot:HB_WEST", "--json")
    f = json.loads(text)
    assert (f["tariff"]["from"], f["tariff"]["to"], f["tariff"]["hours"]) == ("2024-01-02", "2024-12-31", 8760)
    p = prices.embedded("HB_WEST")
    k = int((np.datetime64("2024-01-02T00", "h") - p.start).astype(int))
    x = p.usd_per_kwh[k:k + 8760]
    on = 200 * 0.045 / 24 > 3.55 * x
    m = _s21(f["machines"])
    assert m["tariff_hours_on_per_day"] == pytest.approx(on.sum() / 365)
    assert m["tariff_effective_power_price_usd_per_kwh"] == pytest.approx(x[on].mean())
    assert m["tariff_power_cost_usd_per_day"] == pytest.approx(3.55 * x[on].sum() / 365)
    # a file, read with the hourly reader: two whole days
    (tmp_path / "t.csv").write_text("hour_utc,usd_per_mwh\n" + "".join(
        f"2024-07-0{1 + h // 24}T{h % 24:02d}:00Z,{30 if h % 24 < 20 else 500}\n" for h in range(48)))
    code, text, _ = _run(capsys, "machines", "--hashprice", "45", "--tariff", str(tmp_path / "t.csv"), "--json")
    f = json.loads(text)
    assert (f["tariff"]["from"], f["tariff"]["to"]) == ("2024-07-01", "2024-07-02")
    assert _s21(f["machines"])["tariff_hours_on_per_day"] == 20
    assert not (home / "cache").exists() or not list((home / "cache").glob("*.json"))  # a file: never cached


@pytest.mark.parametrize(("tariff", "message"), [
    ("0.1,0.2", "--tariff must be 24 prices in [0, 10] USD/kWh (hour 0 = 00:00-01:00 UTC), got 2 values"),
    (",".join(["0.05"] * 23 + ["-1"]), "got 24 values with one out of range"),
    ("nosuch.csv", "--tariff: cannot read hourly price file"),
    ("ercot:nowhere", "--tariff: ERCOT settlement point must be one of"),
])
def test_machines_bad_tariff(home, capsys, tariff, message):
    code, _, err = _run(capsys, "machines", "--tariff", tariff)
    assert code == 2 and err.count("\n") == 1 and message in err, err
