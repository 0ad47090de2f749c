"""``hashpower simulate`` and ``sweep`` (figures: :mod:`hashpower.figures.simulate`; engine: :mod:`hashpower.sim`).

Bad input raises ``ValueError``; ``hashpower.cli.main`` turns it into one line on
stderr and exit status 2. Heavy modules load inside the commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli import _rows
from hashpower.cli._app import _console, _emit, _progress, _show, cli, output_options

__all__ = ["simulate", "sweep"]


def _band(q: dict[str, list[float]], y: int, fmt: str) -> str:
    return f"{format(q['p50'][y], fmt)} [{format(q['p5'][y], fmt)}-{format(q['p95'][y], fmt)}]"


@cli.command(name="simulate")
@click.option("--preset", required=True, metavar="NAME",
              help="baseline, consolidation, fee-driven or external-guarantee.")
@click.option("--paths", type=int, default=1000, show_default=True, help="Monte Carlo paths, 1 to 100,000.")
@click.option("--years", type=int, default=10, show_default=True, help="Simulated years of 365 days, 1 to 30.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed; the same seed gives the same numbers.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Change a scenario parameter (repeatable), e.g. --set fee_growth_rate_per_year=0.1.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the CSV and the fan charts (HTML; PNG with matplotlib).")
@output_options(_rows.simulate)
def simulate(preset: str, paths: int, years: int, seed: int, sets: tuple[str, ...], out: Path | None,
             as_json: bool) -> None:
    """Monte Carlo scenarios of the mining industry: p5/p50/p95 per year of hashrate, security and more."""
    from hashpower.figures.simulate import check_run_size, get_preset, parse_sets, run

    console, emit, progress = _console, _emit, _progress
    get_preset(preset)
    check_run_size(paths, years, seed)
    overrides = parse_sets(sets)
    with progress(not as_json, f"simulate {preset}") as cb:
        res = run(preset, paths, years, seed, overrides=overrides, progress=cb)
    if out is not None:
        from hashpower.figures.simulate import write_outputs

        res["outputs"] = write_outputs(res, out, stem=f"simulate-{preset}")
    if as_json:
        emit(res)
        return
    from rich.table import Table

    c = console()
    cal = res["calibration"]
    c.print(f"[bold]{preset}[/]: {paths:,} paths x {years} years from {cal['start_date']} "
            f"({cal['start_hashrate_ehs']:,.0f} EH/s, ${cal['start_hashprice_usd_per_ph_day']:.2f}/PH/day), "
            f"seed {seed}")
    t = Table(title="median at each year end (p5-p95 of hashrate; all bands with --json or --out)",
              title_justify="left")
    for col in ("year end", "hashrate EH/s", "hashprice $/PH/d", "budget $M/d", "attack $B", "HHI", "AI",
                "margin"):
        t.add_column(col, justify="right")
    for y in range(years):
        m = {k: res[k]["p50"][y] for k in res["units"]}
        t.add_row(res["year_end_dates"][y], _band(res["hashrate_ehs"], y, ".0f"),
                  f"{m['hashprice_usd_per_ph_day']:,.1f}", f"{m['security_budget_usd_per_day'] / 1e6:,.1f}",
                  f"{m['attack_cost_hardware_usd'] / 1e9:,.1f}", f"{m['hhi']:,.0f}",
                  f"{m['ai_converted_share']:.0%}", f"{m['miner_margin']:.0%}")
    _show(c, t, "--json or --out DIR")
    for k, v in res.get("outputs", {}).get("files", {}).items():
        c.print(f"{k}: {v}")
    for n in res.get("outputs", {}).get("notes", []):
        c.print(f"[dim]{n}[/]")


@cli.command(name="sweep")
@click.argument("grid", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="A running Dask scheduler (default: a local cluster of 2 worker processes).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for the scheduler before giving up.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the CSV and the fan charts of all points.")
@output_options(_rows.sweep)
def sweep(grid: Path, scheduler: str | None, timeout: float, out: Path | None, as_json: bool) -> None:
    """Run a grid of scenarios (a TOML file) on a Dask cluster; each point equals the same run alone."""
    from hashpower.figures.sweep import sweep as do_sweep

    console, emit, progress = _console, _emit, _progress
    with progress(not as_json, f"sweep {grid.name}") as cb:
        res = do_sweep(grid, scheduler, timeout_s=timeout, progress=cb)
    if out is not None:
        from hashpower.figures.simulate import write_outputs

        res["outputs"] = write_outputs(res["results"], out, stem=f"sweep-{grid.stem}")
    if as_json:
        emit(res)
        return
    from rich.table import Table

    c = console()
    t = Table(title=f"{res['runs']} runs on {res['scheduler']}: median at the last year end", title_justify="left")
    axes: list[str] = []
    for r in res["results"]:
        axes += [k for k in r["point"] if k not in axes]
    for a in axes or ["preset"]:  # one column per axis of the grid, named after its parameter
        t.add_column(a.replace("_", " "), justify="right")
    for col in ("hashrate EH/s", "security budget $M/day", "attack cost $B", "HHI", "AI share"):
        t.add_column(col, justify="right")
    for r in res["results"]:
        last = r["years"] - 1
        point = [f"{r['point'][a]:g}" if isinstance(r["point"].get(a), int | float) else str(r["point"].get(a, ""))
                 for a in axes] or [r["preset"]]
        t.add_row(*point, f"{r['hashrate_ehs']['p50'][last]:,.0f}",
                  f"{r['security_budget_usd_per_day']['p50'][last] / 1e6:,.1f}",
                  f"{r['attack_cost_hardware_usd']['p50'][last] / 1e9:,.1f}", f"{r['hhi']['p50'][last]:,.0f}",
                  f"{r['ai_converted_share']['p50'][last]:.0%}")
    _show(c, t, "--json or --out DIR")
    for k, v in res.get("outputs", {}).get("files", {}).items():
        c.print(f"{k}: {v}")
