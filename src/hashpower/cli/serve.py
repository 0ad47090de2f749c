"""``hashpower serve``: the REST API and the dashboard under uvicorn (app: :mod:`hashpower.api`).

Slow or idle clients cannot hold connections open: a connection must finish sending a request (headers and
body) within :data:`REQUEST_READ_TIMEOUT_S` (from its opening, or from the first byte of a later request on
it), and its headers in at most :data:`MAX_HEADER_BYTES`; an idle
kept-alive connection is closed after :data:`KEEP_ALIVE_S`, and each server process takes at most
:data:`MAX_CONNECTIONS` connections (uvicorn answers 503 beyond).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

import click

from hashpower.cli._app import cli

if TYPE_CHECKING:
    import asyncio

#: Seconds a client has to send a whole request (uvicorn itself bounds neither headers nor body in time).
REQUEST_READ_TIMEOUT_S = 10.0
#: Seconds an idle kept-alive connection stays open between requests.
KEEP_ALIVE_S = 5
#: Connections and tasks one server process takes at once; uvicorn answers 503 to the ones beyond.
MAX_CONNECTIONS = 256
#: Bound on the size of an incomplete HTTP event (the request line and headers) [bytes], as h11 has it; the
#: httptools parser used here checks the size of the whole request in the API (hashpower.api.MAX_REQUEST_BYTES)
#: and this bound on the headers' bytes as they arrive.
MAX_HEADER_BYTES = 65_536

#: Seconds a stopping server waits for requests in progress (a heavy one can take longer; it is cut short).
GRACEFUL_SHUTDOWN_S = 5

_REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 29\r\n"
                    b"connection: close\r\n\r\nrequest took too long to send")


@functools.cache
def _protocol() -> type:
    """The HTTP protocol class, made on first use (uvicorn is not imported when another command runs)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, bounding the time a client takes to send a request and its headers' bytes."""

        _read_timer: asyncio.TimerHandle | None = None
        _header_bytes = 0
        _in_headers = False

        def connection_made(self, transport) -> None:  # type: ignore[override]
            """Open the connection and start the clock for its first request."""
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._in_headers = True
            self._header_bytes = 0
            if self._read_timer is None:
                self._read_timer = self.loop.call_later(REQUEST_READ_TIMEOUT_S, self._too_slow)

        def _disarm(self) -> None:
            self._in_headers = False
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        def data_received(self, data: bytes) -> None:
            """Count the header bytes, refuse too many, then parse as uvicorn does."""
            if self._in_headers:
                self._header_bytes += len(data)
                if self._header_bytes > MAX_HEADER_BYTES:
                    self._disarm()
                    self.send_400_response("Request headers too large.")
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            """A request starts: it is on the clock (the first one since the connection opened)."""
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            """The headers are in: stop counting their bytes (the clock runs until the body is in)."""
            self._in_headers = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            """The request is in: stop the clock."""
            self._disarm()
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            """Forget the clock with the connection."""
            self._disarm()
            super().connection_lost(exc)

        def _too_slow(self) -> None:
            self._read_timer = None
            if self.transport is not None and not self.transport.is_closing():
                if self._in_headers and (self.cycle is None or self.cycle.response_complete):
                    self.transport.write(_REQUEST_TIMEOUT)
                self.transport.close()

    HeaderTimeoutProtocol.__module__ = __name__
    HeaderTimeoutProtocol.__qualname__ = "HeaderTimeoutProtocol"
    return HeaderTimeoutProtocol


def __getattr__(name: str) -> Any:
    """``HeaderTimeoutProtocol`` on first use: uvicorn's worker processes find the class by this name."""
    if name == "HeaderTimeoutProtocol":
        return _protocol()
    raise AttributeError(name)


@cli.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless you say so).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Server processes (one per core; the figures are computed in Python, one core per process).")
def serve_cmd(host: str, port: int, workers: int) -> None:
    """Serve the REST API and the web dashboard (FastAPI under uvicorn)."""
    import uvicorn

    from hashpower.figures.data import ensure_store

    try:
        # build the store once, here; each server process fills its own caches at its start (the app's
        # lifespan), so this process, which only supervises the workers, holds no history in memory
        ensure_store()
    except ValueError as exc:  # a damaged store: serve anyway, the API answers 503 until it is rebuilt
        click.echo(f"hashpower: warning: {exc}", err=True)
    # glibc gives every thread that allocates its own heap arena (up to 8 per core), and the request threads
    # of each server process keep them: two arenas hold the server processes' memory at about 250 MB each
    # instead of 400 MB (measured: benchmarks/bench_edges.py)
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    click.echo(f"hashpower {host}:{port}: dashboard at http://{host}:{port}/, API under /v1, spec at /openapi.json",
               err=True)
    uvicorn.run("hashpower.api:app", host=host, port=port, workers=workers, log_level="warning", access_log=False,
                http=_protocol(), timeout_keep_alive=KEEP_ALIVE_S, limit_concurrency=MAX_CONNECTIONS,
                h11_max_incomplete_event_size=MAX_HEADER_BYTES, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
