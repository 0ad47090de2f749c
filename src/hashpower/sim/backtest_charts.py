"""Files of a backtest (:func:`hashpower.sim.backtest.run`): the cases and metrics as CSV, coverage and PIT charts.

Charts are interactive HTML (plotly, with plotly.js inline so the file works
offline) and, when matplotlib is installed, PNG (the Agg backend; plotly's own
PNG export needs kaleido, which the project does not depend on). Coverage and
the PIT are scores of the unconditional mode: a conditional-only result has no
charts, with a note.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["cases_csv", "coverage_html", "coverage_png", "metrics_csv", "pit_html", "pit_png", "write_outputs"]

#: Nominal coverage of the p5-p95 and p25-p75 bands [-].
NOMINAL = {"coverage_90": 0.90, "coverage_50": 0.50}
_LABEL = {"coverage_90": "p5-p95 (nominal 0.90)", "coverage_50": "p25-p75 (nominal 0.50)"}
_COLOUR = {"coverage_90": "rgb(31, 119, 180)", "coverage_50": "rgb(255, 127, 14)"}
_MPL_COLOUR = {"coverage_90": "#1f77b4", "coverage_50": "#ff7f0e"}


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    return v


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


def cases_csv(result: dict[str, Any], path: str | Path) -> Path:
    """One row per case (origin, horizon, series, mode) with every key of the case."""
    cases = result["cases"]
    cols = _columns(cases)
    p = Path(path)
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for c in cases:
            w.writerow([_cell(c.get(k)) for k in cols])
    return p


def _metric_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    modes = result.get("modes") or {result["mode"]: result["metrics"]}
    rows = []
    for mode, per_series in modes.items():
        for series, per_h in per_series.items():
            for h in sorted(per_h, key=int):
                rows.append({"mode": mode, "series": series, "horizon_months": int(h), **per_h[h]})
    return rows


def metrics_csv(result: dict[str, Any], path: str | Path) -> Path:
    """One row per mode, series and horizon with every metric (the PIT histogram as ``;``-separated counts)."""
    rows = _metric_rows(result)
    cols = _columns(rows)
    p = Path(path)
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(r.get(k)) for k in cols])
    return p


def _unconditional(result: dict[str, Any]) -> dict[str, Any] | None:
    modes = result.get("modes") or {}
    if "unconditional" in modes:
        return modes["unconditional"]
    return result["metrics"] if result.get("mode") == "unconditional" else None


def _title(result: dict[str, Any], what: str) -> str:
    o = result["origins"]
    return (f"hashpower backtest, unconditional mode: {what}; {len(o)} origin(s) {o[0]} .. {o[-1]}, "
            f"{result['paths']:,} paths, seed {result['seed']}")


def _pit_density(counts: list[int]) -> list[float]:
    """Counts per bin as a density on [0, 1] (the uniform is 1)."""
    n = sum(counts)
    return [c * len(counts) / n if n else 0.0 for c in counts]


def coverage_html(result: dict[str, Any], path: str | Path) -> Path:
    """Coverage of the p5-p95 and p25-p75 bands by horizon, one panel per series, nominal levels as lines."""
    from plotly.graph_objects import Bar
    from plotly.subplots import make_subplots

    m = _unconditional(result)
    series = list(m)
    fig = make_subplots(rows=1, cols=len(series), subplot_titles=series, shared_yaxes=True)
    x = [f"{h} months" for h in result["horizons_months"]]
    for i, s in enumerate(series, 1):
        for key in NOMINAL:
            y = [m[s][str(h)].get(key) for h in result["horizons_months"]]
            fig.add_trace(Bar(x=x, y=y, name=_LABEL[key], marker_color=_COLOUR[key], showlegend=i == 1,
                              legendgroup=key), row=1, col=i)
        for key, level in NOMINAL.items():
            fig.add_hline(y=level, line_dash="dash", line_color=_COLOUR[key], row=1, col=i)
    fig.update_yaxes(range=[0, 1.05], title_text="share of actuals inside the band", row=1, col=1)
    fig.update_layout(barmode="group", height=480, title=_title(result, "band coverage by horizon"),
                      legend={"orientation": "h"})
    p = Path(path)
    fig.write_html(str(p), include_plotlyjs=True, full_html=True)
    return p


def pit_html(result: dict[str, Any], path: str | Path) -> Path:
    """PIT histograms (density) per series (rows) and horizon (columns), the uniform density as a line."""
    from plotly.graph_objects import Bar
    from plotly.subplots import make_subplots

    m = _unconditional(result)
    series, hs = list(m), result["horizons_months"]
    fig = make_subplots(rows=len(series), cols=len(hs), shared_xaxes=True,
                        subplot_titles=[f"{s}, {h} months (n={m[s][str(h)]['n']})" for s in series for h in hs])
    for r, s in enumerate(series, 1):
        for c, h in enumerate(hs, 1):
            counts = m[s][str(h)].get("pit_histogram") or []
            k = len(counts)
            centres = [(j + 0.5) / k for j in range(k)]
            fig.add_trace(Bar(x=centres, y=_pit_density(counts), width=1 / k if k else None, showlegend=False,
                              marker_color="rgb(31, 119, 180)", name="PIT"), row=r, col=c)
            fig.add_hline(y=1.0, line_dash="dash", line_color="rgb(214, 39, 40)", row=r, col=c)
    fig.update_xaxes(range=[0, 1])
    fig.update_layout(height=300 * len(series), title=_title(result, "PIT density (uniform = 1, dashed)"))
    p = Path(path)
    fig.write_html(str(p), include_plotlyjs=True, full_html=True)
    return p


def _pyplot():
    if importlib.util.find_spec("matplotlib") is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def coverage_png(result: dict[str, Any], path: str | Path) -> Path | None:
    """The coverage chart as a PNG; ``None`` when matplotlib is not installed."""
    plt = _pyplot()
    if plt is None:
        return None
    m = _unconditional(result)
    series, hs = list(m), result["horizons_months"]
    fig, axes = plt.subplots(1, len(series), figsize=(4.5 * len(series), 4), sharey=True, squeeze=False)
    for ax, s in zip(axes[0], series, strict=True):
        for j, key in enumerate(NOMINAL):
            y = [m[s][str(h)].get(key) for h in hs]
            y = [float("nan") if v is None else v for v in y]
            ax.bar([i + (j - 0.5) * 0.4 for i in range(len(hs))], y, width=0.4, color=_MPL_COLOUR[key],
                   label=_LABEL[key])
            ax.axhline(NOMINAL[key], color=_MPL_COLOUR[key], linestyle="--", linewidth=1)
        ax.set_xticks(range(len(hs)), [f"{h} months" for h in hs])
        ax.set_ylim(0, 1.05)
        ax.set_title(s, fontsize=9)
    axes[0][0].set_ylabel("share of actuals inside the band")
    axes[0][0].legend(fontsize=8, loc="lower left")
    fig.suptitle(_title(result, "band coverage"), fontsize=9)
    fig.tight_layout()
    p = Path(path)
    fig.savefig(p, dpi=100)
    plt.close(fig)
    return p


def pit_png(result: dict[str, Any], path: str | Path) -> Path | None:
    """The PIT histograms as a PNG; ``None`` when matplotlib is not installed."""
    plt = _pyplot()
    if plt is None:
        return None
    m = _unconditional(result)
    series, hs = list(m), result["horizons_months"]
    fig, axes = plt.subplots(len(series), len(hs), figsize=(3.5 * len(hs), 2.8 * len(series)), sharex=True,
                             squeeze=False)
    for r, s in enumerate(series):
        for c, h in enumerate(hs):
            ax = axes[r][c]
            counts = m[s][str(h)].get("pit_histogram") or []
            k = len(counts)
            if k:
                ax.bar([(j + 0.5) / k for j in range(k)], _pit_density(counts), width=1 / k, color="#1f77b4",
                       edgecolor="white")
            ax.axhline(1.0, color="#d62728", linestyle="--", linewidth=1)
            ax.set_xlim(0, 1)
            ax.set_title(f"{s}, {h} months (n={m[s][str(h)]['n']})", fontsize=8)
    fig.suptitle(_title(result, "PIT density (uniform = 1, dashed)"), fontsize=9)
    fig.tight_layout()
    p = Path(path)
    fig.savefig(p, dpi=100)
    plt.close(fig)
    return p


def write_outputs(result: dict[str, Any], directory: str | Path) -> dict[str, Any]:
    """Write the CSVs and the charts of ``result`` into ``directory``; ``{"files": {...}}`` (and ``notes``).

    Files: ``backtest_cases.csv``, ``backtest_metrics.csv`` and, for a result with the unconditional
    mode, ``coverage.html``, ``pit.html`` and (with matplotlib) ``coverage.png``, ``pit.png``.
    """
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise ValueError(f"the output directory {d} is a file, not a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create the output directory {d}: {exc.strerror or exc}") from None
    for key in ("cases", "origins", "horizons_months", "metrics"):
        if key not in result:
            raise ValueError(f"not a backtest result: no {key!r}")
    files = {"cases_csv": str(cases_csv(result, d / "backtest_cases.csv")),
             "metrics_csv": str(metrics_csv(result, d / "backtest_metrics.csv"))}
    notes: list[str] = []
    if _unconditional(result) is None:
        notes.append("coverage and PIT charts skipped: they score the unconditional mode, which did not run")
    else:
        files["coverage_html"] = str(coverage_html(result, d / "coverage.html"))
        files["pit_html"] = str(pit_html(result, d / "pit.html"))
        png = coverage_png(result, d / "coverage.png")
        if png is None:
            notes.append("PNG skipped: matplotlib is not installed (plotly's PNG export needs kaleido, not "
                         "installed either); the HTML charts work offline.")
        else:
            files["coverage_png"] = str(png)
            files["pit_png"] = str(pit_png(result, d / "pit.png"))
    out: dict[str, Any] = {"files": files}
    if notes:
        out["notes"] = notes
    return out
