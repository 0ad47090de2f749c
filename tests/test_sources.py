"""Live sources against a local server that replays recorded, real-shaped responses."""

from __future__ import annotations

import datetime as dt

import httpx
import numpy as np
import pandas as pd
import pytest
from conftest import digest, run_cli, truncate
from replay import RPC_PASSWORD, RPC_USER, ReplayServer

import hashpower
from hashpower import store
from hashpower.store.sources import SourceError, bitcoind, mempool, refresh
from hashpower.store.sources.pools import PoolMatcher

TODAY = dt.date(2026, 6, 2)
CUT_DATE = "2026-05-25"
CUT_HEIGHT = 946_200


@pytest.fixture
def server():
    with ReplayServer() as srv:
        yield srv


def _cm(server, **kw):
    return refresh("coinmetrics", f"{server.url}/v4", today=TODAY, **kw)


def test_coinmetrics_refresh_reproduces_the_embedded_days(home, server):
    expected = hashpower.history("2026-05-26", "2026-06-01")
    truncate(home, last_date=CUT_DATE)
    res = _cm(server)
    assert res["days_added"] == 7
    assert res["last_date"] == "2026-06-01"
    got = hashpower.history("2026-05-26", "2026-06-01")
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9, check_dtype=False)
    assert any("next_page_token" in r for r in server.state.requests)  # followed the second page
    st = {s["name"]: s for s in store.status()["sources"]}
    assert st["coinmetrics"]["rows_added"] == 7 and st["coinmetrics"]["refreshed_at"]


def test_second_refresh_is_a_noop(home, server):
    truncate(home, last_date=CUT_DATE)
    _cm(server)
    before = digest(home)
    res = _cm(server)
    assert res["days_added"] == 0
    assert digest(home) == before


@pytest.mark.parametrize("mode", ["malformed", "error", "garbage", "hang"])
def test_failed_coinmetrics_refresh_leaves_store_unchanged(home, server, mode, monkeypatch):
    monkeypatch.setattr("hashpower.store.sources._http.DEFAULT_BACKOFF_S", 0.01)
    truncate(home, last_date=CUT_DATE)
    before = digest(home)
    server.state.mode = mode
    with pytest.raises(SourceError) as err:
        _cm(server, timeout=0.3)
    assert "coinmetrics" in str(err.value)
    assert digest(home) == before


def test_timeouts_retry_a_bounded_number_of_times(home, server, monkeypatch):
    monkeypatch.setattr("hashpower.store.sources._http.DEFAULT_BACKOFF_S", 0.01)
    truncate(home, last_date=CUT_DATE)  # days to fetch (the embedded data runs past the recorded "today")
    server.state.mode = "error"
    with pytest.raises(SourceError, match="HTTP 500"):
        _cm(server)
    assert len(server.state.requests) == 3


def test_mempool_refresh_appends_blocks_with_pools_from_coinbase(home, server):
    expected = hashpower.blocks(start="2026-04-22")
    expected = expected[expected["height"] > CUT_HEIGHT].reset_index(drop=True)
    truncate(home, last_height=CUT_HEIGHT)
    res = refresh("mempool", server.url)
    assert res["blocks_added"] == 36 and res["last_block_height"] == 946_236
    got = hashpower.blocks(start="2026-04-22")
    got = got[got["height"] > CUT_HEIGHT].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    before = digest(home)
    assert refresh("mempool", server.url)["blocks_added"] == 0
    assert digest(home) == before


def test_mempool_malformed_blocks_leave_store_unchanged(home, server):
    truncate(home, last_height=CUT_HEIGHT)
    before = digest(home)
    server.state.mode = "malformed"
    with pytest.raises(SourceError, match="mempool"):
        refresh("mempool", server.url)
    assert digest(home) == before


def test_mempool_epoch_start_block_gives_the_epoch_difficulty(server):
    """Block 945,504 opens epoch 469: its bits give the Electrum checkpoint's difficulty."""
    matcher = PoolMatcher.from_list(store.pools()["pools"])
    with httpx.Client(base_url=server.url) as client:
        _, stats, ep = mempool.fetch_blocks(client, 945_490, 945_504, matcher)
    assert list(ep["epoch"]) == [469]
    ref = hashpower.epochs().set_index("epoch").loc[469, "difficulty"]
    assert ep["difficulty"].iloc[0] == pytest.approx(ref, rel=1e-12)
    assert (stats["subsidy_sat"] == 312_500_000).all()


