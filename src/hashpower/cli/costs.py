"""``hashpower costs``: the cost to mine one bitcoin, per site, for the fleet and for the network.

Figures: :mod:`hashpower.figures.costs`; formulas and defaults: :mod:`hashpower.models.costs`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hashpower.cli._app import _console, _emit, _show, cli, output_options
from hashpower.figures.format import money as _fmt_money

_HELP = """The cost to mine one bitcoin on a day, beside the day's price.

\b
Per site of FLEET_FILE and for the fleet, in USD per BTC mined:
  electricity   the power bill (PUE and uptime included) over the BTC mined;
                with curtailment only the running hours mine and pay
  cash          + pool fee + hosting fee + opex per MW-year
  fully loaded  + straight-line depreciation of machines and facility
                + interest on the average outstanding balance (half the capital)

\b
Cost terms a site may set in the fleet file, with their defaults:
  opex_usd_per_mw_year       87,660 USD/MW-year (about $0.01/kWh, an industry pro-forma)
  facility_capex_usd_per_mw  375,000 USD/MW (CBRE's $250k-$500k per MW)
  facility_life_years        10 years (Greenidge 10-Q, Q3 2022)
  machine_life_years         3 years (Greenidge 10-Q, Q3 2022)
  interest_rate              0.075 per year (an assumption)
  machines' capex_usd or usd_per_th: default the ASIC price of the model's tier
  (data/asic_prices.csv: latest $16, mid $8, old $3, obsolete $1 per TH/s)

\b
For the network: the CBECI power (lower / best / upper) x 24 h x --power-price
over the BTC issued that day (subsidy + fees; estimated fees are said so).
Without FLEET_FILE only the network part is shown. docs/costs.md has the method.
"""


def _rate(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.0%}"


@cli.command(name="costs", help=_HELP)
@click.argument("fleet_file", required=False, type=click.Path(path_type=Path))
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="The network's power price [USD/kWh], > 0 and <= 10 (default 0.05, CBECI's, as "
                   "'hashpower network'). Sites pay their own prices.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the network's daily cost per BTC over the whole history to this CSV.")
@output_options("sites")
def costs_cmd(fleet_file: Path | None, date: str | None, power_price: float | None, csv_path: Path | None,
              as_json: bool) -> None:
    """The cost to mine one bitcoin (the help text is :data:`_HELP`)."""
    from hashpower.figures.costs import costs_figures

    f = costs_figures(fleet_file, date, power_price, csv_path=csv_path)
    if as_json:
        _emit(f)
        return
    from rich import box
    from rich.table import Table

    c = _console()
    n = f["network"]
    title = f"Cost to mine one bitcoin on {f['date']}; price {_fmt_money(f['price_usd'])}"
    if f["fleet"] is not None:
        t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
        t.add_column("site", overflow="fold")
        for col in ("BTC/day", "on", "electricity", "cash", "full", "price", "margin"):
            t.add_column(col, justify="right", no_wrap=True)

        def row(name: str, s: dict[str, Any], running: float | None, **kw: Any) -> None:
            t.add_row(name, f"{s['btc_mined']:.4f}", "" if running is None else f"{running:.0%}",
                      _fmt_money(s["electricity_usd_per_btc"]), _fmt_money(s["cash_usd_per_btc"]),
                      _fmt_money(s["fully_loaded_usd_per_btc"]), _fmt_money(f["price_usd"]),
                      _rate(s["margin_rate"]["cash"]), **kw)

        for s in f["sites"]:
            row(s["name"], s, s["running_share"])
        row("fleet", f["fleet"], None, style="bold")
        _show(c, t)
        c.print("USD per BTC mined; full: fully loaded; on: share of unit-hours running; margin: 1 - cash / price")
        for s in [*f["sites"], {**f["fleet"], "name": "fleet"}]:
            for why in (s["reason"], s["fully_loaded_reason"]):
                if why:
                    c.print(f"{s['name']}: {why}")
        defaults = sorted({k for s in f["sites"] for k, v in s["assumptions"].items()
                           if k != "machines" and v["from"] == "default"})
        priced = sum(m["from"] == "default" for s in f["sites"] for m in s["assumptions"]["machines"])
        if defaults or priced:
            c.print("defaults used: " + ", ".join(defaults)
                    + (f"; {priced} machine group(s) priced from data/asic_prices.csv" if priced else "")
                    + " (--json lists every value and its source)")
        c.print("BTC mined counts the running hours only; interest on the average outstanding balance")
    else:
        c.print(title)
    t = Table(title=f"Network: electricity per BTC at ${n['power_price_usd_per_kwh']:.3f}/kWh",
              title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    for col in ("bound", "power GW", "electricity per BTC", "margin"):
        t.add_column(col, justify="left" if col == "bound" else "right")
    for b in ("lower", "best", "upper"):
        gw = n["power_gw"][b]
        t.add_row(b, "n/a" if gw is None or gw != gw else f"{gw:.1f}", _fmt_money(n["electricity_usd_per_btc"][b]),
                  _rate(n["margin_rate"][b]))
    _show(c, t)
    c.print(f"BTC issued {n['btc_issued']:,.2f} (subsidy {n['subsidy_btc']:,.2f} + fees {n['fees_btc']:,.2f}"
            + (", fees estimated" if n["fees_estimated"] else "") + ")"
            + (f"; {n['reason']}" if n["reason"] else ""))
    if f["csv"]:
        c.print(f"daily network cost per BTC written to {f['csv']}")
