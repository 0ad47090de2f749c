"""The briefing report's outlook section: fan charts of the months ahead and the backtest's coverage of the bands.

The figures are :func:`hashpower.figures.outlook.outlook`'s (the brief's own ``outlook`` when it has one,
else a run of :data:`OUTLOOK_MONTHS` months and :data:`OUTLOOK_PATHS` paths from the store's latest day);
the charts are plotly figures, written into the report like its other charts.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

#: The report's outlook when the brief carries none: months ahead and simulated paths.
OUTLOOK_MONTHS, OUTLOOK_PATHS = 24, 1000
#: The mean hashprice line's label.
CURVE_LABEL = "forward hashprice curve (model forecast, not a market quote)"
#: Horizons [months] and series whose backtest coverage the section quotes.
COVERAGE_HORIZONS = (3, 6, 12)
COVERAGE_SERIES = (("hashrate_ehs", "hashrate"), ("hashprice_usd_per_ph_day", "hashprice"))
BAND90, BAND50, MEDIAN, MEAN = "rgba(31, 119, 180, 0.18)", "rgba(31, 119, 180, 0.4)", "#1f77b4", "#d62728"


def outlook_for(b: dict[str, Any]) -> dict[str, Any]:
    """The brief's outlook, or one computed from the store's latest day."""
    o = b.get("outlook")
    if o:
        return o
    from hashpower.figures.outlook import outlook

    return outlook(months=OUTLOOK_MONTHS, paths=OUTLOOK_PATHS)


def _fan(fig, rows: list[dict[str, Any]], key: str, unit: str, digits: int) -> None:
    x = [r["month"] for r in rows]

    def q(k: str) -> list[float]:
        return [r[key][k] for r in rows]

    edge = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
    fig.add_scatter(x=x, y=q("p95"), name="p95", **edge)
    fig.add_scatter(x=x, y=q("p5"), name="p5-p95", fill="tonexty", fillcolor=BAND90, **{**edge, "showlegend": True})
    fig.add_scatter(x=x, y=q("p75"), name="p75", **edge)
    fig.add_scatter(x=x, y=q("p25"), name="p25-p75", fill="tonexty", fillcolor=BAND50, **{**edge, "showlegend": True})
    fig.add_scatter(x=x, y=q("p50"), name="median (p50)", mode="lines+markers", line={"color": MEDIAN, "width": 2},
                    marker={"size": 4}, hovertemplate=f"%{{x}}: median %{{y:,.{digits}f}} {unit}<extra></extra>")


def charts(o: dict[str, Any]) -> list[tuple[str, Any]]:
    """The outlook's fan charts as (title, plotly figure): hashrate, and hashprice with its mean line."""
    import plotly.graph_objects as go

    rows = o["months"]
    legend = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}
    margin = {"t": 60, "b": 60}
    out = []
    fig = go.Figure()
    _fan(fig, rows, "hashrate_ehs", "EH/s", 0)
    fig.update_layout(xaxis_title="month", yaxis_title="hashrate, EH/s (mean of the month)", legend=legend,
                      margin=margin, xaxis_type="category")
    out.append((f"Outlook: hashrate, EH/s, {len(rows)} months from {o['start']} (p5-p95, p25-p75, median)", fig))
    fig = go.Figure()
    _fan(fig, rows, "hashprice_usd_per_ph_day", "USD/PH/day", 2)
    curve = o["forward_hashprice_curve"]
    fig.add_scatter(x=curve["months"], y=curve["usd_per_ph_day"], name=CURVE_LABEL, mode="lines",
                    line={"color": MEAN, "width": 1.5, "dash": "dash"},
                    hovertemplate="%{x}: mean %{y:,.2f} USD/PH/day<extra>forward curve</extra>")
    fig.update_layout(xaxis_title="month", yaxis_title="hashprice, USD per PH/s per day", legend=legend,
                      margin=margin, xaxis_type="category")
    out.append((f"Outlook: hashprice, USD/PH/day, {len(rows)} months from {o['start']} "
                "(p5-p95, p25-p75, median; dashed: the mean)", fig))
    return out


def coverage_note(o: dict[str, Any]) -> str:
    """The backtest's coverage of the 90% and 50% bands at 3 / 6 / 12 months, or why there is none."""
    bt = o.get("backtest") or {}
    m = bt.get("metrics")
    parts = []
    for key, label in COVERAGE_SERIES if m else ():
        cells = [f"{h} months {c['coverage_90']:.0%} / {c['coverage_50']:.0%}" for h in COVERAGE_HORIZONS
                 if (c := (m.get(key) or {}).get(str(h))) and c.get("coverage_90") is not None
                 and c.get("coverage_50") is not None]
        if cells:
            parts.append(f"{label} {', '.join(cells)}")
    if not parts:
        return "Backtest coverage: no backtest is recorded with this version, so the bands' coverage is not scored."
    over = f" over {bt['origins']} past origins" if bt.get("origins") else ""
    upto = f" (data to {bt['data_last_day']})" if bt.get("data_last_day") else ""
    return (f"Backtest coverage{over}{upto}, share of outcomes inside the 90% / 50% bands (nominal 90% / 50%): "
            + "; ".join(parts) + ".")


def section(b: dict[str, Any], fig_html: Callable[[Any], str]) -> str:
    """The report's outlook section (``fig_html`` writes one figure into the page)."""
    try:
        o = outlook_for(b)
    except ValueError as exc:  # e.g. a store too short to calibrate on: the rest of the report stands
        return (f'<section id="outlook"><h2>Outlook</h2><p>The outlook could not be computed: '
                f"{html.escape(str(exc))}</p></section>")
    start = o["start"]
    later = f" The briefing is for {b['date']}; the outlook starts later, at the store's latest day." \
        if b.get("date") and b["date"] < start else ""
    intro = (f"The next {len(o['months'])} months simulated from the store's latest day, {start}: "
             f"{o['paths']:,} paths of preset {o['preset']}, seed {o['seed']}; price: {o['price_view']}. "
             f"Shaded: p5-p95 and p25-p75 of the paths; solid line: median; dashed line: the {CURVE_LABEL}.{later}")
    figs = "".join(f"<h3>{html.escape(t)}</h3>{fig_html(f)}" for t, f in charts(o))
    return (f'<section id="outlook" class="outlook"><h2>Outlook (model forecast)</h2>'
            f"<p>{html.escape(intro)}</p>{figs}"
            f'<p class="coverage">{html.escape(coverage_note(o))}</p></section>')
