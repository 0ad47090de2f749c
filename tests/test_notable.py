"""The 30-day rule for "lowest since" / "highest since" / records (models/network.py ``notable``) in every interface.

The rule (the issue "lowest since that reads right"): say "lowest since D" only when the value is the lowest
for at least 30 days, "record low" when it is the lowest ever; otherwise the 30-day change; likewise high.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

from hashpower.figures.notable import notable_block
from hashpower.models import network

DATES = pd.date_range("2020-01-01", periods=400, freq="D")


def _climb_after_low() -> np.ndarray:
    """Like the index in 2026: down to 7, up to 31.8 over two months, then a small dip to 31."""
    down = np.linspace(20.0, 7.0, 60)
    up = np.linspace(7.0, 31.8, 80)[1:]
    return np.concatenate([down, up, [31.4, 31.0]])


def test_climbing_series_is_not_the_lowest_since_a_few_days_ago():
    x = _climb_after_low()
    # the old rule, true by the letter: the lowest since a few days before
    assert 0 < x.size - 1 - network.lowest_since(x)[-1] < 10
    r = network.notable(x)
    assert r["kind"] is None and r["since"] == -1
    assert r["change"] == pytest.approx(x[-1] - x[-31])
    assert r["change"] > 0 and r["change_rate"] == pytest.approx(x[-1] / x[-31] - 1)
    b = notable_block(x, DATES[: x.size], change="points")
    assert b["text"] == f"up {x[-1] - x[-31]:.1f} points in 30 days"
    assert b["kind"] is None and b["since"] is None and b["change_30d_points"] == pytest.approx(r["change"])


def test_steady_climb_and_fall_are_records():
    up = np.arange(1.0, 61.0)
    assert network.notable(up)["kind"] == "record_high"
    assert network.notable(up[::-1])["kind"] == "record_low"
    assert notable_block(up, DATES[:60])["text"] == "a record high"
    assert notable_block(up[::-1], DATES[:60])["text"] == "a record low"
    # too short a series for a record (or anything) to be notable: the change is all there is
    r = network.notable(up[:20])
    assert r["kind"] is None and np.isnan(r["change"])


def test_highest_and_lowest_since_need_thirty_days():
    base = np.concatenate([[100.0], np.full(10, 50.0), np.linspace(10.0, 40.0, 40)])
    r = network.notable(base)  # 40 is the highest since the plateau at 50, 40 days back
    assert r["kind"] == "highest_since" and r["since"] == 10
    assert notable_block(base, DATES[: base.size])["text"] == f"the highest since {DATES[10].date()}"
    # the boundary: the earlier day as low exactly 30 days back counts, 29 days back does not
    for gap, kind in ((30, "lowest_since"), (29, None)):
        x = np.concatenate([[1.0], np.full(40, 9.0), [5.0], np.full(gap - 1, 9.0), [5.0]])
        assert network.notable(x)["kind"] == kind, gap
    low = np.concatenate([[1.0], np.full(40, 9.0), [5.0], np.full(29, 9.0), [5.0]])
    assert network.notable(low)["since"] == 41


def test_ties_strict_and_nan():
    x = np.concatenate([np.linspace(0.0, 0.2, 20), np.zeros(20), np.linspace(0.0, 0.1, 10), np.full(40, 0.1)])
    assert network.notable(x, sides=("high",))["kind"] is None  # as deep 1 day ago, not notable
    r = network.notable(x, sides=("high",), strict=True)  # only a deeper day ends the run: the first episode
    assert r["kind"] == "highest_since" and r["since"] == 19
    y = np.concatenate([[np.nan] * 5, np.arange(40.0, 0.0, -1)])
    assert network.notable(y)["kind"] == "record_low"
    assert network.notable(np.append(y, np.nan))["kind"] is None
    with pytest.raises(ValueError, match="min_days"):
        network.notable(y, min_days=0)
    with pytest.raises(ValueError, match="sides"):
        network.notable(y, sides=("up",))
    with pytest.raises(ValueError, match="values"):
        network.notable([])


def test_drawdown_to_date():
    x = np.array([np.nan, 10.0, 9.0, 8.0, 9.5, 10.0, 11.0, 10.0, 11.5])
    d = network.drawdown_to_date(x)
    assert d["depth"] == pytest.approx([0, 0, 0.1, 0.2, 0.05, 0, 0, 1 / 11, 0])
    assert d["depth_to_date"] == pytest.approx([0, 0, 0.1, 0.2, 0.2, 0, 0, 1 / 11, 0])
    assert list(d["peak"]) == [-1, 1, 1, 1, 1, 5, 6, 6, 8]
    b = notable_block(np.linspace(0, 0.05, 40), DATES[:40], change="depth", vocabulary="drawdown")
    assert b["kind"] == "record_high" and b["text"] == "the largest on record"


# ------------------------------------------------------------------ on the embedded data


def test_index_on_2026_06_01_does_not_say_lowest_since_2026_05_27(home):
    from hashpower.figures.index import index_figures

    f = index_figures("2026-06-01")
    assert f["lowest_since"] == "2026-05-27"  # the old key, kept for compatibility
    n = f["notable"]
    assert n["kind"] is None and n["since"] is None and n["change_30d_points"] > 10
    assert n["text"].startswith("up ") and "points in 30 days" in n["text"]
    r = run_cli("index", "--date", "2026-06-01", home=home)
    assert r.returncode == 0, r.stderr
    assert "lowest since 2026-05-27" not in r.stdout and "up " in r.stdout
    out = json.loads(run_cli("index", "--date", "2026-06-01", "--json", home=home).stdout)
    assert out["notable"] == n


def test_index_low_of_march_2026_is_notable(home):
    from hashpower.figures.index import index_figures

    n = index_figures("2026-03-19")["notable"]  # 7.4, far below anything in three years
    assert n["kind"] == "lowest_since" and n["since"] < "2023-03-19"
    assert n["text"] == f"the lowest since {n['since']}"


def test_drawdown_and_hashprice_use_the_rule(home):
    from hashpower.figures.brief import hashprice_context
    from hashpower.figures.network import network_figures

    # the 2025-11 decline: the largest since the China-ban episode of 2021 (docs/network.md, the press's reading)
    f = network_figures("2026-02-15")
    assert f["drawdown_notable"]["kind"] == "highest_since"
    assert f["drawdown_notable"]["since"] == f["largest_drawdown_since"] == "2021-04-15"
    assert f["drawdown_notable"]["text"] == "the largest since the drawdown that began 2021-04-15"
    import datetime as dt

    for day in ("2026-02-01", "2026-06-01"):
        ctx = hashprice_context(dt.date.fromisoformat(day))
        n = ctx["notable"]
        if n["kind"] == "lowest_since":
            assert (dt.date.fromisoformat(day) - dt.date.fromisoformat(n["since"])).days >= 30
        else:
            assert n["kind"] in (None, "record_low", "highest_since", "record_high")
        assert n["text"]
        assert "lowest_since" in ctx and "is_record_low" in ctx  # the old keys stay


def test_brief_and_html_print_the_notable_text(home, tmp_path):
    html = tmp_path / "b.html"
    r = run_cli("brief", "--date", "2026-06-01", "--no-scenarios", "--html", str(html), home=home, timeout=300,
                env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "lowest since 2026-05-27" not in text and "points in 30 days" in text
    page = html.read_text()
    assert "points in 30 days" in page and "lowest since 2026-05-27" not in page
