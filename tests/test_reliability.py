"""A damaged store gets a clear message and `data rebuild` recovers it, with the user's imports."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

import hashpower


def _import(home, tmp_path, price="123456"):
    f = tmp_path / "fix.csv"
    f.write_text(f"date,price_usd\n2026-01-02,{price}\n")
    r = run_cli("data", "import", str(f), home=home)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_store_message_and_rebuild(home, tmp_path, damage):
    _import(home, tmp_path)
    db = home / "hashpower.duckdb"
    data = db.read_bytes()
    if damage == "garbage":
        db.write_bytes(b"\x00not a database\xff" * 4096)
    elif damage == "truncated":
        db.write_bytes(data[: len(data) // 3])
    else:
        db.write_bytes(b"")
    r = run_cli("data", "status", "--json", home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert ("damaged" in r.stderr or "could not be read" in r.stderr) and "data rebuild" in r.stderr
    r = run_cli("data", "rebuild", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["imports_replayed"]) == 1 and out["previous_file"]
    st = json.loads(run_cli("data", "status", "--json", home=home).stdout)
    assert st["rows"] >= 6300
    assert hashpower.history("2026-01-02", "2026-01-02")["price_usd"].iloc[0] == 123456  # the import survived


def test_imports_are_kept_and_replayed_in_order(home, tmp_path):
    _import(home, tmp_path, "111")
    _import(home, tmp_path, "222")
    assert len(list((home / "imports").glob("*.csv"))) == 2
    r = run_cli("data", "rebuild", home=home)
    assert r.returncode == 0 and "imports replayed: 2" in r.stdout
    assert hashpower.history("2026-01-02", "2026-01-02")["price_usd"].iloc[0] == 222


def test_failed_import_keeps_no_copy(home, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("date,price_usd\n2026-01-02,-5\n")
    assert run_cli("data", "import", str(f), home=home).returncode == 2
    assert not (home / "imports").exists() or not list((home / "imports").glob("*.csv"))
