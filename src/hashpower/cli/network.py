"""``hashpower network``, ``index`` and ``security``.

Figures: :mod:`hashpower.figures.network`, :mod:`~hashpower.figures.index`, :mod:`~hashpower.figures.security`.
"""

from __future__ import annotations

import click

from hashpower.cli._app import _console, _emit, _pct, _show, cli, output_options
from hashpower.figures.format import money as _fmt_money


@cli.command(name="network")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price for the profitability threshold [USD/kWh] (default 0.05, CBECI's).")
@click.option("--window-days", type=int, default=None,
              help="Add a hashrate estimate over this many days (default: none; the 7- and 30-day ones are "
              "always given).")
@click.option("--method", type=click.Choice(["hashpower", "ccaf"]), default="hashpower", show_default=True,
              help="Network power: our CBECI-style method, or CCAF's own computation (docs/network.md).")
@click.option("--tip-height", type=int, default=None,
              help="Tip of the next-adjustment estimate [block] (default: the last block of --date's day, "
                   "the store's last block by default).")
@click.option("--tip-time", default=None,
              help="Header time of the tip, ISO-8601 UTC or unix seconds (default: the block's time in the "
                   "store, else the end of its day).")
@click.option("--now", "now", default=None,
              help="Time of the estimate, ISO-8601 UTC or unix seconds (default: the clock, but not past the "
                   "end of the tip's day).")
@output_options("")
def network_cmd(date: str | None, power_price: float | None, window_days: int | None, method: str,
                tip_height: int | None, tip_time: str | None, now: str | None, as_json: bool) -> None:
    """Hashrate estimates, drawdown, network power and energy, and the next difficulty adjustment."""
    from hashpower.figures.network import DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH, network_figures

    f = network_figures(date, DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
                        window_days, method=method, tip_height=tip_height, tip_time=tip_time, now=now)
    if f["difficulty_outlook"]["now_from"] == "clock":
        from hashpower.cli import _app

        _app.CACHE_KEY = None  # an estimate as of the clock is not kept for the rest of the day
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
    _show(c, t)
    dd = f["drawdown"]
    c.print(f"30-day hashrate change over a year: {_pct(f['change_1y'])}")
    if dd["peak_date"]:
        c.print(f"drawdown from the {dd['peak_date']} peak: {dd['current']:.1%} now, {dd['depth']:.1%} at the "
                f"{dd['trough_date']} trough (rank {dd['rank']} of {dd['episodes']}); "
                f"{f['drawdown_notable']['text']}")
    p, e = f["power_gw"], f["energy_twh_per_year"]
    c.print(f"network power ({f['power_method']} method) at ${f['power_price_usd_per_kwh']:.3f}/kWh: "
            f"{p['lower']:.1f} / {p['best']:.1f} / {p['upper']:.1f} GW (lower / best / upper) = "
            f"{e['lower']:.0f} / {e['best']:.0f} / {e['upper']:.0f} TWh "
            f"per year; {f['profitable_models']} models below {f['profitability_threshold_j_per_th']:.1f} J/TH")
    o = f["difficulty_outlook"]
    c.print(f"difficulty {f['difficulty'] / 1e12:,.2f} T; next adjustment at block {o['retarget_height']:,} "
            f"(~{o['expected_retarget_date']}, {o['remaining_blocks']} blocks to go): {_pct(o['expected_change'])}")
    c.print(f"by the clock at {o['now']} (mempool.space's estimate): epoch {o['progress']:.1%} done, "
            f"{o['expected_blocks']:,.0f} blocks expected by now; "
            + (f"locked at {_pct(o['estimated_change'])}" if o["locked"] else
               f"{_pct(o['estimated_change'])} around {o['estimated_retarget_time']}"))
    ind, hr = f["indicators"], f["indicators"]["hash_ribbons"]
    if hr["hashrate_ehs_sma_60d"] is not None:
        state = hr["state"] + (f" since {hr['capitulation_start']} ({hr['capitulation_days']} days)"
                               if hr["state"] == "capitulation" else "")
        c.print(f"hash ribbons: 30-day SMA {hr['hashrate_ehs_sma_30d']:,.1f} / 60-day SMA "
                f"{hr['hashrate_ehs_sma_60d']:,.1f} EH/s, {state}; last buy signal "
                f"{hr['last_buy_signal_date'] or 'none'}, {len(hr['capitulations'])} capitulations")
    if ind["puell_multiple"] is not None:
        adj = ind["puell_multiple_difficulty_adjusted"]
        c.print(f"Puell multiple {ind['puell_multiple']:.2f}; difficulty-adjusted "
                f"{'n/a' if adj is None else format(adj, '.2f')}")


@cli.command(name="index")
@click.option("--date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@output_options("")
def index_cmd(date: str | None, as_json: bool) -> None:
    """The miner profit/loss sustainability index (0-100) and what is notable about it (lowest/highest since)."""
    from hashpower.figures.index import index_figures

    f = index_figures(date)
    if as_json:
        _emit(f)
        return
    _console().print(f"{f['date']}: sustainability index [bold]{f['sustainability_index']:.0f}[/] ({f['band']}); "
                     f"{f['notable']['text']}")


@cli.command(name="security")
@click.option("--date", default=None,
              help="Day YYYY-MM-DD, any day with a price (default: the latest day with pool data).")
@click.option("--window-days", type=int, default=None, help="Concentration window [days] (default 7).")
@click.option("--window", type=click.Choice(["24h", "3d", "1w", "1m", "3m", "6m", "1y", "all"]), default=None,
              help="Concentration window as on mempool.space's mining page, instead of --window-days: 24h/3d "
                   "are the blocks of the 24/72 hours before the end of the day (UTC, by block time), "
                   "1w/1m/3m/6m/1y 7/30/90/180/365 UTC days, all since the pool data begin.")
@click.option("--top", type=int, default=10, show_default=True,
              help="Pools shown by name; the rest are one 'Others' row.")
@click.option("--merge-templates", is_flag=True, help="Count pools that share one block template as one.")
@click.option("--rental-premium", type=float, default=0.10, show_default=True,
              help="Hashrate rental price over hashprice, decimal (an assumption).")
@click.option("--power-price", type=float, default=0.05, show_default=True, help="Attacker's power price [USD/kWh].")
@click.option("--attack-hours", type=float, default=1.0, show_default=True, help="Attack duration for Budish's test.")
@click.option("--fee-growth", type=float, default=0.0, show_default=True,
              help="Yearly growth of fees per block for the budget projection, decimal.")
@click.option("--q", "q", type=float, multiple=True, help="Attacker share(s) for double-spend odds (default .1 .2 .3).")
@click.option("--z", "z", type=int, default=6, show_default=True, help="Confirmations for double-spend odds.")
@output_options("concentration.pool_shares")
def security_cmd(date, window_days, window, top, merge_templates, rental_premium, power_price, attack_hours,
                 fee_growth, q, z, as_json) -> None:
    """Security budget, attack costs (rent, buy, Budish), double-spend odds and pool concentration."""
    from hashpower.figures.security import DEFAULT_DOUBLE_SPEND_Q, double_spend_odds, security_figures

    ds = double_spend_odds(list(q) or DEFAULT_DOUBLE_SPEND_Q, z)
    f = security_figures(date, window_days, window=window, top=top, merge_templates=merge_templates,
                         rental_premium_rate=rental_premium,
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
    _show(c, t)
    conc = f["concentration"]
    if conc is None:
        c.print(f"pools: {f['concentration_reason']}")
    else:
        span = conc["window"] or f"{conc['window_days']} days"
        t = Table("pool", "blocks", "share", "95% interval",
                  title=f"Pools over {span} ({conc['start_date']} .. {conc['end_date']}, {conc['blocks']:,} blocks): "
                        f"HHI {f['hhi']:,.0f}, Nakamoto coefficient {f['nakamoto_coefficient']}", title_justify="left")
        for p in conc["pool_shares"]:
            if p["pool"] in ("unknown", "others") and not p["blocks"]:
                continue
            name = f"{p['name']} ({p['pools']} pools)" if p["pool"] == "others" else p["name"]
            t.add_row(name, str(p["blocks"]), f"{p['share']:.1%}", f"{p['lower_95']:.1%} .. {p['upper_95']:.1%}")
        _show(c, t)
    proj = f["budget_projection"]
    t = Table("year", "height", "subsidy BTC/block", "fees BTC/block", "budget per day", "fee share",
              title=f"Security budget ahead at today's price, fees growing {fee_growth:+.0%} a year (--fee-growth)",
              title_justify="left")
    for p in proj:
        t.add_row(str(p["year"]), f"{p['height']:,}", f"{p['subsidy_btc_per_block']:.4f}",
                  f"{p['fees_btc_per_block']:.4f}", _fmt_money(p["budget_usd_per_day"]), f"{p['fee_share']:.1%}")
    _show(c, t)
    for d in ds:
        c.print(f"double spend, q = {d['q']:g}, z = {d['z']}: {d['rosenfeld']:.2e} (Rosenfeld), "
                f"{d['nakamoto']:.2e} (Nakamoto)")
