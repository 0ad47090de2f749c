"""The rows ``--format csv`` writes for the commands whose figures are not already a list of rows.

Each function takes the command's figures dict (its JSON) and returns a list of flat dicts, numbers
unformatted, one column per figure named as in the JSON.
"""

from __future__ import annotations

from typing import Any

_Q = ("p5", "p50", "p95")


def simulate(f: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per year: the year's end and every output's p5/p50/p95 (``hashrate_ehs.p50``, ...)."""
    return [{"year": y + 1, "year_end": f["year_end_dates"][y],
             **{f"{k}.{q}": f[k][q][y] for k in f["units"] if isinstance(f.get(k), dict) for q in _Q}}
            for y in range(f["years"])]


def sweep(f: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per point and year: the point's grid values, then as :func:`simulate`."""
    return [{"run": i, **r["point"], "preset": r["preset"], **row}
            for i, r in enumerate(f["results"]) for row in simulate(r)]


def backtest(f: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per series and horizon: the scores of the backtest (coverage, CRPS, errors beside naive ones)."""
    return [{"series": s, "horizon_months": int(h), **m}
            for s, by_h in f["metrics"].items() for h, m in by_h.items()]
