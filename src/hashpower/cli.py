"""The ``hashpower`` command line: thin, every command with ``--json``.

Bad input (an unknown option, an unreadable file, a date outside the data, a
malformed CSV) prints one line on stderr and exits with status 2; nothing in
the store changes. Heavy libraries load inside the commands, so ``--help``
starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from hashpower._format import json_safe
from hashpower._format import money as _fmt_money

EXIT_BAD_INPUT = 2


def _emit(obj: dict[str, Any]) -> None:
    click.echo(json.dumps(json_safe(obj), indent=2, default=str, allow_nan=False))


def _console():
    from rich.console import Console

    return Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hashpower")
def cli() -> None:
    """Bitcoin mining economics and network security, on real data, offline by default."""


@cli.command()
@click.option("--date", "date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price for cost rates [USD/kWh] (default 0.06, the press's reference of Feb 2026).")
@click.option("--html", "html_path", type=click.Path(path_type=Path), default=None,
              help="Also write a self-contained HTML report with charts to this file.")
@click.option("--no-scenarios", is_flag=True, help="Skip the scenario runs (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def brief(date: str | None, power_price: float | None, html_path: Path | None, no_scenarios: bool,
          as_json: bool) -> None:
    """The state of Bitcoin mining on one day: every capability's headline figures."""
    from hashpower.brief import brief_figures
    from hashpower.economics import DEFAULT_POWER_PRICE_USD_PER_KWH

    b = brief_figures(date, DEFAULT_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
                      scenarios=not no_scenarios)
    if html_path is not None:
        from hashpower.report import write_html

        write_html(b, html_path)
    if as_json:
        out = dict(b)
        if out.get("scenarios"):
            out["scenarios"] = {**out["scenarios"], "presets": {k: {kk: vv for kk, vv in v.items() if kk != "fan"}
                                                                 for k, v in out["scenarios"]["presets"].items()}}
        _emit(out)
        return
    _print_brief(b)
    if html_path is not None:
        _console().print(f"HTML report written to [bold]{html_path.resolve()}[/]")


