"""Tables never cut a figure: at 80 columns the columns that fit are shown whole and the rest named; piped to
a file the table takes the width it needs; a sweep's points are told apart by their grid values."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import run_cli

from hashpower.cli._app import _show


def _render(width: int, terminal: bool, monkeypatch, rows=3):
    from rich.console import Console
    from rich.table import Table

    if terminal:
        monkeypatch.setenv("COLUMNS", str(width))
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    import io

    buf = io.StringIO()
    c = Console(file=buf, width=width, force_terminal=terminal, color_system=None)
    t = Table(title="t")
    for name in ("date", "band of the hashrate EH/s", "a long header here", "money", "last"):
        t.add_column(name, justify="right")
    for i in range(rows):
        t.add_row(f"2027-06-0{i + 1}", f"120{i} [755-1528]", f"{i}" * 30, f"-$10{i}.92M", "end")
    _show(c, t, "--json")
    return buf.getvalue()


def test_a_narrow_terminal_drops_whole_columns_and_names_them(monkeypatch):
    out = _render(60, True, monkeypatch)
    assert "…" not in out and max(len(x) for x in out.splitlines()) <= 60
    for i in range(3):
        assert f"2027-06-0{i + 1}" in out and f"120{i} [755-1528]" in out
    assert "not shown at 60 columns" in " ".join(out.split()) and "last" in out.split("not shown")[1]


def test_a_file_gets_the_whole_table(monkeypatch):
    out = _render(80, False, monkeypatch)
    assert "…" not in out and "not shown" not in out
    for i in range(3):
        assert f"{i}" * 30 in out and f"-$10{i}.92M" in out and "end" in out


@pytest.mark.parametrize("piped", [False, True])
def test_simulate_at_80_columns(home, piped):
    env = {} if piped else {"COLUMNS": "80"}
    r = run_cli("simulate", "--preset", "baseline", "--paths", "100", "--years", "3", home=home, env=env)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout
    j = json.loads(run_cli("simulate", "--preset", "baseline", "--paths", "100", "--years", "3", "--json",
                           home=home).stdout)
    for d in j["year_end_dates"]:
        assert d in r.stdout  # whole dates, never "2027-06…"
    lo, hi = j["hashrate_ehs"]["p5"][0], j["hashrate_ehs"]["p95"][0]
    assert f"[{lo:.0f}-{hi:.0f}]" in r.stdout


def test_sweep_rows_and_csv_carry_the_grid_values(home, tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('[run]\npreset = "baseline"\npaths = 50\nyears = 1\nseed = 1\n\n'
                    "[grid]\nfee_growth_rate_per_year = [0.0, 0.25]\npower_price_median_usd_per_kwh = [0.04, 0.06]\n")
    r = run_cli("sweep", str(grid), "--out", str(tmp_path / "o"), home=home, env={"COLUMNS": "80"}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout
    rows = list(csv.DictReader((tmp_path / "o" / "sweep-g.csv").read_text().splitlines()))
    assert {"fee_growth_rate_per_year", "power_price_median_usd_per_kwh"} <= set(rows[0])
    points = {(x["run"], x["fee_growth_rate_per_year"], x["power_price_median_usd_per_kwh"]) for x in rows}
    assert len(points) == 4 and len({p[1:] for p in points}) == 4


def test_security_shows_the_budget_projection_of_its_fee_growth(home):
    j = json.loads(run_cli("security", "--fee-growth", "0.5", "--json", home=home).stdout)
    r = run_cli("security", "--fee-growth", "0.5", home=home)
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "fees growing +50% a year" in out
    for p in j["budget_projection"]:
        assert f"{p['fees_btc_per_block']:.4f}" in r.stdout and f"{p['height']:,}" in r.stdout
    flat = run_cli("security", home=home).stdout
    assert f"{j['budget_projection'][-1]['fees_btc_per_block']:.4f}" not in flat


EX = str(__import__("pathlib").Path(__file__).parents[1] / "examples") + "/"
FORMAT_CASES = {
    "hashprice": ["hashprice"], "machines": ["machines", "--top", "5"],
    "fleet": ["fleet", EX + "fleet.toml"], "costs": ["costs", EX + "fleet.toml"],
    "fleet plan": ["fleet", "plan", EX + "fleet-ercot.toml", "--from", "2024-06-01", "--days", "1"],
    "index": ["index"], "network": ["network"], "security": ["security"],
    "brief": ["brief", "--no-scenarios"], "data status": ["data", "status"],
    "pivot": ["pivot", "--paths", "50"],
    "simulate": ["simulate", "--preset", "baseline", "--paths", "20", "--years", "2"],
    "outlook": ["outlook", "--months", "2", "--paths", "20"],
    "backtest": ["backtest", "--origin", "2020-01-01", "--paths", "20", "--mode", "conditional"],
}


@pytest.mark.parametrize("name", sorted(FORMAT_CASES))
def test_format_csv_and_json(home, name):
    """--format json is --json; --format csv gives parseable rows whose numbers are the JSON's, unformatted."""
    args = FORMAT_CASES[name]
    j = run_cli(*args, "--json", home=home)
    jf = run_cli(*args, "--format", "json", home=home)
    assert j.returncode == 0 and jf.returncode == 0, (j.stderr, jf.stderr)
    a, b = json.loads(j.stdout), json.loads(jf.stdout)
    for d in (a, b):
        d.pop("data_age_days", None)
    assert a == b
    c = run_cli(*args, "--format", "csv", home=home)
    assert c.returncode == 0, c.stderr
    rows = list(csv.DictReader(c.stdout.splitlines()))
    assert rows and all(len(r) == len(rows[0]) for r in rows)
    bad = run_cli(*args, "--json", "--format", "csv", home=home)
    assert bad.returncode == 2 and "disagree" in bad.stderr


