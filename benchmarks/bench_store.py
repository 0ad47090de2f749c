"""Store benchmarks, each measured beside its reference in one run.

1. ``hashpower --help`` cold start (a new process) beside ``python -c pass``;
   target <= 0.5 s.
2. Opening the store and loading the whole daily history as a DataFrame
   (warm: the store exists, the OS cache is warm) beside reading the same data
   from a CSV file with pandas; target <= 150 ms.

Run ``make bench`` (or ``python benchmarks/bench_store.py``); the results go to
``benchmarks/results/bench_store.json`` and are printed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

BIN = Path(sys.executable).parent
OUT = Path(__file__).parent / "results" / "bench_store.json"


def _wall(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def main() -> dict:
    home = tempfile.mkdtemp(prefix="hashpower-bench-")
    os.environ["HASHPOWER_HOME"] = home
    env = {**os.environ}
    import hashpower

    hashpower.status()  # build the store once (not timed)
    runs = 15
    help_s = _wall([str(BIN / "hashpower"), "--help"], env, runs)
    pass_s = _wall([sys.executable, "-c", "pass"], env, runs)

    hashpower.history()  # warm
    load_s = _timed(hashpower.history, 30)
    csv = Path(home) / "daily.csv"
    hashpower.history().to_csv(csv)
    csv_s = _timed(lambda: pd.read_csv(csv, index_col="date", parse_dates=["date"]), 30)

    def med_ms(x: list[float]) -> float:
        return round(statistics.median(x) * 1e3, 1)

    res = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "cli_help_cold_ms": {"median": med_ms(help_s), "max": round(max(help_s) * 1e3, 1), "target": 500},
        "python_pass_cold_ms": {"median": med_ms(pass_s)},
        "history_load_warm_ms": {"median": med_ms(load_s), "max": round(max(load_s) * 1e3, 1), "target": 150,
                                 "rows": len(hashpower.history())},
        "pandas_read_csv_same_data_ms": {"median": med_ms(csv_s)},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    r = main()
    print(json.dumps(r, indent=2))
    print(f"\nhashpower --help cold: {r['cli_help_cold_ms']['median']} ms (python -c pass: "
          f"{r['python_pass_cold_ms']['median']} ms; target <= 500 ms)")
    print(f"history() warm: {r['history_load_warm_ms']['median']} ms (pandas.read_csv of the same data: "
          f"{r['pandas_read_csv_same_data_ms']['median']} ms; target <= 150 ms)")
