"""Record the default backtest: the summary the outlook shows (package data) and the full figures (benchmarks).

    python scripts/record_backtest.py

writes ``src/hashpower/data/backtest.json`` (configuration and metrics of the default backtest on the
embedded data) and ``benchmarks/results/backtest.json`` (the same with every case). Run it whenever the
simulator or the embedded data change; ``tests/test_backtest.py`` checks that the recorded summary is what a
fresh run gives.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from hashpower.figures.backtest import backtest

    res = backtest()
    summary = {k: res[k] for k in ("mode", "preset", "origins", "horizons_months", "paths", "seed", "metrics",
                                   "data_last_day")}
    (ROOT / "src/hashpower/data/backtest.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    out = ROOT / "benchmarks/results/backtest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(res['origins'])} origins x {len(res['horizons_months'])} horizons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
