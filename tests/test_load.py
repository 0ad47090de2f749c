"""The API under 64 concurrent connections on loopback: zero errors, p99 recorded, memory flat.

The run lasts ``HASHPOWER_LOAD_SECONDS`` (default 5 s in ``make test``; ``make soak`` runs 60 s) and writes
its figures to ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest
from liveserver import live_server

CONNECTIONS = 64
#: Every GET endpoint with varied parameters, the heavy ones and deliberate mistakes among them (the mix of
#: docs/reliability.md and benchmarks/bench_edges.py).
URLS = ["/v1/hashprice", "/v1/hashprice?date=2026-02-01&price=76176", "/v1/index?date=2026-01-28",
        "/v1/machines?power_price=0.05&generation=latest", "/v1/network?date=2026-02-15",
        "/v1/history?start=2026-05-01&columns=price_usd", "/v1/security?date=2026-03-01", "/v1/hashprice?price=-1",
        "/v1/history?start=2025-01-01", "/v1/index", "/v1/network?power_price=0.07", "/static/app.js", "/healthz",
        "/v1/simulate?paths=50&years=1", "/v1/pivot?paths=200", "/v1/machines?power_price=0.08", "/nope",
        "/v1/hashprice?date=2099-01-01", "/"]
ROOT = Path(__file__).parents[1]
#: make soak records its run with the benchmarks; the short run in make test keeps it with the test artifacts
OUT = ROOT / ("benchmarks/results" if os.environ.get("HASHPOWER_LOAD_SECONDS") else "tests/artifacts") / "load.json"


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server's workers) [MB]."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += _rss_mb(int(child))
    return total


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; returns the status (a light client: the load
    generator must not be the bottleneck, and httpx's async client costs ~6 ms of CPU per request here)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length")
    await reader.readexactly(length)
    return status


async def _hammer(url: str, seconds: float) -> tuple[list[float], dict[int, int], int, dict[str, list[float]]]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    by_path: dict[str, list[float]] = {p: [] for p in URLS}
    statuses: dict[int, int] = {}
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        i = k
        try:
            while time.monotonic() < deadline:
                path = URLS[i % len(URLS)]
                i += 1
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(_get(reader, writer, path), timeout=10)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                latencies.append(time.perf_counter() - t0)
                by_path[path].append(latencies[-1])
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(k) for k in range(CONNECTIONS)))
    return latencies, statuses, errors, by_path


@pytest.fixture(scope="module")
def live(built_store, tmp_path_factory):
    with live_server(built_store, tmp_path_factory.mktemp("load-home")) as srv:
        yield srv


def test_load_64_connections(live):
    seconds = float(os.environ.get("HASHPOWER_LOAD_SECONDS", "5"))
    for _ in range(2):  # warm-up: every worker process fills its caches and the allocator settles
        asyncio.run(_hammer(live.url, 2.0))
    rss0 = _rss_mb(live.proc.pid)
    lat, statuses, errors, by_path = asyncio.run(_hammer(live.url, seconds))
    rss1 = _rss_mb(live.proc.pid)
    lat.sort()
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    res = {"seconds": seconds, "connections": CONNECTIONS, "requests": len(lat), "requests_per_s": len(lat) / seconds,
           "p50_ms": p50 * 1e3, "p99_ms": p99 * 1e3, "statuses": statuses, "transport_errors": errors,
           "rss_mb_start": rss0, "rss_mb_end": rss1,
           "p99_ms_by_endpoint": {p: sorted(v)[int(len(v) * 0.99)] * 1e3 if v else None for p, v in by_path.items()}}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res))
    assert errors == 0
    assert set(statuses) <= {200, 400, 404, 422}  # the deliberate mistakes get their 4xx, nothing else fails
    assert statuses.get(200, 0) > 0 and not any(s >= 500 for s in statuses)
    assert rss1 < rss0 * 1.10 + 20  # flat: under 10 % (+20 MB of allocator slack) over the run
    r = httpx.get(live.url + "/healthz", timeout=5)
    assert r.status_code == 200
