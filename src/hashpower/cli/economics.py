"""``hashpower hashprice`` and ``machines``.

Figures: :mod:`hashpower.figures.hashprice` and :mod:`~hashpower.figures.machines`.
"""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli._app import _console, _emit, _show, cli, output_options

#: The orders of ``machines --sort`` (those of :data:`hashpower.figures.machines.SORTS`, which the CLI does
#: not import at start; a test keeps them equal).
MACHINE_SORTS = ("efficiency", "cost-rate", "margin", "breakeven", "hashrate", "release", "name")


@cli.command(name="hashprice")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--price", "price", type=float, default=None, help="Bitcoin price [USD] (default: the day's).")
@click.option("--difficulty", type=float, default=None, help="Network difficulty (default: the day's).")
@click.option("--hashrate", default=None, help='Network hashrate, e.g. "890 EH/s" (hashprice from hashrate).')
@click.option("--fees-btc-per-block", type=float, default=None, help="Fees per block [BTC] (default: the day's).")
@output_options("")
def hashprice_cmd(date: str | None, price: float | None, difficulty: float | None, hashrate: str | None,
                  fees_btc_per_block: float | None, as_json: bool) -> None:
    """Hashprice: revenue per TH/s and PH/s per day, in USD, BTC and sats (hashvalue)."""
    from hashpower.figures.hashprice import hashprice_figures, parse_hashrate

    hs = parse_hashrate(hashrate) if hashrate is not None else None
    f = hashprice_figures(date, price_usd=price, difficulty=difficulty, hashrate_hs=hs,
                          fees_btc_per_block=fees_btc_per_block)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    t = Table(title=f"Hashprice on {f['date']} (from {f['method']})", show_header=False)
    t.add_row("price", f"${f['price_usd']:,.0f}")
    t.add_row("difficulty", f"{f['difficulty'] / 1e12:,.2f} T")
    t.add_row("hashrate", f"{f['hashrate_ehs']:,.1f} EH/s")
    est = f" ({f['fees_note']})" if f.get("fees_note") else ""
    t.add_row("subsidy + fees per block", f"{f['subsidy_btc']:g} + {f['fees_btc_per_block']:.4f} BTC{est}")
    t.add_row("USD", f"${f['usd_per_ph_day']:,.2f} per PH/s per day = ${f['usd_per_th_day']:.4f} per TH/s per day")
    t.add_row("BTC", f"{f['btc_per_ph_day']:.6f} BTC per PH/s per day")
    t.add_row("sats (hashvalue)", f"{f['sat_per_th_day']:,.2f} sats per TH/s per day = "
                                  f"{f['sat_per_ph_day']:,.0f} sats per PH/s per day")
    _show(_console(), t, wrap=True)


@cli.command(name="machines")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price [USD/kWh] (default 0.06, the press's reference of February 2026).")
@click.option("--price", type=float, default=None, help="Bitcoin price [USD] (default: the day's).")
@click.option("--difficulty", type=float, default=None, help="Network difficulty (default: the day's).")
@click.option("--hashprice", "hashprice_ph", type=float, default=None,
              help="Hashprice [USD per PH/s per day] (default: the day's, from its difficulty, price and fees).")
@click.option("--pue", type=float, default=1.0, show_default=True, help="Site power usage effectiveness.")
@click.option("--pool-fee", type=float, default=0.0, show_default=True, help="Pool fee as a decimal.")
@click.option("--hosting-fee", type=float, default=0.0, show_default=True, help="Hosting fee [USD/kWh].")
@click.option("--uptime", type=float, default=1.0, show_default=True, help="Share of the day running.")
@click.option("--capex-per-th", type=float, default=None,
              help="Machine price [USD per TH/s] for payback (default: none, no payback column).")
@click.option("--difficulty-growth", type=float, default=0.0, show_default=True,
              help="Monthly difficulty growth for payback, as a decimal.")
@click.option("--generation", type=click.Choice(["latest", "mid", "old", "obsolete"]), default=None,
              help="Only the models of one generation (by release, docs/economics.md; default: all).")
@click.option("--all", "all_models", is_flag=True, help="Include models released after the date.")
@click.option("--catalog", "catalog_csv", type=click.Path(dir_okay=False), default=None,
              help="Your own models CSV, added to the catalog (same name overrides).")
@click.option("--tariff", default=None, metavar="TARIFF",
              help="Also each model under an hourly tariff, curtailed in the hours it would run at a loss: 24 "
                   "prices in USD/kWh by UTC hour (\"0.03,0.03,...\"), ercot:HB_WEST / ercot:LZ_WEST, or a file "
                   "of hourly prices (docs/plan.md; the last 365 days are used). Default: none (the flat "
                   "--power-price only; its columns stay as they are).")
@click.option("--model", default=None, metavar="NAME",
              help="Only the models whose name contains NAME (case-insensitive; an exact name: that one). "
                   "Default: every model.")
@click.option("--sort", type=click.Choice(MACHINE_SORTS), default=None,
              help="Order of the models (default: efficiency, best first; margin, breakeven, hashrate and "
                   "release: highest first).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Only the first N models of that order (default: all).")
@output_options("machines")
def machines_cmd(date, power_price, price, difficulty, hashprice_ph, pue, pool_fee, hosting_fee, uptime,
                 capex_per_th, difficulty_growth, generation, all_models, catalog_csv, tariff, model, sort, top,
                 as_json) -> None:
    """Unit economics of every ASIC at a power price: cost rate, margin, breakevens, shutdown price."""
    from hashpower.figures.hashprice import DEFAULT_POWER_PRICE_USD_PER_KWH
    from hashpower.figures.machines import machine_figures

    f = machine_figures(
        date, power_price_usd_per_kwh=DEFAULT_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
        price_usd=price, difficulty=difficulty,
        hashprice_usd_per_th_day=hashprice_ph / 1e3 if hashprice_ph is not None else None,
        pue=pue, pool_fee_rate=pool_fee, hosting_fee_usd_per_kwh=hosting_fee, uptime=uptime,
        capex_usd_per_th=capex_per_th, difficulty_growth_rate_per_month=difficulty_growth,
        machines_csv=catalog_csv, generation=generation, all_models=all_models, tariff=tariff,
        tariff_base=Path.cwd(), model=model, sort=sort, top=top)
    if tariff is not None:
        from hashpower.cli import _app

        _app.CACHE_KEY = None  # a tariff file's content is not in the output cache's key
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{f['date']}[/]: hashprice ${f['hashprice_usd_per_ph_day']:,.2f}/PH/day, "
            f"power ${f['power_price_usd_per_kwh']:.3f}/kWh, price ${f['price_usd']:,.0f}")
    pay = any("payback_months" in m for m in f["machines"])
    chosen = model is not None or sort is not None or top is not None
    groups = [(f"{len(f['machines'])} of {f['models_total']} models, by {f['selection']['sort']}", f["machines"])] \
        if chosen else [(f"{gen} ({len(rows)} models)", rows) for gen in ("latest", "mid", "old", "obsolete")
                        if (rows := [m for m in f["machines"] if m["generation"] == gen])]
    for title, rows in groups:
        t = Table(title=title, title_justify="left")
        cols = ["model", *(["generation"] if chosen else []), "J/TH", "TH/s", "cost rate", "margin $/day",
                "breakeven $/kWh", "shutdown $"]
        for col in cols:
            t.add_column(col, justify="left" if col in ("model", "generation") else "right")
        if pay:
            t.add_column("payback (months)", justify="right")
        for m in (rows if chosen else sorted(rows, key=lambda r: r["efficiency_j_per_th"])):
            cells = [m["model"], *([m["generation"]] if chosen else []), f"{m['efficiency_j_per_th']:.1f}",
                     f"{m['hashrate_ths']:g}", f"{m['cost_rate']:.0%}", f"{m['margin_usd_per_day']:,.2f}",
                     f"{m['breakeven_power_price_usd_per_kwh']:.3f}", f"{m['shutdown_price_usd']:,.0f}"]
            if pay:
                p = m.get("payback_months")
                cells.append(p if isinstance(p, str) else f"{p:.1f}")
            t.add_row(*cells, style="red" if m["cost_rate"] > 1 else None)
        _show(c, t)
    if not chosen and len(f["machines"]) > 20:
        c.print(f"[dim]{len(f['machines'])} models; narrow with --top N, --model NAME, --generation or --sort[/]")
    if "tariff" in f:
        _tariff_table(c, f)


def _tariff_table(c, f) -> None:
    from rich.table import Table

    from hashpower.figures.format import money

    tf = f["tariff"]
    span = f", {tf['from']} .. {tf['to']}" if tf["from"] else ""
    t = Table(title=f"under the tariff: {tf['source']}{span} (mean ${tf['mean_usd_per_kwh']:.4f}/kWh), "
                    "curtailed in the hours at a loss", title_justify="left")
    for col in ("model", "hours on/day", "revenue $/day", "power $/day", "margin $/day", "paid $/kWh"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for m in sorted(f["machines"], key=lambda r: r["efficiency_j_per_th"]):
        eff = m["tariff_effective_power_price_usd_per_kwh"]
        t.add_row(m["model"], f"{m['tariff_hours_on_per_day']:.1f}", money(m["tariff_revenue_usd_per_day"]),
                  money(m["tariff_power_cost_usd_per_day"]), money(m["tariff_margin_usd_per_day"]),
                  "-" if eff != eff else f"{eff:.4f}")
    _show(c, t)
