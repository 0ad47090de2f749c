"""Reliability, round two: imports that cannot break the store, an atomic rebuild, bounded reads and inputs.

Each test reproduces a fault found by attacking the tool (docs/reliability.md) and fails on the code
that had it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import digest, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashpower import store

SOAK = os.environ.get("HASHPOWER_SOAK") == "1"
COMMANDS = [["hashprice", "--json"], ["machines", "--json"], ["index", "--json"], ["network", "--json"],
            ["security", "--json"], ["pivot", "--paths", "200", "--json"],
            ["simulate", "--preset", "baseline", "--paths", "5", "--years", "1", "--json"],
            ["brief", "--no-scenarios", "--json"]]


def _csv(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


# --------------------------------------------------------------------------- 1. imports


@pytest.mark.parametrize("text, rule", [
    ("date,price_usd,blocks\n2026-10-08,70000,144\n", "needs fees_btc"),
    ("date,difficulty\n2026-06-01,1\n", "disagrees with epoch"),
    ("date,height_end\n2026-06-01,5\n", "height_end"),
    ("date,blocks\n2026-06-01,0\n", "height_end"),
    ("date,supply_btc\n2026-06-01,1\n", "issuance schedule"),
])
def test_an_import_that_contradicts_the_chain_is_refused(home, tmp_path, text, rule):
    before = digest(home)
    r = run_cli("data", "import", str(_csv(tmp_path, text)), home=home)
    assert r.returncode == 2, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and rule in lines[0], r.stderr
    assert digest(home) == before
    assert not (home / "imports").exists() or not list((home / "imports").glob("*.csv"))


def test_future_days_are_refused_quickly(home, tmp_path):
    start = dt.date(2026, 6, 2)
    rows = "".join(f"{start + dt.timedelta(days=i)},70000,0.02,144\n" for i in range(86_000))
    f = _csv(tmp_path, "date,price_usd,fees_btc,blocks\n" + rows)
    before = digest(home)
    r = run_cli("data", "import", str(f), home=home, timeout=60)
    assert r.returncode == 2 and "in the future" in r.stderr
    assert digest(home) == before


def test_a_partial_import_changes_only_its_columns_and_can_be_undone(home, tmp_path):
    h0 = store.history("2026-05-31", "2026-06-01")
    f = _csv(tmp_path, "date,price_usd\n2026-06-01,70000\n")
    r = run_cli("data", "import", str(f), "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["rows_changed"] == 1 and out["import_id"]
    h1 = store.history("2026-05-31", "2026-06-01")
    assert h1["price_usd"].iloc[-1] == 70000
    for c in h0.columns:
        if c != "price_usd":
            assert h1[c].iloc[-1] == pytest.approx(h0[c].iloc[-1], nan_ok=True), c
    listed = json.loads(run_cli("data", "imports", "--json", home=home).stdout)["imports"]
    assert [i["id"] for i in listed] == [out["import_id"]] and listed[0]["file"] == "d.csv"
    r = run_cli("data", "imports", "remove", out["import_id"], "--json", home=home)
    assert r.returncode == 0, r.stderr
    assert store.history("2026-06-01", "2026-06-01")["price_usd"].iloc[0] == h0["price_usd"].iloc[-1]
    assert json.loads(run_cli("data", "imports", "--json", home=home).stdout)["imports"] == []
    r = run_cli("data", "imports", "remove", "nope", home=home)
    assert r.returncode == 2 and "no kept import" in r.stderr


def test_rebuild_skips_a_kept_import_that_no_longer_passes(home):
    d = home / "imports"
    d.mkdir()
    (d / "20260101T000000000000-old.csv").write_text("date,price_usd,blocks\n2026-10-08,70000,144\n")
    r = run_cli("data", "rebuild", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["imports_replayed"] == [] and out["imports_skipped"][0]["file"].endswith("old.csv")
    assert run_cli("hashprice", "--json", home=home).returncode == 0


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=st.floats(1.0, 1e6), fees=st.floats(0.0, 50.0), tx=st.floats(0, 1e6), new_days=st.integers(0, 2),
       day=st.integers(0, 400))
def test_every_command_works_after_any_accepted_import(home, tmp_path, price, fees, tx, new_days, day):
    """Random valid imports (existing days' prices, fees and counts; new days), then every command exits 0."""
    last = store.date_range()[1]
    old = last - dt.timedelta(days=day)
    text = "date,price_usd,fees_btc,tx_count\n" + f"{old},{price:.6f},{fees:.8f},{tx:.0f}\n"
    f = _csv(tmp_path, text, f"old-{day}.csv")
    r = run_cli("data", "import", str(f), home=home)
    assert r.returncode == 0, r.stderr
    if new_days:
        rows = "".join(f"{last + dt.timedelta(days=i + 1)},{price:.6f},{fees:.8f},144\n" for i in range(new_days))
        r = run_cli("data", "import", str(_csv(tmp_path, "date,price_usd,fees_btc,blocks\n" + rows, "new.csv")),
                    home=home)
        assert r.returncode == 0, r.stderr
    for cmd in COMMANDS:
        r = run_cli(*cmd, home=home, timeout=120)
        assert r.returncode == 0, (cmd, r.stderr)
        json.loads(r.stdout)


# --------------------------------------------------------------------------- 3. the rebuild's swap

_KILLER = """
import os, signal, sys
step = int(sys.argv[1])
calls = {"n": 0}
for name in ("link", "replace", "fsync"):
    real = getattr(os, name)
    def wrapped(*a, _real=real, **k):
        calls["n"] += 1
        if calls["n"] == step:
            os.kill(os.getpid(), signal.SIGKILL)
        return _real(*a, **k)
    setattr(os, name, wrapped)
from hashpower.store.imports import rebuild
rebuild()
"""


def test_kill_at_every_step_of_the_rebuild_keeps_a_whole_store_and_the_imports(home, tmp_path):
    f = _csv(tmp_path, "date,price_usd\n2026-06-01,70000\n")
    assert run_cli("data", "import", str(f), home=home).returncode == 0
    want = digest(home)
    env = {**os.environ, "HASHPOWER_HOME": str(home)}
    steps = range(1, 8)
    rounds = 50 if SOAK else 1
    killed = 0
    for _ in range(rounds):
        for step in steps:
            p = subprocess.run([sys.executable, "-c", _KILLER, str(step)], env=env, capture_output=True, timeout=120)
            killed += p.returncode == -signal.SIGKILL
            assert (home / "hashpower.duckdb").exists(), f"no store after a kill at step {step}"
            assert digest(home) == want, f"the store changed after a kill at step {step}"
            assert store.history("2026-06-01", "2026-06-01")["price_usd"].iloc[0] == 70000
    assert killed >= 3  # the kill points were reached (link, fsync, replace)


def test_two_rebuilds_keep_two_previous_files(home):
    a = json.loads(run_cli("data", "rebuild", "--json", home=home).stdout)["previous_file"]
    b = json.loads(run_cli("data", "rebuild", "--json", home=home).stdout)["previous_file"]
    assert a != b and Path(a).exists() and Path(b).exists()


def test_a_full_disk_is_said_as_such(home, monkeypatch):
    import errno

    from hashpower.store import imports as ingest

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ingest, "_fsync_replace", full)
    before = digest(home)
    with pytest.raises(store.DataError, match="no space left") as e:
        ingest.rebuild()
    assert "rebuild'" not in str(e.value)  # not "run 'hashpower data rebuild'", the command that failed
    assert digest(home) == before