def test_bitcoind_refresh_matches_mempool(home, server):
    expected = hashpower.blocks(start="2026-04-22")
    expected = expected[expected["height"] > CUT_HEIGHT].reset_index(drop=True)
    truncate(home, last_height=CUT_HEIGHT)
    res = refresh("bitcoind", server.url, auth=bitcoind.auth(RPC_USER, RPC_PASSWORD))
    assert res["blocks_added"] == 36
    got = hashpower.blocks(start="2026-04-22")
    got = got[got["height"] > CUT_HEIGHT].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    con = store.connect()
    try:
        fees = con.execute("SELECT fees_sat FROM block_stats WHERE height > ?", [CUT_HEIGHT]).df()
    finally:
        con.close()
    assert len(fees) == 36 and (fees["fees_sat"] > 0).all()


def test_bitcoind_cookie_file_and_bad_credentials(home, server, tmp_path):
    cookie = tmp_path / ".cookie"
    cookie.write_text(f"{RPC_USER}:{RPC_PASSWORD}")
    truncate(home, last_height=CUT_HEIGHT)
    assert refresh("bitcoind", server.url, auth=bitcoind.auth(cookie_file=cookie))["blocks_added"] == 36
    with pytest.raises(SourceError, match="refused the credentials") as err:
        refresh("bitcoind", server.url, auth=bitcoind.auth(RPC_USER, "wrong-password"))
    assert "wrong-password" not in str(err.value)


def test_cli_never_prints_rpc_credentials(home, server):
    truncate(home, last_height=CUT_HEIGHT)
    env = {"HASHPOWER_BITCOIND_USER": RPC_USER, "HASHPOWER_BITCOIND_PASSWORD": RPC_PASSWORD}
    ok = run_cli("data", "refresh", "--source", "bitcoind", "--url", server.url, "--json", home=home, env=env)
    assert ok.returncode == 0, ok.stderr
    bad = run_cli("data", "refresh", "--source", "bitcoind", "--url", server.url, home=home,
                  env={**env, "HASHPOWER_BITCOIND_PASSWORD": "not-the-password"})
    assert bad.returncode == 2 and "refused the credentials" in bad.stderr
    st = run_cli("data", "status", "--json", home=home, env=env)
    for out in (ok.stdout, ok.stderr, bad.stdout, bad.stderr, st.stdout):
        assert RPC_PASSWORD not in out and "not-the-password" not in out


def test_cli_refresh_json_and_unreachable_source(home, server):
    truncate(home, last_date=CUT_DATE)
    r = run_cli("data", "refresh", "--source", "coinmetrics", "--url", f"{server.url}/v4", "--json", home=home)
    assert r.returncode == 0, r.stderr
    import json

    out = json.loads(r.stdout)
    assert out["source"] == "coinmetrics" and out["last_date"] >= "2026-06-01"
    before = digest(home)
    dead = run_cli("data", "refresh", "--url", "http://127.0.0.1:9/v4", "--timeout", "0.5", home=home)
    assert dead.returncode == 2
    assert dead.stderr.count("\n") == 1 and "connection failed" in dead.stderr
    assert digest(home) == before


def test_parse_daily_derives_subsidy_from_usd_issuance():
    from hashpower.store.sources.coinmetrics import parse_daily

    df, token = parse_daily({"data": [
        {"asset": "btc", "time": "2026-06-02T00:00:00.000000000Z", "PriceUSD": "70000", "IssTotUSD": "30625000",
         "HashRate": "9.5e8"},
        {"asset": "btc", "time": "2026-06-03T00:00:00.000000000Z"},  # today's partial row: dropped
    ]})
    assert token is None and len(df) == 1
    assert df["subsidy_btc"].iloc[0] == pytest.approx(437.5)  # 140 blocks x 3.125 BTC
    assert np.isclose(df["hashrate_ths"].iloc[0], 9.5e8)
