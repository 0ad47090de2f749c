"""The briefing: the contract's keys, the HTML report, bad input."""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_cli


def test_brief_json_contract(home):
    r = run_cli("brief", "--date", "2026-02-01", "--no-scenarios", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"date", "hashprice", "machines", "network", "index", "security", "pivot", "scenarios"} <= set(out)
    assert out["date"] == "2026-02-01"
    assert out["hashprice"]["usd_per_ph_day"] == pytest.approx(34, rel=0.05)
    gens = out["machines"]["generations"]
    assert gens["latest"]["median_cost_rate"] < gens["mid"]["median_cost_rate"] < gens["old"]["median_cost_rate"]
    assert out["network"]["largest_drawdown_since"].startswith("2021-04")
    assert 0 <= out["index"]["sustainability_index"] <= 100
    assert out["security"]["nakamoto_coefficient"] >= 2
    ai = out["pivot"]["ai_usd_per_mw_year_of_grid"]
    assert ai["low"] < ai["median"] < ai["high"]


def test_brief_power_price_moves_cost_rates(home):
    a = json.loads(run_cli("brief", "--no-scenarios", "--json", home=home).stdout)
    b = json.loads(run_cli("brief", "--no-scenarios", "--power-price", "0.09", "--json", home=home).stdout)
    ra = a["machines"]["generations"]["latest"]["median_cost_rate"]
    rb = b["machines"]["generations"]["latest"]["median_cost_rate"]
    assert rb == pytest.approx(ra * 0.09 / 0.06)


def test_brief_html_is_self_contained(home, tmp_path):
    f = tmp_path / "brief.html"
    r = run_cli("brief", "--no-scenarios", "--html", str(f), home=home)
    assert r.returncode == 0, r.stderr
    assert "HTML report written to" in r.stdout
    doc = f.read_text()
    assert doc.count("plotly.js v") == 1  # the chart library, inline, once
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", doc)
    assert "record low" in doc and "Coin Metrics" in doc
    assert doc.count('class="plotly-graph-div"') >= 5


@pytest.mark.parametrize(
    "args",
    [("--date", "2031-01-01"), ("--power-price", "-0.01"), ("--power-price", "0"), ("--power-price", "nan"),
     ("--date", "junk")],
)
def test_brief_bad_input(home, args):
    r = run_cli("brief", "--no-scenarios", *args, home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr


def test_brief_html_into_a_folder(home, tmp_path):
    r = run_cli("brief", "--no-scenarios", "--html", str(tmp_path), home=home)
    assert r.returncode == 2 and "folder" in r.stderr


def test_brief_with_scenarios(home, tmp_path):
    """The main job as `make run` runs it: the four paths' medians five years out, and their fan charts."""
    f = tmp_path / "b.html"
    r = run_cli("brief", "--json", "--html", str(f), home=home)
    assert r.returncode == 0, r.stderr
    sc = json.loads(r.stdout)["scenarios"]
    assert sc["years"] == 5 and set(sc["presets"]) == {"baseline", "consolidation", "fee-driven", "external-guarantee"}
    for v in sc["presets"].values():
        assert v["hashrate_ehs"] > 0 and v["security_budget_usd_per_day"] > 0 and v["attack_cost_hardware_usd"] > 0
    assert "Scenarios: Hashrate" in f.read_text()