def _print_brief(b: dict) -> None:
    from rich.table import Table

    c = _console()
    hp, net, idx, sec, mach = b["hashprice"], b["network"], b["index"], b["security"], b["machines"]
    ctx = hp["history"]
    t = Table(title=f"The state of Bitcoin mining on {b['date']}", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    t.add_row("price / difficulty", f"${hp['price_usd']:,.0f} / {hp['difficulty'] / 1e12:,.2f} T")
    t.add_row("hashprice", f"${hp['usd_per_ph_day']:,.2f} per PH/s per day (${hp['usd_per_th_day']:.4f}/TH); 7-day "
                           f"${ctx['usd_per_ph_day_7d']:,.2f}, the lowest since {ctx['lowest_since'] or 'ever'}"
                           + (" [red]- a record low[/]" if ctx["is_record_low"] else ""))
    t.add_row(f"cost rate at ${mach['power_price_usd_per_kwh']:.3f}/kWh",
              ", ".join(f"{g} {v['median_cost_rate']:.0%}" for g, v in mach["generations"].items()))
    t.add_row("sustainability index", f"{idx['sustainability_index']:.0f} ({idx['band']}), the lowest since "
                                      f"{idx['lowest_since'] or 'the start'}")
    dd = net["drawdown"]
    t.add_row("hashrate", f"{net['hashrate_ehs_7d']:,.0f} EH/s (7 d), {net['hashrate_ehs_30d']:,.0f} EH/s (30 d), "
                          f"{_pct(net['change_1y'])} over a year")
    if dd["peak_date"]:
        t.add_row("drawdown", f"{dd['current']:.1%} below the {dd['peak_date']} peak (deepest {dd['depth']:.1%}, "
                              f"rank {dd['rank']}); the largest since {net['largest_drawdown_since']}")
    p, e = net["power_gw"], net["energy_twh_per_year"]
    t.add_row("network power", f"{p['lower']:.1f} / {p['best']:.1f} / {p['upper']:.1f} GW = {e['lower']:.0f} / "
                               f"{e['best']:.0f} / {e['upper']:.0f} TWh a year (lower / best / upper)")
    a = sec["attack_cost"]
    t.add_row(f"security ({sec['date']})", f"budget {_fmt_money(sec['security_budget_usd_per_day'])}/day, fees "
                                           f"{sec['fee_share']:.1%}; HHI {sec['hhi']:,.0f}, Nakamoto coefficient "
                                           f"{sec['nakamoto_coefficient']}")
    t.add_row("attack costs", f"rent {_fmt_money(a['rent_usd_per_hour'])}/h "
                              f"(net {_fmt_money(a['rent_net_of_rewards_usd_per_hour'])}/h), buy "
                              f"{_fmt_money(a['hardware_usd'])}, energy {_fmt_money(a['energy_usd_per_hour'])}/h")
    pv = b["pivot"]
    mining = ", ".join(f"{g} {_fmt_money(v)}" for g, v in pv["mining_usd_per_mw_year"].items())
    ai = pv["ai_usd_per_mw_year_of_grid"]
    t.add_row("per MW-year", f"mining {mining}; AI {_fmt_money(ai['low'])}-{_fmt_money(ai['high'])}")
    if b.get("scenarios"):
        sc = b["scenarios"]
        for name, r in sc["presets"].items():
            t.add_row(f"{name}, year {sc['years']}", f"{r.get('hashrate_ehs', 0):,.0f} EH/s, budget "
                                                    f"{_fmt_money(r.get('security_budget_usd_per_day', 0))}/day, "
                                                    f"attack {_fmt_money(r.get('attack_cost_hardware_usd', 0))}")
    c.print(t)
    c.print(f"[dim]{b['data']['attribution']}[/]")




@cli.command(name="hashprice")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--price", "price", type=float, default=None, help="Bitcoin price [USD] (default: the day's).")
@click.option("--difficulty", type=float, default=None, help="Network difficulty (default: the day's).")
@click.option("--hashrate", default=None, help='Network hashrate, e.g. "890 EH/s" (hashprice from hashrate).')
@click.option("--fees-btc-per-block", type=float, default=None, help="Fees per block [BTC] (default: the day's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def hashprice_cmd(date: str | None, price: float | None, difficulty: float | None, hashrate: str | None,
                  fees_btc_per_block: float | None, as_json: bool) -> None:
    """Hashprice: revenue per TH/s and PH/s per day, in USD and BTC."""
    from hashpower import units
    from hashpower.economics import hashprice_figures

    hs = units.parse_hashrate(hashrate) if hashrate is not None else None
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
    t.add_row("subsidy + fees per block", f"{f['subsidy_btc']:g} + {f['fees_btc_per_block']:.4f} BTC")
    t.add_row("USD", f"${f['usd_per_ph_day']:,.2f} per PH/s per day = ${f['usd_per_th_day']:.4f} per TH/s per day")
    t.add_row("BTC", f"{f['btc_per_ph_day']:.6f} BTC per PH/s per day")
    _console().print(t)


@cli.command(name="machines")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price [USD/kWh] (default 0.06, the press's reference of February 2026).")
@click.option("--price", type=float, default=None, help="Bitcoin price [USD] (default: the day's).")
@click.option("--difficulty", type=float, default=None, help="Network difficulty (default: the day's).")
@click.option("--hashprice", "hashprice_ph", type=float, default=None, help="Hashprice [USD per PH/s per day].")
@click.option("--pue", type=float, default=1.0, show_default=True, help="Site power usage effectiveness.")
@click.option("--pool-fee", type=float, default=0.0, show_default=True, help="Pool fee as a decimal.")
@click.option("--hosting-fee", type=float, default=0.0, show_default=True, help="Hosting fee [USD/kWh].")
@click.option("--uptime", type=float, default=1.0, show_default=True, help="Share of the day running.")
@click.option("--capex-per-th", type=float, default=None, help="Machine price [USD per TH/s] for payback.")
@click.option("--difficulty-growth", type=float, default=0.0, show_default=True,
              help="Monthly difficulty growth for payback, as a decimal.")
@click.option("--generation", type=click.Choice(["latest", "mid", "old", "obsolete"]), default=None)
@click.option("--all", "all_models", is_flag=True, help="Include models released after the date.")
@click.option("--catalog", "catalog_csv", type=click.Path(dir_okay=False), default=None,
              help="Your own models CSV, added to the catalog (same name overrides).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def machines_cmd(date, power_price, price, difficulty, hashprice_ph, pue, pool_fee, hosting_fee, uptime,
                 capex_per_th, difficulty_growth, generation, all_models, catalog_csv, as_json) -> None:
    """Unit economics of every ASIC at a power price: cost rate, margin, breakevens, shutdown price."""
    from hashpower.economics import DEFAULT_POWER_PRICE_USD_PER_KWH, machine_figures

    f = machine_figures(
        date, power_price_usd_per_kwh=DEFAULT_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
        price_usd=price, difficulty=difficulty,
        hashprice_usd_per_th_day=hashprice_ph / 1e3 if hashprice_ph is not None else None,
        pue=pue, pool_fee_rate=pool_fee, hosting_fee_usd_per_kwh=hosting_fee, uptime=uptime,
        capex_usd_per_th=capex_per_th, difficulty_growth_rate_per_month=difficulty_growth,
        machines_csv=catalog_csv, generation=generation, all_models=all_models)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{f['date']}[/]: hashprice ${f['hashprice_usd_per_ph_day']:,.2f}/PH/day, "
            f"power ${f['power_price_usd_per_kwh']:.3f}/kWh, price ${f['price_usd']:,.0f}")
    pay = any("payback_months" in m for m in f["machines"])
    for gen in ("latest", "mid", "old", "obsolete"):
        rows = [m for m in f["machines"] if m["generation"] == gen]
        if not rows:
            continue
        t = Table(title=f"{gen} ({len(rows)} models)", title_justify="left")
        for col in ("model", "J/TH", "TH/s", "cost rate", "margin $/day", "breakeven $/kWh", "shutdown $"):
            t.add_column(col, justify="left" if col == "model" else "right")
        if pay:
            t.add_column("payback (months)", justify="right")
        for m in sorted(rows, key=lambda r: r["efficiency_j_per_th"]):
            cells = [m["model"], f"{m['efficiency_j_per_th']:.1f}", f"{m['hashrate_ths']:g}",
                     f"{m['cost_rate']:.0%}", f"{m['margin_usd_per_day']:,.2f}",
                     f"{m['breakeven_power_price_usd_per_kwh']:.3f}", f"{m['shutdown_price_usd']:,.0f}"]
            if pay:
                p = m.get("payback_months")
                cells.append(p if isinstance(p, str) else f"{p:.1f}")
            t.add_row(*cells, style="red" if m["cost_rate"] > 1 else None)
        c.print(t)


@cli.command(name="fleet")
@click.argument("fleet_file", type=click.Path(path_type=Path))
@click.option("--from", "start", default=None, help="First day (default: a year before the last).")
@click.option("--to", "end", default=None, help="Last day (default: the latest in the store).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the daily P&L per site to this CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def fleet_cmd(fleet_file: Path, start: str | None, end: str | None, csv_path: Path | None, as_json: bool) -> None:
    """Daily P&L of your sites and machines over the history, with curtailment."""
    from hashpower.economics import fleet_figures

    f = fleet_figures(fleet_file, start, end, csv_path)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    t = Table(title=f"{f['units']:,} units, {f['from']} .. {f['to']} ({f['days']} days)")
    for col in ("site", "revenue", "power cost", "hosting", "profit", "curtailed unit-days"):
        t.add_column(col, justify="left" if col == "site" else "right")
    for s in f["sites"]:
        t.add_row(s["site"], _fmt_money(s["revenue_usd"]), _fmt_money(s["power_cost_usd"]),
                  _fmt_money(s["hosting_cost_usd"]), _fmt_money(s["profit_usd"]), f"{s['curtailed_unit_days']:,.0f}")
    t.add_row("total", _fmt_money(f["revenue_usd"]), _fmt_money(f["power_cost_usd"]), _fmt_money(f["hosting_cost_usd"]),
              _fmt_money(f["profit_usd"]), f"{f['curtailed_unit_days']:,.0f}", style="bold")
    c = _console()
    c.print(t)
    if csv_path:
        c.print(f"daily P&L written to {csv_path}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1%}"


@cli.command(name="network")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price for the profitability threshold [USD/kWh] (default 0.05, CBECI's).")
@click.option("--window-days", type=int, default=None, help="Add a hashrate estimate over this many days.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def network_cmd(date: str | None, power_price: float | None, window_days: int | None, as_json: bool) -> None:
    """Hashrate estimates, drawdown, network power and energy, and the next difficulty adjustment."""
    from hashpower.analytics import DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH, network_figures

    f = network_figures(date, DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
                        window_days)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    c = _console()
    t = Table(title=f"Network on {f['date']}", title_justify="left")
    for col in ("window", "hashrate EH/s", "90% interval"):
        t.add_column(col, justify="right")
    for w, e in f["hashrate_ehs"].items():
        t.add_row(w, f"{e['estimate']:,.1f}", f"{e['lower_90']:,.1f} .. {e['upper_90']:,.1f}")
    c.print(t)
    dd = f["drawdown"]
    c.print(f"30-day hashrate change over a year: {_pct(f['change_1y'])}")
    if dd["peak_date"]:
        c.print(f"drawdown from the {dd['peak_date']} peak: {dd['current']:.1%} now, {dd['depth']:.1%} at the "
                f"{dd['trough_date']} trough (rank {dd['rank']} of {dd['episodes']}); the largest since the "
                f"episode that began {f['largest_drawdown_since'] or 'ever'}")
    p, e = f["power_gw"], f["energy_twh_per_year"]
    c.print(f"network power at ${f['power_price_usd_per_kwh']:.3f}/kWh: {p['lower']:.1f} / {p['best']:.1f} / "
            f"{p['upper']:.1f} GW (lower / best / upper) = {e['lower']:.0f} / {e['best']:.0f} / {e['upper']:.0f} TWh "
            f"per year; {f['profitable_models']} models below {f['profitability_threshold_j_per_th']:.1f} J/TH")
    o = f["difficulty_outlook"]
    c.print(f"difficulty {f['difficulty'] / 1e12:,.2f} T; next adjustment at block {o['retarget_height']:,} "
            f"(~{o['expected_retarget_date']}, {o['remaining_blocks']} blocks to go): {_pct(o['expected_change'])}")


@cli.command(name="index")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def index_cmd(date: str | None, as_json: bool) -> None:
    """The miner profit/loss sustainability index (0-100) and the latest earlier day as low."""
    from hashpower.analytics import index_figures

    f = index_figures(date)
    if as_json:
        _emit(f)
        return
    _console().print(f"{f['date']}: sustainability index [bold]{f['sustainability_index']:.0f}[/] ({f['band']}); "
                     f"the lowest since {f['lowest_since'] or 'the start of the index'}")


@cli.command(name="security")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest day with pool data).")
@click.option("--window-days", type=int, default=7, show_default=True, help="Concentration window [days].")
@click.option("--merge-templates", is_flag=True, help="Count pools that share one block template as one.")
@click.option("--rental-premium", type=float, default=0.10, show_default=True,
              help="Hashrate rental price over hashprice, decimal (an assumption).")
@click.option("--power-price", type=float, default=0.05, show_default=True, help="Attacker's power price [USD/kWh].")
@click.option("--attack-hours", type=float, default=1.0, show_default=True, help="Attack duration for Budish's test.")
@click.option("--fee-growth", type=float, default=0.0, show_default=True,
              help="Yearly growth of fees per block for the budget projection, decimal.")
@click.option("--q", "q", type=float, multiple=True, help="Attacker share(s) for double-spend odds (default .1 .2 .3).")
@click.option("--z", "z", type=int, default=6, show_default=True, help="Confirmations for double-spend odds.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def security_cmd(date, window_days, merge_templates, rental_premium, power_price, attack_hours, fee_growth, q, z,
                 as_json) -> None:
    """Security budget, attack costs (rent, buy, Budish), double-spend odds and pool concentration."""
    from hashpower.risk import DEFAULT_DOUBLE_SPEND_Q, double_spend_odds, security_figures

    ds = double_spend_odds(list(q) or DEFAULT_DOUBLE_SPEND_Q, z)
    f = security_figures(date, window_days, merge_templates=merge_templates, rental_premium_rate=rental_premium,
                         power_price_usd_per_kwh=power_price, attack_hours=attack_hours, fee_growth_rate=fee_growth)
    f["double_spend"] = ds
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    c = _console()
    a = f["attack_cost"]
    c.print(f"[bold]Security on {f['date']}[/]: budget {_fmt_money(f['security_budget_usd_per_day'])}/day "
            f"({f['security_budget_share_of_market_cap_per_year']:.2%} of market cap a year), fees "
            f"{f['fee_share']:.1%} of it; hashrate {f['hashrate_ehs_7d']:,.0f} EH/s")
    t = Table("attack", "cost", "per 1% less hashrate", title="Attack costs (sensitivity before the retarget)",
              title_justify="left")
    sens = f["sensitivity_per_1pct_hashrate_fall"]["before_retarget"]
    t.add_row("rent the network's hashrate, per hour (gross)", _fmt_money(a["rent_usd_per_hour"]),
              _pct(sens["rent_usd_per_hour"]))
    t.add_row("  net of the attacker's block rewards", _fmt_money(a["rent_net_of_rewards_usd_per_hour"]),
              _pct(sens["rent_net_of_rewards_usd_per_hour"]))
    t.add_row("buy machines + facility to match it", _fmt_money(a["hardware_usd"]), _pct(sens["hardware_usd"]))
    t.add_row("  energy to run them, per hour", _fmt_money(a["energy_usd_per_hour"]), _pct(sens["energy_usd_per_hour"]))
    t.add_row(f"Budish: value at stake that pays a {a['attack_hours']:g} h attack",
              _fmt_money(a["budish_breakeven_value_usd"]), _pct(sens["budish_breakeven_value_usd"]))
    c.print(t)
    conc = f["concentration"]
    t = Table("pool", "blocks", "share", "95% interval",
              title=f"Pools over {conc['window_days']} days: HHI {f['hhi']:,.0f}, Nakamoto coefficient "
                    f"{f['nakamoto_coefficient']}", title_justify="left")
    for p in conc["pools"]:
        t.add_row(p["pool"], str(p["blocks"]), f"{p['share']:.1%}", f"{p['lower_95']:.1%} .. {p['upper_95']:.1%}")
    c.print(t)
    for d in ds:
        c.print(f"double spend, q = {d['q']:g}, z = {d['z']}: {d['rosenfeld']:.2e} (Rosenfeld), "
                f"{d['nakamoto']:.2e} (Nakamoto)")


@cli.command(name="pivot")
@click.argument("site_file", required=False, type=click.Path(path_type=Path))
@click.option("--mw", type=float, default=None, help="Grid connection [MW].")
@click.option("--power-price", type=float, default=None, help="Electricity price [USD/kWh].")
@click.option("--efficiency", type=float, default=None, help="Fleet efficiency [J/TH].")
@click.option("--lease-rate", type=float, default=None, help="AI lease [USD per MW of IT load per year].")
@click.option("--capex-per-mw", type=float, default=None, help="Conversion capex [USD per MW of IT load].")
@click.option("--lead-months", type=int, default=None, help="Months from the decision to the first lease income.")
@click.option("--term-years", type=float, default=None, help="Lease term [years].")
@click.option("--escalator", type=float, default=None, help="Yearly lease escalator, decimal.")
@click.option("--it-ratio", type=float, default=None, help="MW of IT load per MW of grid after conversion.")
@click.option("--discount-rate", type=float, default=None, help="Yearly discount rate, decimal.")
@click.option("--hashprice", "hashprice_ph", type=float, default=None,
              help="Starting hashprice [USD per PH/s per day] (default: the last 30 days' mean).")
@click.option("--path", "path_kind", type=click.Choice(["gbm", "flat", "history"]), default="gbm", show_default=True,
              help="Hashprice paths: GBM calibrated on 4 years, flat, or the last years' changes replayed.")
@click.option("--paths", "n_paths", type=int, default=20_000, show_default=True, help="Monte Carlo paths.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def pivot_cmd(site_file, mw, power_price, efficiency, lease_rate, capex_per_mw, lead_months, term_years, escalator,
              it_ratio, discount_rate, hashprice_ph, path_kind, n_paths, seed, as_json) -> None:
    """Mining versus AI hosting on a site: NPVs, IRR, payback and the value of waiting."""
    from hashpower.pivot import Site
    from hashpower.pivotfig import load_site, pivot_figures

    site = load_site(site_file) if site_file else Site()
    site = site.with_(grid_mw=mw, power_price_usd_per_kwh=power_price, efficiency_j_per_th=efficiency,
                      lease_usd_per_mw_year=lease_rate, capex_usd_per_mw_it=capex_per_mw, lead_time_months=lead_months,
                      term_years=term_years, escalator_rate=escalator, it_to_grid_ratio=it_ratio,
                      discount_rate=discount_rate)
    f = pivot_figures(site, path_kind=path_kind, n_paths=n_paths, seed=seed, hashprice_usd_per_ph_day=hashprice_ph)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    c = _console()
    s = f["site"]
    c.print(f"[bold]{s['grid_mw']:g} MW site[/] at ${s['power_price_usd_per_kwh']:.3f}/kWh, "
            f"{s['efficiency_j_per_th']:g} J/TH; hashprice ${f['hashprice_usd_per_ph_day']:.1f}/PH/day; "
            f"lease ${s['lease_usd_per_mw_year'] / 1e6:.2f}M per MW-year of IT; horizon {f['horizon_months']} months")
    t = Table("strategy", "NPV", "IRR", "payback (months)", title="Alternatives", title_justify="left")
    for a in f["alternatives"]:
        t.add_row(a["strategy"], _fmt_money(a["npv_usd"]), "" if a["irr"] is None else f"{a['irr']:.1%}",
                  "" if a["payback_months"] is None else f"{a['payback_months']:.0f}")
    t.add_row("mine, convert when best (LSMC)", _fmt_money(f["flexible_npv_usd"]), "", "", style="bold")
    c.print(t)
    e = f["energy_competition"]
    c.print("one MWh earns: " + ", ".join(f"{g} ${v:,.0f}" for g, v in e["mining_usd_per_mwh"].items())
            + f" mining (power costs ${e['power_cost_usd_per_mwh']:,.0f}); AI ${e['ai_usd_per_mwh']['low']:,.0f}"
            f"-{e['ai_usd_per_mwh']['high']:,.0f}")
    c.print(f"[bold]{f['recommendation']}[/]: {f['reason']}")


@cli.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless you say so).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Server processes (one per core; the figures are computed in Python, one core per process).")
def serve_cmd(host: str, port: int, workers: int) -> None:
    """Serve the REST API and the web dashboard (FastAPI under uvicorn)."""
    import uvicorn

    from hashpower import analytics, store

    store.ensure()
    analytics.series()  # warm the caches before the first request
    click.echo(f"hashpower {host}:{port}: dashboard at http://{host}:{port}/, API under /v1, spec at /openapi.json",
               err=True)
    uvicorn.run("hashpower.api:app", host=host, port=port, workers=workers, log_level="warning", access_log=False)


@cli.group()
def data() -> None:
    """The local store: status, refresh from live sources, import your own rows."""


@data.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(as_json: bool) -> None:
    """Rows, date range and the sources with when each was last refreshed."""
    from hashpower import store

    st = store.status()
    if as_json:
        _emit(st)
        return
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{st['rows']:,}[/] days, {st['first_date']} .. {st['last_date']}; "
            f"{st['blocks']:,} blocks with pools, last height {st['last_block_height']:,}")
    c.print(f"store: {st['path']}")
    t = Table("source", "refreshed at", "last date", "last height", "rows added", "note")
    for s in st["sources"]:
        t.add_row(s["name"], s["refreshed_at"] or "", s["last_date"] or "", str(s["last_height"] or ""),
                  str(s["rows_added"]), s["note"] or "")
    c.print(t)


@data.command()
@click.option("--source", type=click.Choice(["coinmetrics", "mempool", "bitcoind"]), default="coinmetrics",
              show_default=True, help="Where to fetch from.")
@click.option("--url", default=None, help="Base URL (default: $HASHPOWER_<SOURCE>_URL or the public API).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=None, help="Per-request timeout [s].")
@click.option("--rpc-user", envvar="HASHPOWER_BITCOIND_USER", default=None, help="bitcoind RPC user.")
@click.option("--rpc-password", envvar="HASHPOWER_BITCOIND_PASSWORD", default=None,
              help="bitcoind RPC password (prefer the environment variable).")
@click.option("--rpc-cookie", envvar="HASHPOWER_BITCOIND_COOKIE", type=click.Path(dir_okay=False), default=None,
              help="bitcoind cookie file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def refresh(source: str, url: str | None, timeout: float | None, rpc_user: str | None, rpc_password: str | None,
            rpc_cookie: str | None, as_json: bool) -> None:
    """Append new days or blocks from a live source (atomic: all or nothing)."""
    import math

    from hashpower.sources import refresh as do_refresh

    if timeout is not None and not (math.isfinite(timeout) and 0.1 <= timeout <= 600):
        raise ValueError(f"--timeout must be between 0.1 and 600 seconds, got {timeout!r}")
    auth = None
    if source == "bitcoind":
        from hashpower.sources import bitcoind

        auth = bitcoind.auth(rpc_user, rpc_password, rpc_cookie)
    with _progress(not as_json, f"refresh {source}") as cb:
        res = do_refresh(source, url, timeout=timeout, auth=auth, progress=cb)
    if as_json:
        _emit(res)
    else:
        _console().print(f"{source}: {res['days_added']} days and {res['blocks_added']} blocks added; "
                         f"store now ends {res['last_date']}, block {res['last_block_height']:,}")


@data.command(name="rebuild")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def rebuild_cmd(as_json: bool) -> None:
    """Rebuild the store from the embedded data and replay your kept imports (the old file is kept aside)."""
    from hashpower import store

    res = store.rebuild()
    if as_json:
        _emit(res)
    else:
        _console().print(f"rebuilt {res['path']}; imports replayed: {len(res['imports_replayed'])}"
                         + (f"; the previous file is {res['previous_file']}" if res["previous_file"] else ""))


@data.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def import_(file: Path, as_json: bool) -> None:
    """Import your own daily rows from a CSV (``date`` plus any documented column)."""
    from hashpower.ingest import import_csv

    res = import_csv(file)
    if as_json:
        _emit(res)
    else:
        _console().print(f"{res['file']}: {res['rows_in_file']} rows read, {res['rows_changed']} days added or changed")


def _register_sim() -> None:
    """The simulator's commands live with it (hashpower.sim.commands, which imports only click at load)."""
    from hashpower.sim import commands

    cli.add_command(commands.simulate)
    cli.add_command(commands.sweep)


_register_sim()


class _progress:
    """A rich progress bar on a terminal (stderr), nothing otherwise."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label, total=None)

        def cb(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total)

        return cb

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning bad input into one line on stderr and exit status 2."""
    from hashpower.sources._http import SourceError

    try:
        rv = cli.main(args=argv, prog_name="hashpower", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.ClickException as exc:
        click.echo(f"hashpower: error: {exc.format_message()}", err=True)
        return EXIT_BAD_INPUT
    except click.Abort:
        click.echo("hashpower: aborted", err=True)
        return 130
    except (ValueError, SourceError, OSError) as exc:
        msg = " ".join(str(exc).split()) or type(exc).__name__
        click.echo(f"hashpower: error: {msg}", err=True)
        return EXIT_BAD_INPUT
    except Exception as exc:
        import duckdb

        if isinstance(exc, duckdb.Error):
            from hashpower import store

            click.echo(f"hashpower: error: the store at {store.db_path()} could not be read ({type(exc).__name__}); "
                       "run 'hashpower data rebuild' to rebuild it from the embedded data and your imports", err=True)
            return EXIT_BAD_INPUT
        raise
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
