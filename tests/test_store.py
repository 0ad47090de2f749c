"""The store's Python API: history(), blocks(), status(), building on first use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import hashpower
from hashpower import store

PUBLIC = ["__version__", "Site", "backtest", "blocks", "breakeven_hashprice", "breakeven_power_price", "brief",
          "btc_per_th_day", "catalog", "cbeci_power_bounds", "chain", "concentration_daily", "cost_rate",
          "difficulty_from_bits", "double_spend_probability", "drawdown_episodes", "drawdowns", "epochs",
          "estimate_next_adjustment", "fleet", "hardware_attack_cost_usd", "hashprice", "hashprice_daily",
          "hashrate_daily", "hashrate_from_blocks", "hhi", "history", "index", "index_daily", "indicators_daily",
          "irr", "lease_table", "load_fleet", "load_site", "lsmc", "machines", "nakamoto_coefficient", "network",
          "npv", "outlook", "parse_hashrate", "pivot", "pool_shares_daily", "power_daily",
          "rental_attack_cost_usd_per_hour", "security", "shutdown_price_usd", "simulate", "status", "subsidy_sat",
          "sustainability_index", "to_ehs", "to_ths", "units", "usd_per_th_day"]


def test_public_names_are_pinned():
    assert hashpower.__all__ == PUBLIC
    assert dir(hashpower) == sorted(PUBLIC)
    for name in hashpower.__all__:
        assert getattr(hashpower, name) is not None
    assert hashpower.cost_rate is hashpower.machines.cost_rate
    assert hashpower.Site is hashpower.pivot.Site
    assert hashpower.sustainability_index is hashpower.index.sustainability_index
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        hashpower.nope  # noqa: B018


def test_import_hashpower_loads_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, hashpower; heavy = [m for m in ('numpy', 'pandas', 'duckdb', 'numba', 'httpx') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_notebook_session_with_the_public_api(home):
    h = hashpower.history(start="2026-02-01", end="2026-02-01", columns=["price_usd", "difficulty"])
    hp = hashpower.usd_per_th_day(h["difficulty"].iloc[0], h["price_usd"].iloc[0], 3.125)
    cat = hashpower.catalog()
    cr = hashpower.cost_rate(cat.efficiency_j_per_th, 0.06, hp)
    assert len(cr) == len(cat) and float(hp) > 0


def test_store_is_built_on_first_use(tmp_path, monkeypatch):
    monkeypatch.setenv("HASHPOWER_HOME", str(tmp_path / "new-home"))
    assert not (tmp_path / "new-home" / "hashpower.duckdb").exists()
    st = hashpower.status()
    assert (tmp_path / "new-home" / "hashpower.duckdb").exists()
    assert st["rows"] >= 6300 and st["first_date"] == "2009-01-03" and st["last_date"] == "2026-10-07"
    assert [s["name"] for s in st["sources"]] == ["embedded"]
    assert list(tmp_path.joinpath("new-home").glob("*.tmp.duckdb")) == []


def test_default_home_is_under_local_share(monkeypatch):
    monkeypatch.delenv("HASHPOWER_HOME", raising=False)
    assert store.home() == Path.home() / ".local" / "share" / "hashpower"


def test_history_window_and_columns(home):
    h = hashpower.history("2026-01-30", "2026-02-02", columns=["price_usd", "difficulty"])
    assert list(h.columns) == ["price_usd", "difficulty"]
    assert list(h.index) == list(pd.date_range("2026-01-30", "2026-02-02"))
    assert h.index.name == "date"
    h2 = hashpower.history(dt.date(2026, 1, 30), pd.Timestamp("2026-02-02"), columns="price_usd,difficulty")
    pd.testing.assert_frame_equal(h, h2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": ["price_usd", "nope"]}, "columns"),
        ({"columns": []}, "columns"),
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-02-02", "end": "2026-02-01"}, "after end"),
        ({"start": "2027-01-01"}, "outside the data"),
        ({"end": "2008-12-31"}, "outside the data"),
    ],
)
def test_history_rejects_bad_requests(home, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hashpower.history(**kwargs)


def test_blocks_window(home):
    b = hashpower.blocks("2026-04-01", "2026-04-01")
    assert list(b.columns) == ["height", "timestamp", "pool"]
    assert (b["timestamp"].dt.date == dt.date(2026, 4, 1)).all()
    assert 100 < len(b) < 200
    assert b["pool"].str.len().gt(0).all()


def test_check_date(home):
    assert store.check_date("2026-10-07") == dt.date(2026, 10, 7)
    with pytest.raises(ValueError, match="outside the data"):
        store.check_date("2026-10-08")


def test_corrupt_store_gets_a_clear_message(home):
    (home / "hashpower.duckdb").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValueError, match="cannot be opened"):
        hashpower.status()
