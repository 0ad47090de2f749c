"""Hashvalue: hashprice in satoshis per TH/s per day, beside USD and BTC, in every interface."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import run_cli
from liveserver import live_server

DAY = "2026-02-01"


def test_sats_per_th_day_is_btc_per_ph_day_times_1e8_over_1000_exactly(home):  # noqa: ARG001
    from hashpower.figures.hashprice import hashprice_figures

    for kw in ({}, {"price_usd": 76176.0}, {"hashrate_hs": 900e18}):
        f = hashprice_figures(DAY, **kw)
        assert f["sat_per_th_day"] == f["btc_per_ph_day"] * 1e8 / 1000  # 1 BTC = 1e8 sat; 1 PH/s = 1000 TH/s
        assert f["sat_per_ph_day"] == f["btc_per_ph_day"] * 1e8
        assert f["sat_per_th_day"] == pytest.approx(f["btc_per_th_day"] * 1e8, rel=1e-15)
    # the day's hashprice by difficulty (the embedded data): about 44.7 sats per TH/s per day
    assert hashprice_figures(DAY)["sat_per_th_day"] == pytest.approx(44.67, abs=0.01)


def test_cli_brief_and_api_show_sats(home, built_store, tmp_path):
    r = run_cli("hashprice", "--date", DAY, "--json", home=home)
    f = json.loads(r.stdout)
    text = run_cli("hashprice", "--date", DAY, home=home, env={"COLUMNS": "200"}).stdout
    assert f"{f['sat_per_th_day']:,.2f} sats per TH/s per day" in text
    b = json.loads(run_cli("brief", "--date", DAY, "--no-scenarios", "--json", home=home, timeout=300).stdout)
    assert b["hashprice"]["sat_per_th_day"] == f["sat_per_th_day"]
    text = run_cli("brief", "--date", DAY, "--no-scenarios", home=home, timeout=300, env={"COLUMNS": "200"}).stdout
    assert f"{f['sat_per_th_day']:,.2f} sats/TH" in text
    with live_server(built_store, tmp_path / "api-home") as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        a = c.get("/v1/hashprice", params={"date": DAY}).json()
        assert a["sat_per_th_day"] == f["sat_per_th_day"] and a["sat_per_ph_day"] == f["sat_per_ph_day"]
