"""API and dashboard benchmarks, measured side by side in one run.

1. ``GET /v1/hashprice`` under 32 concurrent keep-alive connections for ~10 s on loopback: throughput and
   p50/p99 latency (target >= 500 req/s with p99 <= 50 ms), beside ``GET /healthz`` (the framework's floor:
   routing, the middleware, JSON, uvicorn) and beside the load generator's own ceiling (the same client
   against a minimal asyncio HTTP server answering a fixed response, so a client-bound run shows as one).
   The load generator is ``wrk`` when installed, else an asyncio httpx client with 32 workers in a separate
   process (the result names which).
2. The dashboard's first load in headless chromium (a new browser context each run, so nothing is cached):
   navigation start to every figure filled (target <= 1.5 s), and to every chart drawn.
3. ``hashpower brief`` end to end as a subprocess (target <= 3 s), timed as it is.
4. One ``/v1/hashprice`` request taken apart: the figures function alone, the handler, the in-process ASGI
   app (FastAPI + middleware, no sockets), so a missed target can be attributed.

Run ``python benchmarks/bench_api.py``; results go to ``benchmarks/results/bench_api.json`` and are printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BIN = Path(sys.executable).parent
OUT = Path(__file__).parent / "results" / "bench_api.json"
CONCURRENCY, SECONDS, WARMUP_S = 32, 10.0, 1.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


# --------------------------------------------------------------------------- load generation


async def _load(url: str, seconds: float, concurrency: int) -> dict:
    """Closed-loop load: `concurrency` workers, each sending its next request when the last one is answered."""
    import httpx

    lat: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker(deadline: float) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    lat.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker(time.perf_counter() + WARMUP_S) for _ in range(concurrency)))
        lat.clear()
        errors = 0
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(t0 + seconds) for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return _summary(lat, errors, elapsed)


async def _load_raw(url: str, seconds: float, concurrency: int) -> dict:
    """The same closed loop on bare asyncio streams: HTTP/1.1 keep-alive written and parsed by hand.

    httpx's async client tops out near the target on its own (see the ceiling in the results), so this is the
    generator that can tell the server's limit from the client's.
    """
    parts = urlsplit(url)
    request = (f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
               f"Host: {parts.netloc}\r\n\r\n").encode()
    lat: list[float] = []
    errors = 0

    async def worker(deadline: float, record: bool) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
                await reader.readexactly(length)
                if not record:
                    continue
                if head.startswith(b"HTTP/1.1 200"):
                    lat.append(time.perf_counter() - t0)
                else:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(time.perf_counter() + WARMUP_S, False) for _ in range(concurrency)))
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(t0 + seconds, True) for _ in range(concurrency)))
    return _summary(lat, errors, time.perf_counter() - t0)


def _summary(lat: list[float], errors: int, elapsed: float) -> dict:
    lat.sort()
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [float("nan")] * 99
    return {"requests": len(lat), "errors": errors, "duration_s": round(elapsed, 2),
            "rps": round(len(lat) / elapsed, 1), "p50_ms": round(q[49] * 1e3, 2), "p99_ms": round(q[98] * 1e3, 2),
            "max_ms": round(lat[-1] * 1e3, 2) if lat else None}


def _wrk(url: str, seconds: float, concurrency: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return round(value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit], 2)

    n = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": n, "errors": int(bad.group(1)) if bad else 0, "duration_s": seconds,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50"),
            "p99_ms": ms("99"), "max_ms": None}


def measure_load(url: str, seconds: float = SECONDS, client: str = "wrk") -> dict:
    """Load `url` from a separate process: wrk if installed, else this script's --load mode (httpx or raw)."""
    if client == "wrk" and shutil.which("wrk"):
        return _wrk(url, seconds, CONCURRENCY)
    cmd = [sys.executable, __file__, f"--load-{client}", url, str(seconds), str(CONCURRENCY)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=True)
    return json.loads(out.stdout)


class _Fixed(asyncio.Protocol):
    """A minimal HTTP/1.1 keep-alive server: the same small JSON body for every request (the client's ceiling)."""

    BODY = b'{"status":"ok","version":"0.1.0"}'
    RESP = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(BODY)) + BODY

    def connection_made(self, transport):
        self.t, self.buf = transport, b""

    def data_received(self, data):
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            _, self.buf = self.buf.split(b"\r\n\r\n", 1)
            self.t.write(self.RESP)


def _serve_fixed(port: int) -> None:
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(_Fixed, "127.0.0.1", port))
    loop.run_forever()


# --------------------------------------------------------------------------- servers

GENERATORS = {
    "wrk": "wrk -t2 -c32 (installed)",
    "httpx": f"asyncio httpx.AsyncClient, {CONCURRENCY} workers on keep-alive connections, in a separate process",
    "raw": f"bare asyncio streams, {CONCURRENCY} workers on keep-alive connections, in a separate process",
}


def _wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open within {timeout} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --------------------------------------------------------------------------- dashboard, brief, profile