# --------------------------------------------------------------------------- 4. bounded reads and inputs


@pytest.mark.parametrize("argv", [["fleet", "{f}"], ["pivot", "{f}"], ["data", "import", "{f}"],
                                  ["sweep", "{f}"]])
def test_devices_and_fifos_are_refused_at_once(home, tmp_path, argv):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo)):
        link = tmp_path / f"link-{Path(target).name}"
        link.symlink_to(target)
        r = run_cli(*[a.format(f=link) for a in argv], home=home, timeout=30)
        assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_machines_catalog_device_is_refused(home, tmp_path):
    link = tmp_path / "cat.csv"
    link.symlink_to("/dev/zero")
    r = run_cli("machines", "--catalog", str(link), home=home, timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stderr


def test_a_deeply_nested_toml_is_refused(home, tmp_path):
    f = tmp_path / "deep.toml"
    f.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    for argv in (["fleet", str(f)], ["pivot", str(f)], ["sweep", str(f)]):
        r = run_cli(*argv, home=home, timeout=30)
        assert r.returncode == 2 and "nested too deeply" in r.stderr, (argv, r.stderr)
        assert "Traceback" not in r.stderr


@pytest.mark.parametrize("count", ["9223372036854775808", "9223372036854775807"])
def test_huge_machine_counts_are_refused(home, tmp_path, count):
    f = tmp_path / "fleet.toml"
    f.write_text(f'[[site]]\nname = "a"\npower_price_usd_per_kwh = 0.05\n'
                 f'[[site.machines]]\nmodel = "Antminer S21"\ncount = {count}\n'
                 f'[[site.machines]]\nmodel = "Antminer S21"\ncount = {count}\n')
    r = run_cli("fleet", str(f), "--json", home=home)
    assert r.returncode == 2 and "count must be a whole number in [0, 10,000,000]" in r.stderr, r.stderr


def test_an_extreme_power_price_gives_one_line(home):
    r = run_cli("machines", "--power-price", "1e308", home=home)
    assert len(r.stderr.strip().splitlines()) <= 1, r.stderr
    assert "array(" not in r.stderr and "site-packages" not in r.stderr and ".py" not in r.stderr


@pytest.mark.parametrize("date", ["20260101", "2026-W01-1", "2026-1-1", "2026-01-01T00:00"])
def test_only_iso_days_are_dates(home, date):
    r = run_cli("hashprice", "--date", date, home=home)
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr, r.stderr


_READER = """
import sys, time
from hashpower import store
ok = damaged = 0
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    try:
        con = store.connect()
        con.execute("SELECT count(*) FROM daily").fetchall()
        con.close()
        ok += 1
    except store.DataError as exc:
        damaged += "damaged" in str(exc)
print(ok, damaged)
"""


def test_readers_never_see_a_damaged_store_during_rebuilds(home):
    env = {**os.environ, "HASHPOWER_HOME": str(home)}
    reader = subprocess.Popen([sys.executable, "-c", _READER, "25" if SOAK else "8"], env=env,
                              stdout=subprocess.PIPE, text=True)
    rebuilds = 0
    while reader.poll() is None:
        assert run_cli("data", "rebuild", home=home).returncode == 0
        rebuilds += 1
    out, _ = reader.communicate()
    ok, damaged = map(int, out.split())
    assert rebuilds >= 2 and ok > 50
    assert damaged == 0, f"{damaged} of {ok + damaged} reads said 'damaged' during {rebuilds} rebuilds"


def test_a_cookie_device_is_refused(home, tmp_path):
    link = tmp_path / ".cookie"
    link.symlink_to("/dev/zero")
    r = run_cli("data", "refresh", "--source", "bitcoind", "--url", "http://127.0.0.1:9", "--rpc-cookie", str(link),
                home=home, timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_sigterm_stops_a_server_busy_with_heavy_work(built_store, tmp_path):
    """A server computing a long pivot stops within seconds of SIGTERM (it ignored it for minutes before)."""
    import threading

    import httpx
    from liveserver import live_server

    with live_server(built_store, tmp_path / "h") as srv:
        url = srv.url + "/v1/pivot?paths=20000&term_years=50&lead_months=120"
        t = threading.Thread(target=lambda: httpx.get(url, timeout=120), daemon=True)
        t.start()
        import time

        time.sleep(2.0)  # the heavy request is running
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(timeout=30)
        assert time.monotonic() - t0 < 15
