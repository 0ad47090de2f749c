"""``hashpower fleet plan``: the hourly run/curtail plan of a fleet, beside running always on.

Figures: :mod:`hashpower.figures.fleet_plan`.
"""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli._app import _console, _emit, _show, cli, output_options
from hashpower.figures.format import money

#: ``hashpower fleet``, looked up rather than imported: :mod:`hashpower.cli.fleet` imports this module once the
#: group is defined (an import back would be a circle).
fleet_group = cli.commands["fleet"]


@fleet_group.command(name="plan")
@click.argument("fleet_file", type=click.Path(path_type=Path))
@click.option("--prices", "prices", default=None, metavar="FILE",
              help="Hourly prices for every site, overriding their own: a CSV (ERCOT's layout, or hour_utc with "
                   "usd_per_mwh or usd_per_kwh; docs/plan.md) or ercot:HB_WEST / ercot:LZ_WEST. Each site's "
                   "price_adder_usd_per_kwh is added. Default: each site's own prices.")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD",
              help="First UTC day. Default: with hourly prices, the first day of the last whole UTC year they "
                   "cover (2024 for the embedded ERCOT prices); otherwise the day after the store's last day.")
@click.option("--days", type=int, default=None,
              help="Days planned, 1 .. 1096. Default: with hourly prices and no --from, that year (or all the whole "
                   "days covered); otherwise 365, cut at the end of the hourly prices.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the hourly schedule here: one row per UTC hour and machine group (units_on, price, "
                   "energy, money). Default: none.")
@output_options("sites")
def plan_cmd(fleet_file: Path, prices: str | None, start: str | None, days: int | None, csv_path: Path | None,
             as_json: bool) -> None:
    """The hourly plan: each machine group on or off in every UTC hour, maximising revenue - power cost + credit.

    The hashprice of each day is the store's; after its last day, the outlook's median monthly hashprice
    (2,000 paths, seed 0). Minimum on/off spells (min_run_hours, min_off_hours) and the curtailment credit
    come from the fleet file; a site with curtail = false stays on.
    """
    from hashpower.figures.fleet_plan import plan_figures

    f = plan_figures(fleet_file, prices=prices, start=start, days=days, csv_path=csv_path)
    if as_json:
        _emit(f)
        return
    from rich import box
    from rich.table import Table

    t = Table(title=f"Hourly plan {f['from']} .. {f['to']} ({f['hours']:,} h, {f['units']:,} units)",
              box=box.SIMPLE_HEAD)
    t.add_column("site", overflow="fold")
    for col in ("hours\noff", "energy\nMWh", "revenue", "power\ncost", "credit", "margin", "always-on\nmargin",
                "saving"):
        t.add_column(col, justify="right", no_wrap=True)

    def row(name: str, r: dict, style: str | None = None) -> None:
        t.add_row(name, f"{r['hours_curtailed']:,.0f}", f"{r['energy_mwh']:,.0f}", money(r["revenue_usd"]),
                  money(r["power_cost_usd"]), money(r["credit_usd"]), money(r["margin_usd"]),
                  money(r["always_on"]["margin_usd"]), money(r["savings_usd"]), style=style)

    for s in f["sites"]:
        row(s["name"], s)
    row("total", f["total"], "bold")
    c = _console()
    if not c.is_terminal:
        c.width = max(c.width, 110)  # a file or a pipe: room for the nine columns
    _show(c, t)
    c.print("hours off: per unit (unit-weighted); always-on margin: without curtailment; saving: margin - "
            "always-on margin", highlight=False)
    c.print(f"hashprice: {f['hashprice_source']}", highlight=False)
    for s in f["sites"]:
        c.print(f"{s['name']}: {s['price_source']}", highlight=False)
    if csv_path:
        c.print(f"hourly schedule written to {csv_path}")
