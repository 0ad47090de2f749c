"""A response cache in front of the API: identical GET requests answered from memory until the store changes.

Every light figure is a function of the request's path and query and of the store's content, so a
response can be kept and replayed byte for byte. The key is the path and the raw query string; the
whole cache is dropped when the store file's identity (inode, size, mtime: a refresh, import or rebuild
swaps in a new file) differs from the one it was filled under, checked by one ``stat`` per request.
Only complete ``200`` and ``4xx`` responses of at most :data:`MAX_BODY_BYTES` are kept (a 5xx, a
"busy" 503, a streamed body or one marked ``Cache-Control: no-store`` never), at most
:data:`MAX_ENTRIES` of them, least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hashpower.figures.data import store_version as _store_version


def store_version():
    """The store file's identity and today's UTC date: a kept response says how old the data is today."""
    import datetime as dt

    v = _store_version()
    return None if v is None else (v, dt.datetime.now(dt.UTC).date())

#: Responses kept per server process [-]: the dashboard and the documented mixes use a few dozen.
MAX_ENTRIES = 512
#: Largest body kept [bytes]: the whole daily history as JSON is about 2.5 MB; a year is under 200 kB.
MAX_BODY_BYTES = 1 << 20
#: Paths never cached: liveness must be answered by the application each time.
UNCACHED_PATHS = frozenset({"/healthz"})


class ResponseCache:
    """ASGI middleware: replay a kept response for a GET whose path and query were answered before."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.entries: OrderedDict[tuple[str, bytes], tuple[int, list, bytes]] = OrderedDict()
        self.version: Any = None
        self.hits = self.misses = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") in UNCACHED_PATHS:
            await self.inner(scope, receive, send)
            return
        v = store_version()
        if v != self.version:
            self.entries.clear()
            self.version = v
        key = (scope.get("path", ""), scope.get("query_string", b""))
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            self.hits += 1
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.misses += 1
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        complete = {"ok": True}

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    complete["ok"] = False
            await send(message)

        await self.inner(scope, receive, capture)
        status = start.get("status", 500)
        body = b"".join(chunks)
        no_store = any(k.lower() == b"cache-control" and b"no-store" in val.lower()
                       for k, val in start.get("headers", []))
        if complete["ok"] and (status == 200 or 400 <= status < 500) and len(body) <= MAX_BODY_BYTES \
                and not no_store and v is not None and v == store_version():
            self.entries[key] = (status, list(start.get("headers", [])), body)
            if len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)
