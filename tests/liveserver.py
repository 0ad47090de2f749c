"""Start ``hashpower serve`` on a free loopback port in a subprocess, for the tests that need a real server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 60


@dataclass
class Server:
    """A running ``hashpower serve`` process (its log goes to a file: an unread pipe could block it)."""

    proc: subprocess.Popen
    port: int
    home: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server, killing it if it does not stop within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def start_server(home: Path, log: Path, tries: int = 3, env: dict[str, str] | None = None) -> Server:
    """Start ``hashpower serve --port <free>`` (no ``--host``: the default) and wait for ``/healthz``.

    ``env``: more environment variables for the server (e.g. its limits).
    """
    env = {**os.environ, "HASHPOWER_HOME": str(home), **(env or {})}
    last = ""
    for _ in range(tries):  # a free port can be taken between choosing it and binding it: try another
        port = _free_port()
        with log.open("wb") as err:
            proc = subprocess.Popen([str(BIN / "hashpower"), "serve", "--port", str(port)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=err)
        server = Server(proc, port, home, log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        last = server.stderr()
        stop(proc)
    raise RuntimeError(f"hashpower serve did not answer /healthz within {START_TIMEOUT_S} s:\n{last}")


@contextlib.contextmanager
def live_server(store_file: Path, home: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A server on its own copy of ``store_file`` under ``home`` (more environment in ``env``), stopped on exit."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(store_file, home / "hashpower.duckdb")
    srv = start_server(home, home / "serve.log", env=env)
    try:
        yield srv
    finally:
        stop(srv.proc)
