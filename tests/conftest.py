"""Shared fixtures: a private store per test, copied from one built once per session."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from liveserver import Server, live_server

from hashpower import store

# On CI the property tests draw the same examples every run (a failure there is reproducible); locally they
# explore new ones each run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the embedded data, once per session."""
    home = tmp_path_factory.mktemp("store-template")
    old = os.environ.get("HASHPOWER_HOME")
    os.environ["HASHPOWER_HOME"] = str(home)
    try:
        store.ensure()
    finally:
        if old is None:
            del os.environ["HASHPOWER_HOME"]
        else:
            os.environ["HASHPOWER_HOME"] = old
    return home / "hashpower.duckdb"


@pytest.fixture(scope="module")
def server(built_store: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
           ) -> Iterator[Server]:
    """A ``hashpower serve`` for the whole test module, on its own copy of the built store (tests/liveserver.py)."""
    with live_server(built_store, tmp_path_factory.mktemp(f"{request.module.__name__}-home")) as srv:
        yield srv


@pytest.fixture
def home(tmp_path: Path, built_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$HASHPOWER_HOME`` for one test, holding a fresh copy of the embedded store."""
    h = tmp_path / "home"
    h.mkdir()
    shutil.copyfile(built_store, h / "hashpower.duckdb")
    monkeypatch.setenv("HASHPOWER_HOME", str(h))
    return h


def digest(home: Path) -> str:
    """A hash of the store's table contents (not of the file's bytes)."""
    import duckdb

    con = duckdb.connect(str(home / "hashpower.duckdb"), read_only=True)
    try:
        h = hashlib.sha256()
        for table in ("daily", "epochs", "blocks", "block_stats"):
            h.update(repr(con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()).encode())
        return h.hexdigest()
    finally:
        con.close()


def run_cli(*args: str, home: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``hashpower`` command with ``HASHPOWER_HOME=home``."""
    e = {**os.environ, "HASHPOWER_HOME": str(home), **(env or {})}
    return subprocess.run([str(BIN / "hashpower"), *args], capture_output=True, text=True, env=e,
                          timeout=timeout, check=False)


def truncate(home: Path, *, last_date: str | None = None, last_height: int | None = None) -> None:
    """Drop the store's days after ``last_date`` and blocks after ``last_height`` (to replay a refresh)."""
    with store.transaction() as con:
        if last_date:
            con.execute("DELETE FROM daily WHERE date > ?", [last_date])
        if last_height is not None:
            con.execute("DELETE FROM blocks WHERE height > ?", [last_height])
            con.execute("DELETE FROM block_stats WHERE height > ?", [last_height])
