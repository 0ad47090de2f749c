"""``hashpower pivot``: mining or AI hosting on a site (figures: :mod:`hashpower.figures.pivot`)."""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli._app import _console, _emit, _show, cli, output_options
from hashpower.figures.format import money as _fmt_money

#: Fewest paths whose verdict the text output does not flag as noise [-]: below this the standard error
#: itself is poorly estimated (its own relative error is about 1 / sqrt(2 x paths), over 7 % here).
MIN_TRUSTED_PATHS = 100


@cli.command(name="pivot")
@click.argument("site_file", required=False, type=click.Path(path_type=Path))
@click.option("--mw", type=float, default=None, help="Grid connection [MW] (default: 100, or the site file's).")
@click.option("--power-price", type=float, default=None,
              help="Electricity price [USD/kWh] (default: 0.05, or the site file's).")
@click.option("--efficiency", type=float, default=None,
              help="Fleet efficiency [J/TH] (default: 17.5, or the site file's).")
@click.option("--lease-rate", type=float, default=None,
              help="AI lease [USD per MW of IT load per year] (default: 1,650,000, the median of the embedded "
              "AI lease deals).")
@click.option("--capex-per-mw", type=float, default=None,
              help="Conversion capex [USD per MW of IT load] (default: 9,000,000).")
@click.option("--lead-months", type=int, default=None,
              help="Months from the decision to the first lease income (default: 18).")
@click.option("--term-years", type=float, default=None, help="Lease term [years] (default: 15).")
@click.option("--escalator", type=float, default=None, help="Yearly lease escalator, decimal (default: 0.03).")
@click.option("--it-ratio", type=float, default=None,
              help="MW of IT load per MW of grid after conversion (default: 0.70).")
@click.option("--discount-rate", type=float, default=None, help="Yearly discount rate, decimal (default: 0.10).")
@click.option("--hashprice", "hashprice_ph", type=float, default=None,
              help="Starting hashprice [USD per PH/s per day] (default: the last 30 days' mean).")
@click.option("--path", "path_kind", type=click.Choice(["engine", "gbm", "flat", "history"]), default="engine",
              show_default=True, help="Hashprice paths: the calibrated simulator (as simulate and outlook), a GBM "
              "of the monthly hashprice calibrated on 4 years, flat, or the last years' changes replayed.")
@click.option("--paths", "n_paths", type=int, default=2_000, show_default=True, help="Monte Carlo paths.")
@click.option("--seed", type=int, default=0, show_default=True)
@output_options("alternatives")
def pivot_cmd(site_file, mw, power_price, efficiency, lease_rate, capex_per_mw, lead_months, term_years, escalator,
              it_ratio, discount_rate, hashprice_ph, path_kind, n_paths, seed, as_json) -> None:
    """Mining versus AI hosting on a site: NPVs, IRR, payback and the value of waiting."""
    from hashpower.figures.pivot import Site, load_site, pivot_figures

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
    _show(c, t)
    e = f["energy_competition"]
    c.print("one MWh earns: " + ", ".join(f"{g} ${v:,.0f}" for g, v in e["mining_usd_per_mwh"].items())
            + f" mining (power costs ${e['power_cost_usd_per_mwh']:,.0f}); AI ${e['ai_usd_per_mwh']['low']:,.0f}"
            f"-{e['ai_usd_per_mwh']['high']:,.0f}")
    paths = f["hashprice_paths"]["paths"]
    se = f.get("flexible_npv_se_usd")
    c.print(f"Monte Carlo: {paths:,} hashprice paths ({f['hashprice_paths']['kind']}, seed "
            f"{f['hashprice_paths']['seed']}); standard error of the flexible NPV {_fmt_money(se)}")
    if paths < MIN_TRUSTED_PATHS:
        c.print(f"[bold yellow]warning:[/] {paths:,} paths are too few for a verdict: it is noise "
                f"(use --paths {MIN_TRUSTED_PATHS:,} or more; the default is 2,000)")
    c.print(f"[bold]{f['recommendation']}[/]: {f['reason']}")
