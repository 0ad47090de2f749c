"""Results of a run: percentiles per year, CSV export and fan charts.

Fan charts are interactive HTML (plotly, with plotly.js inline so the file
works offline). A PNG is written with matplotlib when it is installed; plotly's
own PNG export needs kaleido, which the project does not depend on, so without
matplotlib the PNG is skipped with a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.sim import engine as E

__all__ = ["CONTRACT_KEYS", "PERCENTILES", "UNITS", "fan_chart_html", "fan_chart_png", "summarise", "to_csv",
           "write_outputs"]

#: Percentiles reported per year [%].
PERCENTILES = (5, 50, 95)
#: Keys of ``hashpower simulate --json`` that are a promise (more may be added, none renamed).
CONTRACT_KEYS = ("preset", "paths", "years", "hashrate_ehs", "security_budget_usd_per_day",
                 "attack_cost_hardware_usd")
UNITS = {
    "hashrate_ehs": "EH/s", "difficulty": "-", "hashprice_usd_per_ph_day": "USD/(PH/s)/day",
    "security_budget_usd_per_day": "USD/day", "attack_cost_hardware_usd": "USD", "hhi": "0-10,000",
    "ai_converted_share": "-", "miner_margin": "-", "price_usd": "USD", "fee_share": "-",
    "guarantee_usd_per_day": "USD/day", "installed_capacity_ehs": "EH/s", "fees_btc_per_block": "BTC",
    "blocks_per_day": "-", "active_efficiency_j_per_th": "J/TH", "hashrate_mean_ehs": "EH/s",
    "hashprice_btc_per_ph_day": "BTC/(PH/s)/day",
}
#: The metrics drawn in the fan charts, in order.
CHARTED = ("hashrate_ehs", "hashprice_usd_per_ph_day", "security_budget_usd_per_day", "attack_cost_hardware_usd",
           "hhi", "ai_converted_share", "miner_margin", "fee_share")
_COLOURS = ("31, 119, 180", "214, 39, 40", "44, 160, 44", "148, 103, 189", "255, 127, 14", "140, 86, 75")


def summarise(out: np.ndarray, scenario, model, paths: int, years: int, seed: int) -> dict[str, Any]:
    """The JSON-ready result of a run: p5/p50/p95 per simulated year of every output, and what made it.

    Parameters
    ----------
    out : numpy.ndarray, shape (paths, years, len(OUTPUTS))
        The kernel's outputs.
    scenario : Scenario
        The parameters of the run.
    model : Model
        The calibrated model (its ``info`` is reported as ``calibration``).
    paths, years, seed : int
        As run.
    """
    pct = np.percentile(out, PERCENTILES, axis=0)  # (3, years, outputs)
    start = dt.date.fromisoformat(model.info["start_date"])
    res: dict[str, Any] = {
        "preset": scenario.name, "paths": paths, "years": years, "seed": seed,
        "year_end_dates": [(start + dt.timedelta(days=E.DAYS_PER_YEAR * (k + 1))).isoformat() for k in range(years)],
    }
    for k, name in enumerate(E.OUTPUTS):
        res[name] = {f"p{q}": [float(v) for v in pct[i, :, k]] for i, q in enumerate(PERCENTILES)}
    params = scenario.as_dict()
    res["rationale"] = params.pop("rationale")
    params.pop("name")
    res["parameters"] = params
    res["calibration"] = model.info
    res["units"] = UNITS
    res["notes"] = ("Stocks (hashrate, difficulty, attack cost, HHI, AI share, price, installed capacity, "
                    "efficiency) are at the end of each simulated year of 365 days; flows (hashprice, security "
                    "budget, margin, fee share, guarantee, fees, blocks) are means or totals over that year. "
                    "Method and sources: docs/simulation.md.")
    return res


def to_csv(results: dict[str, Any] | list[dict[str, Any]], path: str | Path) -> Path:
    """Write one row per run, year and metric: ``run, preset, seed, year, year_end, metric, unit, p5, p50, p95``.

    The runs of a sweep also carry their grid values: one column per axis of the grid (its parameter's
    name) after ``run``, so that each row says which point it belongs to.
    """
    runs = results if isinstance(results, list) else [results]
    axes: list[str] = []
    for r in runs:
        axes += [k for k in (r.get("point") or {}) if k not in axes]
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["run", *axes, "preset", "seed", "year", "year_end", "metric", "unit", "p5", "p50", "p95"])
        for r_i, r in enumerate(runs):
            point = r.get("point") or {}
            values = [point.get(a, "") for a in axes]
            for name in E.OUTPUTS:
                for y in range(r["years"]):
                    w.writerow([r_i, *values, r["preset"], r["seed"], y + 1, r["year_end_dates"][y], name,
                                UNITS[name], *(repr(r[name][f"p{q}"][y]) for q in PERCENTILES)])
    return p


def _label(r: dict[str, Any]) -> str:
    point = r.get("point")
    if point:
        return ", ".join(f"{k}={v}" for k, v in point.items())
    return str(r["preset"])


def fan_chart_html(results: dict[str, Any] | list[dict[str, Any]], path: str | Path) -> Path:
    """Fan charts (p5-p95 band, p50 line) of the main outputs, one colour per run, as self-contained HTML."""
    from plotly.graph_objects import Figure, Scatter
    from plotly.subplots import make_subplots

    runs = results if isinstance(results, list) else [results]
    fig: Figure = make_subplots(rows=4, cols=2, subplot_titles=[f"{m} [{UNITS[m]}]" for m in CHARTED],
                                vertical_spacing=0.07)
    for r_i, r in enumerate(runs):
        colour = _COLOURS[r_i % len(_COLOURS)]
        x = r["year_end_dates"]
        for m_i, m in enumerate(CHARTED):
            row, col = m_i // 2 + 1, m_i % 2 + 1
            q = r[m]
            fig.add_trace(Scatter(x=x, y=q["p95"], mode="lines", line={"width": 0}, hoverinfo="skip",
                                  showlegend=False, legendgroup=str(r_i)), row=row, col=col)
            fig.add_trace(Scatter(x=x, y=q["p5"], mode="lines", line={"width": 0}, fill="tonexty",
                                  fillcolor=f"rgba({colour}, 0.2)", name=f"{_label(r)} p5-p95",
                                  showlegend=m_i == 0, legendgroup=str(r_i)), row=row, col=col)
            fig.add_trace(Scatter(x=x, y=q["p50"], mode="lines+markers", line={"color": f"rgb({colour})"},
                                  name=f"{_label(r)} p50", showlegend=m_i == 0, legendgroup=str(r_i)),
                          row=row, col=col)
    first = runs[0]
    fig.update_layout(height=1400, title=f"hashpower scenarios: {len(runs)} run(s), {first['paths']:,} paths, "
                      f"start {first['calibration']['start_date']}", legend={"orientation": "h"})
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(p), include_plotlyjs=True, full_html=True)
    return p


def fan_chart_png(results: dict[str, Any] | list[dict[str, Any]], path: str | Path) -> Path | None:
    """The same fan charts as a PNG with matplotlib; ``None`` when matplotlib is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = results if isinstance(results, list) else [results]
    fig, axes = plt.subplots(4, 2, figsize=(12, 14))
    for r_i, r in enumerate(runs):
        colour = tuple(int(c) / 255 for c in _COLOURS[r_i % len(_COLOURS)].split(","))
        x = np.arange(1, r["years"] + 1)
        for ax, m in zip(axes.ravel(), CHARTED, strict=True):
            ax.fill_between(x, r[m]["p5"], r[m]["p95"], color=colour, alpha=0.2)
            ax.plot(x, r[m]["p50"], color=colour, label=_label(r))
            ax.set_title(f"{m} [{UNITS[m]}]", fontsize=9)
            ax.set_xlabel("simulated year")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=100)
    plt.close(fig)
    return p


def write_outputs(results: dict[str, Any] | list[dict[str, Any]], directory: str | Path,
                  stem: str = "simulation") -> dict[str, Any]:
    """Write ``STEM.csv``, ``STEM.html`` and (with matplotlib) ``STEM.png`` into ``directory``."""
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create the output directory {d}: {exc}") from None
    files = {"csv": str(to_csv(results, d / f"{stem}.csv")), "html": str(fan_chart_html(results, d / f"{stem}.html"))}
    png = fan_chart_png(results, d / f"{stem}.png")
    out: dict[str, Any] = {"files": files}
    if png is None:
        out["notes"] = ["PNG skipped: matplotlib is not installed (plotly's PNG export needs kaleido, not "
                        "installed either); the HTML fan chart works offline."]
    else:
        files["png"] = str(png)
    return out
