"""The briefing as a self-contained HTML report: tables and charts, no network needed to open it.

The chart library (plotly.js) is written once, inline, into the file. The outlook section (fan charts of the
months ahead) is :mod:`hashpower.report.outlook_chart`'s.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.figures.format import money as _money
from hashpower.report.outlook_chart import section as outlook_section


def _fig_html(fig, first: bool) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=bool(first), config={"displaylogo": False})




def charts(b: dict[str, Any]) -> list[tuple[str, Any]]:
    """The report's charts as (title, plotly figure)."""
    import pandas as pd
    import plotly.graph_objects as go

    from hashpower.figures import series
    from hashpower.figures.index import INDEX_BANDS

    s = series.series()
    dates = s["dates"]
    day = np.datetime64(b["date"], "ns")
    upto = dates.values <= day
    out = []

    hp = pd.Series(np.asarray(s["hashprice_usd_per_th_day"]) * 1e3, index=dates)[upto].loc["2016":]
    hp7 = hp.rolling(7).mean()
    running = hp7.cummin()
    lows = hp7[(hp7 == running) & (hp7.diff() < 0)]
    fig = go.Figure()
    fig.add_scatter(x=hp7.index, y=hp7.values, name="hashprice, 7-day mean", line={"width": 1.5})
    fig.add_scatter(x=lows.index, y=lows.values, mode="markers", name="record low", marker={"color": "red", "size": 5})
    fig.update_layout(yaxis_type="log", yaxis_title="USD per PH/s per day")
    out.append(("Hashprice since 2016, with its record lows", fig))

    h30 = pd.Series(s["hashrate_30d"][0] / 1e18, index=dates)[upto].loc["2019":]
    fig = go.Figure()
    fig.add_scatter(x=h30.index, y=h30.values, name="hashrate, 30-day", line={"width": 1.5})
    eps = series.episode_records(s["episodes_30d"], dates)
    for e in sorted(eps, key=lambda e: -e["depth"])[:6]:
        if e["peak_date"] >= "2019" and e["peak_date"] <= b["date"]:
            fig.add_vrect(
                x0=e["peak_date"],
                x1=e["recovery_date"] or b["date"],
                fillcolor="red",
                opacity=0.12,
                line_width=0,
                annotation_text=f"-{e['depth']:.0%}",
                annotation_position="top left",
            )
    fig.update_layout(yaxis_title="EH/s")
    out.append(("Hashrate (30-day) and its deepest drawdowns", fig))

    models = b["machines"]["models"]
    fig = go.Figure()
    fig.add_bar(
        x=[m["model"] for m in models],
        y=[100 * m["cost_rate"] for m in models],
        marker_color=["#c0392b" if m["cost_rate"] > 1 else "#2c7fb8" for m in models],
    )
    fig.add_hline(y=100, line_dash="dash")
    fig.update_layout(yaxis_title="cost rate, % of revenue", xaxis_tickangle=-60, height=520)
    out.append((f"Power cost rate by machine at ${b['machines']['power_price_usd_per_kwh']:.3f}/kWh", fig))

    idx = pd.Series(s["index"], index=dates)[upto].loc["2016":]
    fig = go.Figure()
    fig.add_scatter(x=idx.index, y=idx.values, name="index", line={"width": 1.2})
    for edge, _name in INDEX_BANDS[:-1]:
        fig.add_hline(y=edge, line_dash="dot", line_color="grey")
    fig.update_layout(yaxis_title="0-100", yaxis_range=[0, 100])
    out.append(("Miner sustainability index (10 / 30 / 70 / 90: band edges)", fig))

    c = series.concentration_series(30)
    fig = go.Figure()
    fig.add_scatter(x=c["dates"], y=c["hhi"], name="HHI, 30-day", line={"width": 1.5})
    fig.add_scatter(
        x=c["dates"],
        y=c["nakamoto_coefficient"] * 500,
        name="Nakamoto coefficient x 500",
        line={"width": 1, "dash": "dot"},
    )
    fig.update_layout(yaxis_title="HHI (0-10,000)")
    out.append(("Pool concentration since 2021", fig))

    sc = b.get("scenarios")
    if sc:
        for key, title, scale in (
            ("hashrate_ehs", "Hashrate, EH/s", 1.0),
            ("security_budget_usd_per_day", "Security budget, USD M per day", 1e-6),
        ):
            fig = go.Figure()
            for name, r in sc["presets"].items():
                fan = r["fan"].get(key)
                if not fan:
                    continue
                x = list(range(1, len(fan["p50"]) + 1))
                fig.add_scatter(
                    x=x + x[::-1],
                    y=[v * scale for v in fan["p95"]] + [v * scale for v in fan["p5"]][::-1],
                    fill="toself",
                    opacity=0.15,
                    line={"width": 0},
                    name=f"{name} p5-p95",
                    showlegend=False,
                )
                fig.add_scatter(x=x, y=[v * scale for v in fan["p50"]], name=name)
            fig.update_layout(xaxis_title="years ahead", yaxis_title=title)
            out.append((f"Scenarios: {title} (median and p5-p95)", fig))
    return out


