"""``hashpower fleet``: the user's sites and machines.

``hashpower fleet FLEET.toml`` (the default subcommand, ``pnl``) gives the P&L over the history;
``hashpower fleet plan FLEET.toml`` the hourly run/curtail plan (:mod:`.fleet_plan`).
Figures: :mod:`hashpower.figures.fleet`.
"""

from __future__ import annotations

from pathlib import Path

import click
from click_default_group import DefaultGroup

from hashpower.cli._app import _console, _emit, cli
from hashpower.figures.format import money as _fmt_money


@cli.group(name="fleet", cls=DefaultGroup, default="pnl", default_if_no_args=False)
def fleet_group() -> None:
    """Your sites and machines: P&L over the history and ahead (pnl, the default), the hourly plan (plan).

    The fleet file's format: examples/fleet.toml and docs/fleet.md.
    """


def _days(n: int) -> str:
    return f"{n:,} day" + ("" if n == 1 else "s")


@fleet_group.command(name="pnl")
@click.argument("fleet_file", type=click.Path(path_type=Path))
@click.option("--from", "start", default=None, help="First day (default: a year before the last).")
@click.option("--to", "end", default=None, help="Last day (default: the latest in the store).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the daily P&L per site to this CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def fleet_cmd(fleet_file: Path, start: str | None, end: str | None, csv_path: Path | None, as_json: bool) -> None:
    """Daily P&L of your sites and machines over the history, with curtailment."""
    from hashpower.figures.fleet import fleet_figures

    f = fleet_figures(fleet_file, start, end, csv_path)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    t = Table(title=f"{f['units']:,} units, {f['from']} .. {f['to']} ({_days(f['days'])})")
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
