"""`data import`: validated, idempotent, atomic."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import digest, truncate

import hashpower
from hashpower.store.ingest import import_csv


def _embedded_rows_as_csv(path, start, end, columns):
    h = hashpower.history(start, end, columns=columns)
    h.index = h.index.strftime("%Y-%m-%d")
    h.to_csv(path, index_label="date")
    return h


def test_import_new_days_derives_the_rest(home, tmp_path):
    expected = hashpower.history("2026-05-30", "2026-06-01")
    f = tmp_path / "days.csv"
    _embedded_rows_as_csv(f, "2026-05-30", "2026-06-01",
                          ["blocks", "price_usd", "hashrate_ths", "fees_btc", "tx_count", "active_addresses"])
    truncate(home, last_date="2026-05-29")
    res = import_csv(f)
    assert {k: v for k, v in res.items() if k != "import_id"} == {"file": str(f), "rows_in_file": 3, "rows_changed": 3}
    assert res["import_id"]
    got = hashpower.history("2026-05-30", "2026-06-01")
    # height, difficulty (epoch by height), subsidy, supply, revenue and market cap are derived
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9, check_dtype=False)


def test_import_twice_changes_nothing(home, tmp_path):
    f = tmp_path / "days.csv"
    _embedded_rows_as_csv(f, "2026-05-30", "2026-06-01", ["blocks", "price_usd", "fees_btc"])
    truncate(home, last_date="2026-05-29")
    import_csv(f)
    before = digest(home)
    assert import_csv(f)["rows_changed"] == 0
    assert digest(home) == before


def test_import_overrides_existing_values(home, tmp_path):
    f = tmp_path / "fix.csv"
    f.write_text("date,price_usd\n2026-01-02,90000\n")
    assert import_csv(f)["rows_changed"] == 1
    assert hashpower.history("2026-01-02", "2026-01-02")["price_usd"].iloc[0] == 90000
    st = {s["name"]: s for s in hashpower.status()["sources"]}
    assert st["import"]["rows_added"] == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("date,price_usd,colour\n2026-01-02,1,red\n", "unknown columns"),
        ("price_usd\n1\n", "no 'date' column"),
        ("date,price_usd\n2026-02-30,1\n", "not YYYY-MM-DD"),
        ("date,price_usd\n2026-01-03,1\n2026-01-02,1\n", "increasing"),
        ("date,price_usd\n2026-01-02,1\n2026-01-04,1\n", "contiguous"),
        ("date,price_usd\n2026-01-02,-5\n", "plausible range"),
        ("date,price_usd\n2026-01-02,nan\n", "not a number"),
        ("date,price_usd\n2026-01-02,inf\n", "plausible range"),
        ("date,price_usd\n2026-01-02,abc\n", "not a number"),
        ("date,blocks\n2026-01-02,5000\n", "plausible range"),
        ("date,price_usd,blocks\n2026-10-10,70000,140\n", "gap"),
        ("date,blocks\n2026-10-08,140\n", "needs price_usd"),
        ("date,price_usd,fees_btc,blocks,height_end\n2026-10-08,70000,0.02,140,1\n", "height_end"),
        ("date,price_usd\n2008-01-01,1\n", "before the first day"),
        ("date,price_usd\n", "no rows"),
        ('date,price_usd\n"2026-01-02,1\n', "not a valid CSV"),
    ],
)
def test_bad_rows_are_rejected_and_nothing_is_written(home, tmp_path, content, match):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    before = digest(home)
    with pytest.raises(ValueError, match=match):
        import_csv(f)
    assert digest(home) == before


def test_missing_and_binary_files(home, tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        import_csv(tmp_path / "absent.csv")
    f = tmp_path / "bin.csv"
    f.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError):
        import_csv(f)


def test_the_scheduled_supply_in_closed_form_equals_the_per_block_sum():
    from hashpower.store.ingest import _issued_sat, _scheduled_supply_btc

    for h in (0, 5, 209_999, 210_000, 419_999, 840_000, 950_123):
        assert _scheduled_supply_btc(h) == _issued_sat(-1, h + 1) / 100_000_000
