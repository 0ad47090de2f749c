"""Fleets: TOML sites and machines, daily P&L, curtailment under flat prices and tariffs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from hashpower.models import fleet as fl
from hashpower.models import machines as mc
from hashpower.store.files import load_fleet

EXAMPLE = Path(__file__).parents[1] / "examples" / "fleet.toml"


def _fleet(toml: str, tmp_path) -> fl.Fleet:
    f = tmp_path / "fleet.toml"
    f.write_text(toml)
    return load_fleet(f)


FLAT = """
[[site]]
name = "a"
power_price_usd_per_kwh = 0.06
[[site.machines]]
model = "Antminer S21"
count = 10
"""


def test_flat_site_matches_unit_economics(tmp_path):
    f = _fleet(FLAT, tmp_path)
    hp = np.array([0.05, 0.034, 0.01])  # USD/TH/day; the S21 (17.75 J/TH) breaks even at 0.02556
    r = fl.daily_pnl(f, hp)
    rev = mc.revenue_usd_per_day(200, hp) * 10
    cost = mc.power_cost_usd_per_day(3550, 0.06) * 10
    np.testing.assert_allclose(r.revenue_usd[:2, 0], rev[:2])
    np.testing.assert_allclose(r.power_cost_usd[:2, 0], cost)
    # the third day runs at a loss: curtailed, no revenue, no cost
    assert r.revenue_usd[2, 0] == 0 and r.power_cost_usd[2, 0] == 0
    np.testing.assert_allclose(r.curtailed_unit_days[:, 0], [0, 0, 10])
    assert (r.profit_usd >= -1e-9).all()


def test_without_curtailment_losses_are_kept(tmp_path):
    f = _fleet(FLAT.replace('name = "a"', 'name = "a"\ncurtail = false'), tmp_path)
    r = fl.daily_pnl(f, np.array([0.01]))
    assert r.profit_usd[0, 0] < 0 and r.curtailed_unit_days[0, 0] == 0


def test_tariff_runs_only_in_profitable_hours(tmp_path):
    tariff = [0.02] * 12 + [0.20] * 12
    toml = FLAT.replace("power_price_usd_per_kwh = 0.06", f"tariff_usd_per_kwh = {tariff}")
    f = _fleet(toml, tmp_path)
    r = fl.daily_pnl(f, np.array([0.034]))
    # 17.75 J/TH at $0.034/TH/day breaks even at $0.0798/kWh: on in the 12 cheap hours only
    assert r.curtailed_unit_days[0, 0] == pytest.approx(10 * 12 / 24)
    assert r.revenue_usd[0, 0] == pytest.approx(10 * 200 * 0.034 / 2)
    assert r.power_cost_usd[0, 0] == pytest.approx(10 * 3.55 * 12 * 0.02)


def test_pue_fee_uptime_hosting(tmp_path):
    toml = FLAT.replace('name = "a"', 'name = "a"\npue = 1.1\npool_fee_rate = 0.02\nuptime = 0.9\n'
                                      'hosting_fee_usd_per_kwh = 0.01')
    r = fl.daily_pnl(_fleet(toml, tmp_path), np.array([0.05]))
    assert r.revenue_usd[0, 0] == pytest.approx(10 * 200 * 0.05 * 0.9 * 0.98)
    assert r.power_cost_usd[0, 0] == pytest.approx(10 * 3.55 * 1.1 * 0.9 * 24 * 0.06)
    assert r.hosting_cost_usd[0, 0] == pytest.approx(10 * 3.55 * 1.1 * 0.9 * 24 * 0.01)


def test_chunking_does_not_change_results(tmp_path):
    f = load_fleet(EXAMPLE)
    hp = np.linspace(0.01, 0.1, 50)
    a = fl.daily_pnl(f, hp)
    b = fl.daily_pnl(f, hp, chunk_groups=1)
    np.testing.assert_allclose(a.profit_usd, b.profit_usd)


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        (FLAT.replace("Antminer S21", "Antminer S12"), "not in the catalog"),
        (FLAT.replace("power_price_usd_per_kwh = 0.06", "tariff_usd_per_kwh = [0.05, 0.06]"), "24 hourly"),
        (FLAT.replace("power_price_usd_per_kwh = 0.06", "tariff_usd_per_kwh = " + str([-0.1] * 24)), "tariff"),
        (FLAT.replace("power_price_usd_per_kwh = 0.06", 'power_price_usd_per_kwh = "cheap"'), "a number"),
        (FLAT.replace("power_price_usd_per_kwh = 0.06", "pue = 1.1"), "exactly one of"),
        (FLAT + "\ncolour = 1\n", "unknown keys"),
        (FLAT.replace('name = "a"', 'name = "a"\nvoltage = 240'), "unknown keys"),
        (FLAT.replace("count = 10", "count = -3"), "count"),
        (FLAT.replace("count = 10", "count = 1.5"), "count"),
        ("[[site]]\nname = 1\n", "exactly one of"),
        ("title = 'x'", "unknown top-level"),
        ("", "no \\[\\[site\\]\\]"),
        ("[[site", "not valid TOML"),
    ],
)
def test_bad_fleet_files(tmp_path, toml, match):
    with pytest.raises(ValueError, match=match):
        _fleet(toml, tmp_path)


def test_fleet_with_user_models(tmp_path):
    (tmp_path / "mine.csv").write_text("manufacturer,model,hashrate_ths,power_w\nAcme,Box,100,1000\n")
    f = _fleet('machines_csv = "mine.csv"\n' + FLAT.replace("Antminer S21", "Box"), tmp_path)
    assert f.group_hashrate_ths[0] == 100


def test_fleet_cli_json_and_csv(home, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "fleet.toml")
    out_csv = tmp_path / "pnl.csv"
    r = run_cli("fleet", str(tmp_path / "fleet.toml"), "--from", "2025-06-01", "--to", "2026-05-31",
                "--csv", str(out_csv), "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"days", "revenue_usd", "power_cost_usd", "profit_usd", "curtailed_unit_days"} <= set(out)
    assert out["days"] == 365 and out["units"] == 2800
    assert out["profit_usd"] == pytest.approx(out["revenue_usd"] - out["power_cost_usd"] - out["hosting_cost_usd"])
    df = pd.read_csv(out_csv)
    assert len(df) == 365 * 2
    assert df["profit_usd"].sum() == pytest.approx(out["profit_usd"], rel=1e-9)


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2031-01-01"),
        ("--from", "2026-05-01", "--to", "2026-04-01"),
        ("--to", "garbage"),
    ],
)
def test_fleet_cli_bad_dates(home, args):
    r = run_cli("fleet", str(EXAMPLE), *args, home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr


def test_fleet_cli_bad_file(home, tmp_path):
    f = tmp_path / "f.toml"
    f.write_text(FLAT.replace("Antminer S21", "Antminer S12"))
    r = run_cli("fleet", str(f), home=home)
    assert r.returncode == 2 and "did you mean" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("fleet", str(tmp_path / "absent.toml"), home=home)
    assert r.returncode == 2 and "no such file" in r.stderr
