"""The output cache: a hit prints the same bytes as a fresh run, and any change of the store invalidates it."""

from __future__ import annotations

import json

from conftest import run_cli


def test_a_hit_prints_the_same_bytes_and_loads_no_heavy_library(home):
    first = run_cli("index", "--date", "2026-01-28", "--json", home=home)
    assert first.returncode == 0
    assert len(list((home / "cache").glob("*.json"))) == 1
    probe = ("import sys; from hashpower.cli import main; rc = main(['index', '--date', '2026-01-28', '--json']); "
             "print([m for m in ('numpy', 'pandas', 'duckdb', 'httpx') if m in sys.modules], file=sys.stderr)")
    import os
    import subprocess
    import sys

    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env={**os.environ, "HASHPOWER_HOME": str(home)}, check=True)
    assert again.stdout == first.stdout
    assert again.stderr.strip() == "[]"
    fresh = run_cli("index", "--date", "2026-01-28", "--json", home=home, env={"HASHPOWER_NO_CACHE": "1"})
    assert fresh.stdout == first.stdout


def test_an_import_invalidates_the_cache(home, tmp_path):
    before = json.loads(run_cli("hashprice", "--date", "2026-06-01", "--json", home=home).stdout)
    f = tmp_path / "p.csv"
    f.write_text("date,price_usd\n2026-06-01,50000\n")
    assert run_cli("data", "import", str(f), home=home).returncode == 0
    after = json.loads(run_cli("hashprice", "--date", "2026-06-01", "--json", home=home).stdout)
    assert before["price_usd"] != 50000 and after["price_usd"] == 50000


def test_what_is_not_cached(home, tmp_path):
    for argv in (["hashprice"], ["brief", "--json", "--html", str(tmp_path / "b.html")], ["data", "status", "--json"],
                 ["hashprice", "--price", "-1", "--json"]):
        run_cli(*argv, home=home)
    assert not (home / "cache").exists() or not list((home / "cache").glob("*.json"))
