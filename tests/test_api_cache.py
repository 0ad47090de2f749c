"""The API's response cache: a replayed response equals a computed one, and a change of the store drops it."""

from __future__ import annotations

import httpx
from conftest import run_cli
from liveserver import live_server


def test_replayed_equals_computed_and_a_store_change_drops_it(built_store, tmp_path):
    with live_server(built_store, tmp_path / "h") as srv:
        url = srv.url + "/v1/hashprice?date=2026-06-01"
        first = httpx.get(url, timeout=30)
        again = [httpx.get(url, timeout=30) for _ in range(5)]
        assert all(r.status_code == 200 and r.content == first.content for r in again)
        assert all(r.headers["content-type"] == first.headers["content-type"] for r in again)
        bad = [httpx.get(srv.url + "/v1/hashprice?price=-1", timeout=30) for _ in range(2)]
        assert bad[0].status_code == bad[1].status_code == 422 and bad[0].content == bad[1].content
        f = tmp_path / "p.csv"
        f.write_text("date,price_usd\n2026-06-01,50000\n")
        assert run_cli("data", "import", str(f), home=srv.home).returncode == 0
        after = httpx.get(url, timeout=30).json()
        assert first.json()["price_usd"] != 50000 and after["price_usd"] == 50000
