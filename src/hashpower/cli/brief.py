"""``hashpower brief``: the state of Bitcoin mining on one day (figures: :mod:`hashpower.figures.brief`)."""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli._app import _console, _emit, _pct, _show, cli, output_options
from hashpower.figures.format import money as _fmt_money


@cli.command()
@click.option("--date", "date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price for cost rates [USD/kWh] (default 0.06, the press's reference of Feb 2026).")
@click.option("--html", "html_path", type=click.Path(path_type=Path), default=None,
              help="Also write a self-contained HTML report with charts to this file.")
@click.option("--no-scenarios", is_flag=True, help="Skip the scenario runs (faster).")
@output_options("")
def brief(date: str | None, power_price: float | None, html_path: Path | None, no_scenarios: bool,
          as_json: bool) -> None:
    """The state of Bitcoin mining on one day: every capability's headline figures."""
    from hashpower.figures.brief import brief_figures
    from hashpower.figures.hashprice import DEFAULT_POWER_PRICE_USD_PER_KWH

    b = brief_figures(date, DEFAULT_POWER_PRICE_USD_PER_KWH if power_price is None else power_price,
                      scenarios=not no_scenarios)
    if html_path is not None:
        from hashpower.report.html import write_html

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
    record = ctx["notable"]["kind"] == "record_low"
    t.add_row("hashprice", f"${hp['usd_per_ph_day']:,.2f} per PH/s per day (${hp['usd_per_th_day']:.4f}/TH, "
                           f"{hp['sat_per_th_day']:,.2f} sats/TH); 7-day ${ctx['usd_per_ph_day_7d']:,.2f}, "
                           + (f"[red]{ctx['notable']['text']}[/]" if record else ctx["notable"]["text"]))
    t.add_row(f"cost rate at ${mach['power_price_usd_per_kwh']:.3f}/kWh",
              ", ".join(f"{g} {v['median_cost_rate']:.0%}" for g, v in mach["generations"].items()))
    t.add_row("sustainability index", f"{idx['sustainability_index']:.0f} ({idx['band']}), {idx['notable']['text']}")
    dd = net["drawdown"]
    t.add_row("hashrate", f"{net['hashrate_ehs_7d']:,.0f} EH/s (7 d), {net['hashrate_ehs_30d']:,.0f} EH/s (30 d), "
                          f"{_pct(net['change_1y'])} over a year")
    if dd["peak_date"]:
        t.add_row("drawdown", f"{dd['current']:.1%} below the {dd['peak_date']} peak (deepest {dd['depth']:.1%}, "
                              f"rank {dd['rank']}); {net['drawdown_notable']['text']}")
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
            t.add_row(f"{name}, year {sc['years']} (median of {sc['paths']:,} paths)",
                      f"{r.get('hashrate_ehs', 0):,.0f} EH/s, budget "
                      f"{_fmt_money(r.get('security_budget_usd_per_day', 0))}/day, "
                      f"attack {_fmt_money(r.get('attack_cost_hardware_usd', 0))}")
    _show(c, t, wrap=True)
    c.print(f"[dim]{b['data']['attribution']}[/]")