def test_format_csv_rows_are_the_json_figures(home):
    j = json.loads(run_cli("pivot", "--paths", "50", "--json", home=home).stdout)
    rows = list(csv.DictReader(run_cli("pivot", "--paths", "50", "--format", "csv", home=home).stdout.splitlines()))
    assert [r["strategy"] for r in rows] == [x["strategy"] for x in j["alternatives"]]
    assert [float(r["npv_usd"]) for r in rows] == pytest.approx([x["npv_usd"] for x in j["alternatives"]], rel=1e-12)
    j = json.loads(run_cli("simulate", "--preset", "baseline", "--paths", "20", "--years", "2", "--json",
                           home=home).stdout)
    rows = list(csv.DictReader(run_cli("simulate", "--preset", "baseline", "--paths", "20", "--years", "2",
                                       "--format", "csv", home=home).stdout.splitlines()))
    assert [float(r["hashrate_ehs.p50"]) for r in rows] == pytest.approx(j["hashrate_ehs"]["p50"], rel=1e-12)


def test_machines_model_top_sort(home):
    from hashpower.cli.economics import MACHINE_SORTS
    from hashpower.figures.machines import SORTS

    assert tuple(SORTS) == MACHINE_SORTS
    j = json.loads(run_cli("machines", "--top", "5", "--sort", "margin", "--json", home=home).stdout)
    m = [x["margin_usd_per_day"] for x in j["machines"]]
    assert len(m) == 5 and m == sorted(m, reverse=True) and j["models_total"] > 100
    allm = json.loads(run_cli("machines", "--json", home=home).stdout)["machines"]
    assert m[0] == max(x["margin_usd_per_day"] for x in allm)
    j = json.loads(run_cli("machines", "--model", "s21", "--json", home=home).stdout)
    assert j["machines"] and all("s21" in x["model"].lower() for x in j["machines"])
    j = json.loads(run_cli("machines", "--model", "antminer s21", "--json", home=home).stdout)
    assert [x["model"] for x in j["machines"]] == ["Antminer S21"]
    r = run_cli("machines", "--model", "antminr s21", home=home)
    assert r.returncode == 2 and "did you mean" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("machines", "--top", "3", "--sort", "margin", home=home, env={"COLUMNS": "80"})
    assert "3 of" in r.stdout and "…" not in r.stdout
    rows = list(csv.DictReader(run_cli("machines", "--top", "3", "--format", "csv", home=home).stdout.splitlines()))
    assert len(rows) == 3 and float(rows[0]["efficiency_j_per_th"]) <= float(rows[1]["efficiency_j_per_th"])
