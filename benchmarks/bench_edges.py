"""Speed at the edges, each workload beside its reference in one run (results: benchmarks/results/bench_edges.json).

1. Cold commands: ``hashpower hashprice|index|network|security --json`` as whole processes, median of 5,
   both on an output-cache miss (``HASHPOWER_NO_CACHE=1``: the figures are computed) and on a hit (the
   same command line again, the store unchanged), beside ``python -c "import numpy, duckdb"``.
   Targets: hashprice <= 200 ms, the others <= 250 ms.
2. ``hashpower brief --json`` with its scenario rows (miss and hit) beside ``brief --no-scenarios --json``
   (miss). Target <= 0.7 s.
3. The API under a real mix: 64 keep-alive connections, each cycling through the mix below, for
   ``--seconds`` (default 60) after a warm-up, against ``hashpower serve`` (2 workers); throughput, p50/p99
   overall and p99 per endpoint, beside ``/healthz`` alone under the same load; the memory of the server's
   process tree (RSS, and PSS: shared pages split between their sharers) sampled every second of the run:
   before, after, peak, and its range over the run's second half. Targets: >= 1,500 req/s, p99 <= 150 ms,
   RSS <= 600 MB and flat.
4. The simulator's kernel: ``benchmarks/bench_sim.py`` (run separately; its last result is copied here).
   Target >= 1.5e9 cohort-days/s on 2 cores, >= 500x the plain-Python step.

    python benchmarks/bench_edges.py [--seconds 60] [--skip-api]
"""

from __future__ import annotations

import argparse
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
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
OUT = Path(__file__).parent / "results" / "bench_edges.json"
RUNS = 5
MIX = ["/v1/hashprice", "/v1/hashprice?date=2026-02-01&price=76176", "/v1/index?date=2026-01-28",
       "/v1/machines?power_price=0.05&generation=latest", "/v1/network?date=2026-02-15",
       "/v1/history?start=2026-05-01&columns=price_usd", "/v1/security?date=2026-03-01", "/v1/hashprice?price=-1",
       "/v1/history?start=2025-01-01", "/v1/index", "/v1/network?power_price=0.07", "/static/app.js", "/healthz",
       "/v1/simulate?paths=50&years=1", "/v1/pivot?paths=200", "/v1/machines?power_price=0.08", "/nope",
       "/v1/hashprice?date=2099-01-01"]
TARGETS = {"hashprice_ms": 200, "index_ms": 250, "network_ms": 250, "security_ms": 250, "brief_s": 0.7,
           "api_rps": 1500, "api_p99_ms": 150, "api_rss_mb": 600, "kernel_cohort_days_per_s": 1.5e9,
           "kernel_speedup": 500}


def _median_run(argv: list[str], env: dict[str, str], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cold_commands(env: dict[str, str]) -> dict:
    hp = str(BIN / "hashpower")
    ref = _median_run([sys.executable, "-c", "import numpy, duckdb"], env)
    out = {"reference_import_numpy_duckdb_ms": round(ref * 1e3, 1)}
    miss_env = {**env, "HASHPOWER_NO_CACHE": "1"}
    for cmd in ("hashprice", "index", "network", "security"):
        miss = _median_run([hp, cmd, "--json"], miss_env)
        subprocess.run([hp, cmd, "--json"], env=env, stdout=subprocess.DEVNULL, check=True)  # fill the cache
        hit = _median_run([hp, cmd, "--json"], env)
        out[cmd] = {"miss_ms": round(miss * 1e3, 1), "hit_ms": round(hit * 1e3, 1)}
    return out


def brief(env: dict[str, str]) -> dict:
    hp = str(BIN / "hashpower")
    miss_env = {**env, "HASHPOWER_NO_CACHE": "1"}
    miss = _median_run([hp, "brief", "--json"], miss_env, runs=3)
    subprocess.run([hp, "brief", "--json"], env=env, stdout=subprocess.DEVNULL, check=True)
    hit = _median_run([hp, "brief", "--json"], env)
    ref = _median_run([hp, "brief", "--no-scenarios", "--json"], miss_env, runs=3)
    return {"with_scenarios_miss_s": round(miss, 3), "with_scenarios_hit_s": round(hit, 3),
            "reference_no_scenarios_miss_s": round(ref, 3)}


# --------------------------------------------------------------------------- the API mix


def _request(netloc: str, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\n\r\n".encode()


async def _mix_load(host: str, port: int, paths: list[str], seconds: float, concurrency: int,
                    warmup_s: float) -> dict:
    reqs = [(p, _request(f"{host}:{port}", p)) for p in paths]
    lat: dict[str, list[float]] = {p: [] for p in paths}
    errors = {"transport": 0, "5xx": 0}

    async def worker(start: int, deadline: float, record: bool) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        i = start
        try:
            while time.perf_counter() < deadline:
                path, raw = reqs[i % len(reqs)]
                i += 1
                t0 = time.perf_counter()
                writer.write(raw)
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                    await reader.readexactly(int(m.group(1)) if m else 0)
                except (asyncio.IncompleteReadError, ConnectionError):
                    errors["transport"] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                if record:
                    lat[path].append(time.perf_counter() - t0)
                    if head[9:10] == b"5":
                        errors["5xx"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(k, time.perf_counter() + warmup_s, False) for k in range(concurrency)))
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k, t0 + seconds, True) for k in range(concurrency)))
    elapsed = time.perf_counter() - t0
    every = sorted(x for v in lat.values() for x in v)

    def q(xs: list[float], p: int) -> float:
        return round(statistics.quantiles(xs, n=100, method="inclusive")[p - 1] * 1e3, 1) if len(xs) > 1 else None

    return {"requests": len(every), "rps": round(len(every) / elapsed, 1), "p50_ms": q(every, 50),
            "p99_ms": q(every, 99), "errors": errors,
            "p99_ms_by_endpoint": {p: q(v, 99) for p, v in lat.items()},
            "requests_by_endpoint": {p: len(v) for p, v in lat.items()}}


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(x) for x in fh.read().split()]
        except OSError:
            continue
    return out