def _freshness_html(b: dict[str, Any]) -> str:
    """One line under the title: the data's last day and, when stale, its age and how to update."""
    f = b.get("freshness") or {}
    if not f:
        return ""
    text = f"Data to {f['data_last_day']}"
    if f.get("data_stale"):
        text += f", {f['data_age_days']} days before this briefing; to update: {f['data_refresh']}"
    if f.get("fees_last_day") and f["fees_last_day"] < f["data_last_day"]:
        text += f". No fee data after {f['fees_last_day']}: later fees are estimated"
    return f'<p class="freshness">{html.escape(text)}.</p>'


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def write_html(b: dict[str, Any], path: str | Path) -> Path:
    """Write the briefing ``b`` (from :func:`hashpower.figures.brief.brief_figures`) as one self-contained HTML file."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"--html {p} is a folder; give a file name")
    hp, net, idx, sec, mach = b["hashprice"], b["network"], b["index"], b["security"], b["machines"]
    ctx = hp["history"]
    gens = mach["generations"]
    rows = [
        (
            "Hashprice",
            f"${hp['usd_per_ph_day']:,.2f} per PH/s per day ({hp['btc_per_ph_day']:.6f} BTC, "
            f"{hp['sat_per_th_day']:,.2f} sats per TH/s); 7-day ${ctx['usd_per_ph_day_7d']:,.2f}, "
            f"{ctx['notable']['text']}",
        ),
        ("Price, difficulty", f"${hp['price_usd']:,.0f}; {hp['difficulty'] / 1e12:,.2f} T"),
        (
            "Cost rate by generation",
            "; ".join(f"{g} {v['median_cost_rate']:.0%}" for g, v in gens.items())
            + f" (at ${mach['power_price_usd_per_kwh']:.3f}/kWh)",
        ),
        (
            "Sustainability index",
            f"{idx['sustainability_index']:.0f} ({idx['band']}), {idx['notable']['text']}",
        ),
        (
            "Hashrate",
            f"{net['hashrate_ehs_7d']:,.0f} EH/s (7 days), {net['hashrate_ehs_30d']:,.0f} EH/s (30 days); "
            f"{(net['change_1y'] or 0):+.1%} over a year",
        ),
        (
            "Drawdown",
            f"{net['drawdown']['current']:.1%} below the {net['drawdown']['peak_date']} peak; deepest "
            f"{net['drawdown']['depth']:.1%}, {net['drawdown_notable']['text']}"
            if net["drawdown"]["peak_date"]
            else "none",
        ),
        (
            "Network power",
            " / ".join(f"{net['power_gw'][k]:.1f}" for k in ("lower", "best", "upper"))
            + " GW (lower / best / upper) = "
            + " / ".join(f"{net['energy_twh_per_year'][k]:.0f}" for k in ("lower", "best", "upper"))
            + " TWh a year",
        ),
        (
            "Security budget",
            f"{_money(sec['security_budget_usd_per_day'])} a day, fees {sec['fee_share']:.1%}; "
            f"HHI {sec['hhi']:,.0f}, Nakamoto coefficient {sec['nakamoto_coefficient']}",
        ),
        (
            "Attack costs",
            f"rent {_money(sec['attack_cost']['rent_usd_per_hour'])}/hour, buy "
            f"{_money(sec['attack_cost']['hardware_usd'])}, energy "
            f"{_money(sec['attack_cost']['energy_usd_per_hour'])}/hour",
        ),
        (
            "Mining vs AI per MW-year",
            "; ".join(f"{g} {_money(v)}" for g, v in b["pivot"]["mining_usd_per_mw_year"].items())
            + f" mining; AI {_money(b['pivot']['ai_usd_per_mw_year_of_grid']['low'])}-"
            f"{_money(b['pivot']['ai_usd_per_mw_year_of_grid']['high'])}",
        ),
    ]
    if b.get("scenarios"):
        for name, r in b["scenarios"]["presets"].items():
            rows.append(
                (
                    f"Scenario {name}, year {b['scenarios']['years']} (median of {b['scenarios']['paths']:,} paths)",
                    f"{r.get('hashrate_ehs', float('nan')):,.0f} EH/s, budget "
                    f"{_money(r.get('security_budget_usd_per_day'))}/day, attack "
                    f"{_money(r.get('attack_cost_hardware_usd'))}",
                )
            )
    parts = [
        f"<section><h2>{html.escape(t)}</h2>{_fig_html(f, i == 0)}</section>" for i, (t, f) in enumerate(charts(b))
    ]
    # the chart library is already in the page: the briefing's own charts come first
    parts.append(outlook_section(b, lambda f: _fig_html(f, False)))
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hashpower briefing {b["date"]}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th {{ text-align: left; width: 14em; vertical-align: top; }}
th, td {{ padding: 0.35em 0.6em; border-bottom: 1px solid #ddd; }} footer {{ color: #666; font-size: 0.85em; }}
.outlook .coverage {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>The state of Bitcoin mining on {b["date"]}</h1>
{_freshness_html(b)}
{_table(rows)}
{"".join(parts)}
<footer><p>Generated {dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")} UTC by hashpower.
{html.escape(b["data"]["attribution"])}. Methods: docs/ in the hashpower repository.</p></footer>
</body></html>
"""
    try:
        p.write_text(doc)
    except OSError as exc:
        raise ValueError(f"cannot write {p}: {exc}") from None
    return p
