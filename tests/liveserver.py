"""Start ``hashpower serve`` on a free loopback port in a subprocess, for tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn server with its own copy of a store; stops itself on exit."""

    def __init__(self, store_file: Path, home: Path, timeout_s: float = 60.0) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store_file, home / "hashpower.duckdb")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout_s = timeout_s
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        env = {**os.environ, "HASHPOWER_HOME": str(self.home)}
        # the log goes to a file: a pipe nobody reads could fill up and block the server
        self.log = open(self.home / "server.log", "w+b")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen([str(BIN / "hashpower"), "serve", "--port", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {(self.home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the server did not start in time")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()
