"""How current the data is, said in every output, and the fees of the days without fee data.

The embedded history runs to 2026-10-07; public daily fees end on 2026-06-01 (src/hashpower/data/SOURCES.md).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from conftest import run_cli

from hashpower import store
from hashpower.figures import series
from hashpower.figures.hashprice import hashprice_figures

LAST_DAY = "2026-10-07"
FEES_LAST_DAY = "2026-06-01"


def test_freshness_against_a_given_today(home):
    f = store.freshness(dt.date(2026, 12, 2))
    assert f["data_last_day"] == LAST_DAY and f["fees_last_day"] == FEES_LAST_DAY
    assert f["data_age_days"] == 56 and f["data_stale"] is True and "data refresh" in f["data_refresh"]
    # two days old is not stale; three is
    assert store.freshness(dt.date(2026, 10, 9))["data_stale"] is False
    assert store.freshness(dt.date(2026, 10, 10))["data_stale"] is True


def test_fee_estimate_is_the_median_of_the_last_30_fee_days(home):
    h = store.history("2026-04-01", FEES_LAST_DAY, ["fees_btc", "blocks"])
    per_block = (h["fees_btc"] / h["blocks"]).to_numpy()[-30:]
    e = store.fee_estimate(LAST_DAY)
    assert e["fees_last_day"] == FEES_LAST_DAY and e["days"] == 30
    assert e["fees_btc_per_block"] == pytest.approx(float(np.median(per_block)), rel=1e-12)


def test_the_raw_history_keeps_fees_missing_and_the_figures_say_they_are_estimated(home):
    raw = store.history("2026-06-01", LAST_DAY)
    assert np.isfinite(raw["fees_btc"].iloc[0]) and raw["fees_btc"].iloc[1:].isna().all()
    h = series.history()
    est = h["fees_estimated"]
    assert not est.loc[:FEES_LAST_DAY].any() and est.loc["2026-06-02":].all()
    per_block = store.fee_estimate(FEES_LAST_DAY)["fees_btc_per_block"]
    late = h.loc["2026-06-02":]
    np.testing.assert_allclose(late["fees_btc"], per_block * late["blocks"], rtol=1e-12)
    np.testing.assert_allclose(late["revenue_usd"], (late["subsidy_btc"] + late["fees_btc"]) * late["price_usd"],
                               rtol=1e-12)


def test_hashprice_flags_a_day_without_fee_data(home):
    f = hashprice_figures(LAST_DAY)
    assert f["fees_included"] is False and f["fees_estimated"] is True and FEES_LAST_DAY in f["fees_note"]
    assert f["fees_btc_per_block"] == pytest.approx(store.fee_estimate(LAST_DAY)["fees_btc_per_block"])
    g = hashprice_figures(FEES_LAST_DAY)
    assert g["fees_included"] is True and g["fees_estimated"] is False and g["fees_note"] is None
    # given fees are the user's: included
    assert hashprice_figures(LAST_DAY, fees_btc_per_block=0.01)["fees_included"] is True


@pytest.mark.parametrize("cmd", [("hashprice",), ("index",), ("network",), ("security",), ("machines",)])
def test_every_json_output_says_how_old_the_data_is(home, cmd):
    r = run_cli(*cmd, "--json", home=home, env={"HASHPOWER_NO_CACHE": "1"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    today = dt.datetime.now(dt.UTC).date()
    assert out["data_last_day"] == LAST_DAY and out["fees_last_day"] == FEES_LAST_DAY
    assert out["data_age_days"] == (today - dt.date(2026, 10, 7)).days
    assert out["data_stale"] is (out["data_age_days"] > 2)
    assert ("data_refresh" in out) is out["data_stale"]
    assert out["fees_estimated"] is (out["date"] > FEES_LAST_DAY)  # the latest day: after the last fee day
    assert r.stderr == ""  # the JSON says it; no line on stderr


def test_a_day_with_fee_data_says_its_fees_are_not_estimated(home):
    r = run_cli("index", "--date", "2026-02-01", "--json", home=home, env={"HASHPOWER_NO_CACHE": "1"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fees_estimated"] is False


def test_a_table_is_followed_by_one_line_when_the_data_is_stale(home):
    r = run_cli("index", home=home)
    assert r.returncode == 0, r.stderr
    age = (dt.datetime.now(dt.UTC).date() - dt.date(2026, 10, 7)).days
    lines = r.stderr.splitlines()
    if age > 2:
        assert len(lines) == 1 and LAST_DAY in lines[0] and f"{age} days ago" in lines[0]
        assert "hashpower data refresh" in lines[0] and f"fees estimated after {FEES_LAST_DAY}" in lines[0]
    else:
        assert lines == []


def test_the_html_briefing_says_how_old_the_data_is(home, tmp_path):
    out = tmp_path / "b.html"
    r = run_cli("brief", "--no-scenarios", "--html", str(out), home=home)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert f"Data to {LAST_DAY}" in text and f"No fee data after {FEES_LAST_DAY}" in text


def test_a_store_older_than_the_shipped_data_says_rebuild(home, monkeypatch):
    """A store built by an earlier version (its last day before the embedded data's) is told to rebuild."""
    import datetime as dt

    import duckdb

    from hashpower.store import age, db

    db.ensure()
    con = duckdb.connect(str(db.db_path()))
    try:
        shipped = con.execute("SELECT max(date) FROM daily").fetchall()[0][0]
        con.execute("DELETE FROM daily WHERE date > ?", [shipped - dt.timedelta(days=30)])
    finally:
        con.close()
    f = age.freshness(today=shipped)
    assert f["embedded_last_day"] == shipped.isoformat()
    assert f["data_stale"] and f["data_refresh"].startswith("hashpower data rebuild")
    assert shipped.isoformat() in f["data_refresh"]
    db.ensure()
    from hashpower.store import rebuild

    rebuild()
    f = age.freshness(today=shipped)
    assert f["data_last_day"] == shipped.isoformat() and not f["data_refresh"].startswith("hashpower data rebuild")