def dashboard_first_load(base: str, runs: int = 5) -> dict:
    chromium = shutil.which("chromium")
    if chromium is None:
        return {"skipped": "chromium not on PATH"}
    from playwright.sync_api import sync_playwright

    figures, charts = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            for _ in range(runs + 1):  # the first run warms the server's caches and the OS's; not counted
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                page.goto(f"{base}/", wait_until="commit", timeout=30_000)
                page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
                f, c = page.evaluate("['hashpower-figures', 'hashpower-ready'].map(n => "
                                     "performance.getEntriesByName(n)[0].startTime)")
                figures.append(f)
                charts.append(c)
                ctx.close()
        finally:
            browser.close()
    figures, charts = figures[1:], charts[1:]
    return {"runs": runs, "figures_filled_ms": {"median": round(statistics.median(figures)), "max": round(max(figures)),
                                                "all": [round(x) for x in figures]},
            "charts_drawn_ms": {"median": round(statistics.median(charts)), "max": round(max(charts))},
            "target_ms": 1500}


def brief_end_to_end(env: dict[str, str], runs: int = 3) -> dict:
    def timed(args: list[str]) -> dict:
        times, rc, err = [], 0, ""
        for _ in range(runs):
            t0 = time.perf_counter()
            r = subprocess.run([str(BIN / "hashpower"), *args], env=env, capture_output=True, text=True, timeout=300,
                               check=False)
            times.append(time.perf_counter() - t0)
            rc = rc or r.returncode
            if r.returncode:
                err = (r.stderr.strip().splitlines() or [""])[-1][:300]
        res = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3), "returncode": rc}
        if err:
            res["error"] = err
        return res

    res = {"brief": {**timed(["brief"]), "target_s": 3.0}}
    res["brief --no-scenarios (reference)"] = timed(["brief", "--no-scenarios"])
    return res


def profile_one_request(home: str) -> dict:
    """Where one /v1/hashprice request's time goes, in process (no sockets)."""
    os.environ["HASHPOWER_HOME"] = home
    import httpx

    from hashpower import api
    from hashpower.figures.hashprice import hashprice_figures

    def per_call_ms(fn, n: int = 300) -> float:
        fn()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return round((time.perf_counter() - t0) / n * 1e3, 3)

    async def asgi(n: int = 300) -> float:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
            await c.get("/v1/hashprice")
            t0 = time.perf_counter()
            for _ in range(n):
                await c.get("/v1/hashprice")
            return round((time.perf_counter() - t0) / n * 1e3, 3)

    async def asgi_healthz(n: int = 300) -> float:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
            t0 = time.perf_counter()
            for _ in range(n):
                await c.get("/healthz")
            return round((time.perf_counter() - t0) / n * 1e3, 3)

    return {
        "hashprice_figures_ms": per_call_ms(lambda: hashprice_figures(None)),
        "handler_ms": per_call_ms(lambda: api.hashprice()),
        "asgi_app_round_trip_ms": asyncio.run(asgi()),
        "asgi_app_healthz_round_trip_ms": asyncio.run(asgi_healthz()),
    }


# --------------------------------------------------------------------------- main


def main() -> dict:
    import multiprocessing

    home = tempfile.mkdtemp(prefix="hashpower-bench-api-")
    env = {**os.environ, "HASHPOWER_HOME": home}
    subprocess.run([str(BIN / "hashpower"), "data", "status"], env=env, capture_output=True, check=True, timeout=300)
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "hashpower"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz", proc)
        # wrk when installed; else httpx (the brief's generator) and bare asyncio streams (a faster client)
        clients = ["wrk"] if shutil.which("wrk") else ["httpx", "raw"]
        load = {c: {"hashprice": measure_load(f"{base}/v1/hashprice", client=c),
                    "healthz": measure_load(f"{base}/healthz", client=c)} for c in clients}
        dashboard = dashboard_first_load(base)
    finally:
        _stop(proc)

    fixed_port = _free_port()
    fixed = multiprocessing.get_context("spawn").Process(target=_serve_fixed, args=(fixed_port,), daemon=True)
    fixed.start()
    try:
        _wait_port(fixed_port)
        for c in clients:
            load[c]["ceiling"] = measure_load(f"http://127.0.0.1:{fixed_port}/", seconds=5.0, client=c)
    finally:
        fixed.terminate()
        fixed.join(timeout=10)

    brief = brief_end_to_end(env)
    profile = profile_one_request(home)
    res = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "server": "hashpower serve (uvicorn + httptools + uvloop, 2 workers: the serve default), loopback",
        "concurrency": CONCURRENCY,
        "target_v1_hashprice": {"rps": 500, "p99_ms": 50},
        "load": {c: {"generator": GENERATORS[c],
                     "v1_hashprice": {**v["hashprice"], "met": v["hashprice"]["rps"] >= 500
                                      and v["hashprice"]["p99_ms"] <= 50},
                     "healthz_framework_floor": v["healthz"],
                     "client_ceiling_fixed_response_server": v["ceiling"]} for c, v in load.items()},
        "dashboard_first_load": dashboard,
        **brief,
        "one_hashprice_request_in_process": profile,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] in ("--load-httpx", "--load-raw", "--load-wrk"):
        fn = _load_raw if sys.argv[1] == "--load-raw" else _load
        print(json.dumps(asyncio.run(fn(sys.argv[2], float(sys.argv[3]), int(sys.argv[4])))))
    else:
        print(json.dumps(main(), indent=2))