def _mem_mb(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages split between their sharers) memory of a process
    tree [MB], and its number of processes, from /proc."""
    rss = pss = 0
    procs = _tree(pid)
    for p in procs:
        try:
            with open(f"/proc/{p}/status") as fh:
                rss += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            with open(f"/proc/{p}/smaps_rollup") as fh:
                pss += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1), "processes": len(procs)}


def _sample(pid: int, stop: threading.Event, every_s: float, into: list) -> None:
    while not stop.wait(every_s):
        into.append(_mem_mb(pid))


def api_mix(env: dict[str, str], seconds: float) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN / "hashpower"), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        asyncio.run(_mix_load("127.0.0.1", port, MIX, 5.0, 64, 2.0))  # warm every worker's caches
        mem0 = _mem_mb(proc.pid)
        samples: list[dict] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, stop, 1.0, samples), daemon=True)
        sampler.start()
        mix = asyncio.run(_mix_load("127.0.0.1", port, MIX, seconds, 64, 1.0))
        stop.set()
        sampler.join()
        mem1 = _mem_mb(proc.pid)
        ref = asyncio.run(_mix_load("127.0.0.1", port, ["/healthz"], min(seconds, 20.0), 64, 1.0))
        steady = samples[len(samples) // 2:] or [mem1]  # the second half of the run, once the heavy work is done
        return {"mix": mix, "rss_mb_before": mem0["rss_mb"], "rss_mb_after": mem1["rss_mb"],
                "memory_before": mem0, "memory_after": mem1,
                "rss_mb_peak": max(x["rss_mb"] for x in samples + [mem0, mem1]),
                "pss_mb_peak": max(x["pss_mb"] for x in samples + [mem0, mem1]),
                "rss_mb_second_half": {"min": min(x["rss_mb"] for x in steady),
                                       "max": max(x["rss_mb"] for x in steady)},
                "memory_samples_every_1s": samples,
                "reference_healthz_alone": {k: ref[k] for k in ("requests", "rps", "p50_ms", "p99_ms", "errors")}}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--skip-api", action="store_true")
    a = ap.parse_args()
    home = tempfile.mkdtemp(prefix="hashpower-bench-edges-")
    env = {**os.environ, "HASHPOWER_HOME": home}
    subprocess.run([str(BIN / "hashpower"), "data", "status"], env=env, stdout=subprocess.DEVNULL, check=True)
    res = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "targets": TARGETS,
           "cold_commands": cold_commands(env), "brief": brief(env)}
    if not a.skip_api:
        res["api"] = api_mix(env, a.seconds)
    sim = Path(__file__).parent / "results" / "bench_sim.json"
    if sim.exists():
        res["kernel_from_bench_sim"] = json.loads(sim.read_text())
    shutil.rmtree(home, ignore_errors=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
