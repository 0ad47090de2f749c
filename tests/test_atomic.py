"""kill -9 mid-refresh or mid-import, and readers during a refresh: old data or new, never a mix."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time

import duckdb
import pytest
from conftest import BIN, digest, truncate
from replay import ReplayServer

import hashpower

KILLS = 50  # per command; seeded kill times spread over a whole run


def _start(home, *args):
    env = {**os.environ, "HASHPOWER_HOME": str(home)}
    return subprocess.Popen([str(BIN / "hashpower"), *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _timed_run(home, args):
    t0 = time.perf_counter()
    p = _start(home, *args)
    assert p.wait(timeout=120) == 0
    return time.perf_counter() - t0


def _kill_many(home, args, rng):
    db = home / "hashpower.duckdb"
    original = home / "original.duckdb"
    shutil.copyfile(db, original)
    before = digest(home)
    duration = _timed_run(home, args)
    after = digest(home)
    assert after != before
    outcomes = {"old": 0, "new": 0}
    for _ in range(KILLS):
        shutil.copyfile(original, db)
        p = _start(home, *args)
        time.sleep(rng.uniform(0.3, 1.1) * duration)  # most of a run is start-up; aim at the work
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        con = duckdb.connect(str(db), read_only=True)  # the file is a valid database
        con.close()
        d = digest(home)
        assert d in (before, after)
        outcomes["old" if d == before else "new"] += 1
    # a later change cleans the copies that killed writers left behind
    shutil.copyfile(original, db)
    assert _timed_run(home, args) > 0 and digest(home) == after
    assert list(home.glob(".hashpower.*.tmp.duckdb*")) == []
    return outcomes


def test_kill_9_during_refresh_leaves_old_or_new_store(home):
    rng = random.Random(20260207)
    truncate(home, last_date="2026-05-25")
    with ReplayServer() as srv:
        srv.state.delay_s = 0.05
        out = _kill_many(home, ["data", "refresh", "--url", f"{srv.url}/v4"], rng)
    print("kill outcomes", out)
    assert out["old"] + out["new"] == KILLS


def test_kill_9_during_import_leaves_old_or_new_store(home, tmp_path):
    f = tmp_path / "days.csv"
    h = hashpower.history("2026-05-20", "2026-06-01", columns=["blocks", "price_usd", "fees_btc"])
    h.index = h.index.strftime("%Y-%m-%d")
    h.to_csv(f, index_label="date")
    truncate(home, last_date="2026-05-19")
    out = _kill_many(home, ["data", "import", str(f)], random.Random(7))
    print("kill outcomes", out)
    assert out["old"] + out["new"] == KILLS


def test_readers_during_refresh_see_old_or_new(home):
    truncate(home, last_date="2026-05-25")
    n_old = len(hashpower.history(columns=["price_usd"]))
    seen = set()
    with ReplayServer() as srv:
        srv.state.delay_s = 0.02
        p = _start(home, "data", "refresh", "--url", f"{srv.url}/v4")
        deadline = time.monotonic() + 60
        while p.poll() is None and time.monotonic() < deadline:
            h = hashpower.history(columns=["price_usd", "height_end"])
            assert h.index.is_monotonic_increasing and h["height_end"].is_monotonic_increasing
            seen.add(len(h))
        assert p.wait(timeout=60) == 0
    seen.add(len(hashpower.history(columns=["price_usd"])))
    assert seen <= {n_old, n_old + 7}
    assert n_old + 7 in seen


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_refresh_exits_nonzero_and_keeps_store(home, signum):
    truncate(home, last_date="2026-05-25")
    before = digest(home)
    with ReplayServer() as srv:
        srv.state.mode = "hang"
        p = _start(home, "data", "refresh", "--url", f"{srv.url}/v4")
        time.sleep(1.0)
        p.send_signal(signum)
        assert p.wait(timeout=30) != 0
    assert digest(home) == before
