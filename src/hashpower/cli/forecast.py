"""``hashpower backtest`` and ``outlook`` (figures: :mod:`hashpower.figures.backtest`, :mod:`.outlook`).

Bad input raises ``ValueError``; ``hashpower.cli.main`` turns it into one line on
stderr and exit status 2. Heavy modules load inside the commands.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from hashpower.cli import _rows
from hashpower.cli._app import _console, _emit, _progress, _show, cli, output_options

__all__ = ["backtest", "outlook"]

#: Column headers of the backtest tables and the metric each shows, with its format.
_BACKTEST_COLUMNS = (("cov 90", "coverage_90", ".2f"), ("cov 50", "coverage_50", ".2f"), ("CRPS", "crps", ".3f"),
                     ("CRPS RW", "crps_random_walk", ".3f"), ("MAE", "mae_log", ".3f"),
                     ("MAE persist", "mae_log_persistence", ".3f"), ("MAE trend", "mae_log_trend", ".3f"))
_SERIES_TITLE = {"hashrate_ehs": "hashrate (30-day mean, EH/s)", "difficulty": "difficulty (in force)",
                 "hashprice_usd_per_ph_day": "hashprice (30-day mean, USD/PH/day)"}


def _num(x: Any, fmt: str) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return format(x, fmt)


def _horizons(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(int(part))
        except ValueError:
            raise ValueError(f"horizons must be a comma list of whole months, e.g. 3,6,12, got {text!r}") from None
    return out


def _table(title: str, columns: list[str]):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        t.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
    return t


@cli.command(name="backtest")
@click.option("--origin", default=None, metavar="YYYY-MM-DD", help="One origin (instead of --from/--to).")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD", show_default="2016-01-01",
              help="First origin of the rolling origins.")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", show_default="the last with data after it",
              help="Last origin at most.")
@click.option("--every-months", type=int, default=3, show_default=True, help="Months between origins.")
@click.option("--horizons", default="3,6,12", show_default=True, metavar="LIST",
              help="Horizons in months, a comma list (each 1 to 60).")
@click.option("--paths", type=int, default=1000, show_default=True,
              help="Monte Carlo paths per origin (unconditional mode), 1 to 20,000.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed; the same seed gives the same numbers.")
@click.option("--mode", type=click.Choice(["conditional", "unconditional", "both"]), default="both",
              show_default=True,
              help="conditional: the real price and fees given, only the miners forecast; unconditional: "
                   "everything simulated.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT", show_default="in-process",
              help="A running Dask scheduler to spread the origins over.")
@click.option("--preset", default="baseline", show_default=True, metavar="NAME",
              help="baseline, consolidation, fee-driven or external-guarantee.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the cases and metrics CSVs and the coverage and PIT charts (HTML, PNG).")
@output_options(_rows.backtest)
def backtest(origin: str | None, start: str | None, end: str | None, every_months: int, horizons: str,
             paths: int, seed: int, mode: str, scheduler: str | None, preset: str, out: Path | None,
             as_json: bool) -> None:
    """Score the simulator on the store's history: coverage, CRPS and errors beside naive forecasts."""
    from rich.markup import escape

    from hashpower.figures.backtest import backtest as run

    if origin is not None and (start is not None or end is not None):
        raise ValueError("give either --origin or --from/--to, not both")
    hs = _horizons(horizons)
    if scheduler is not None and not scheduler.strip():
        raise ValueError("scheduler must be tcp://HOST:PORT (a running Dask scheduler), got ''")
    with _progress(not as_json, "backtest") as cb:
        res = run(origin=origin, start=start, end=end, every_months=every_months, horizons=hs, paths=paths,
                  seed=seed, mode=mode, scheduler=scheduler, preset=preset, progress=cb)
    if out is not None:
        from hashpower.figures.backtest import write_outputs

        written = write_outputs(res, out)
        res["files"] = written["files"]
        if written.get("notes"):
            res["files_notes"] = written["notes"]
    if as_json:
        _emit(res)
        return
    c = _console()
    o = res["origins"]
    c.print(f"[bold]backtest of {escape(res['preset'])}[/] ({res['mode']}): {len(o)} origin(s) {o[0]} .. {o[-1]}, "
            f"horizons {', '.join(map(str, res['horizons_months']))} months, {res['paths']:,} paths, "
            f"seed {res['seed']}; data to {res['data_last_day']}")
    for series, per_h in res["metrics"].items():
        t = _table(_SERIES_TITLE.get(series, series), ["months", "n", *(h for h, _, _ in _BACKTEST_COLUMNS)])
        for h in res["horizons_months"]:
            m = per_h[str(h)]
            t.add_row(str(h), str(m["n"]), *(_num(m.get(k), f) for _, k, f in _BACKTEST_COLUMNS))
        _show(c, t)
    c.print("[dim]cov 90 / cov 50: share of actuals inside the p5-p95 / p25-p75 band (nominal 0.90 / 0.50); "
            "CRPS of the log value beside a random walk's (RW); MAE: median absolute log error of the median "
            "beside persistence and the trailing trend; '-': not scored in this mode.[/]")
    for k, v in res.get("files", {}).items():
        c.print(f"{k}: {escape(v)}")
    for n in res.get("files_notes", []):
        c.print(f"[dim]{escape(n)}[/]")


def _difficulty(x: float) -> str:
    return f"{x / 1e12:,.1f} T"


def _coverage(cov: dict[str, Any] | None, series: str) -> str:
    if not cov or not cov.get(series) or cov[series].get("coverage_90") is None:
        return "-"
    s = cov[series]
    return f"{s['coverage_90']:.2f} / {_num(s.get('coverage_50'), '.2f')} ({cov['horizon_months']} m)"


@cli.command(name="outlook")
@click.option("--months", type=int, default=24, show_default=True, help="Months ahead, 1 to 60.")
@click.option("--paths", type=int, default=2000, show_default=True, help="Monte Carlo paths, 1 to 20,000.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed; the same seed gives the same numbers.")
@click.option("--preset", default="baseline", show_default=True, metavar="NAME",
              help="baseline, consolidation, fee-driven or external-guarantee.")
@click.option("--price-growth-per-year", type=float, default=None, metavar="G", show_default="simulated",
              help="A given price path: this growth a year (decimal, e.g. 0.2) from the latest price.")
@click.option("--price-path", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              show_default="simulated",
              help="A given daily price path: a CSV of date,price_usd for every day of the outlook.")
@output_options("months")
def outlook(months: int, paths: int, seed: int, preset: str, price_growth_per_year: float | None,
            price_path: Path | None, as_json: bool) -> None:
    """The months ahead from the store's latest day: bands of hashrate, difficulty and hashprice."""
    from rich.markup import escape

    from hashpower.figures.outlook import outlook as run

    res = run(months=months, paths=paths, seed=seed, preset=preset, price_growth_per_year=price_growth_per_year,
              price_path=price_path)
    if as_json:
        _emit(res)
        return
    c = _console()
    rows = res["months"]
    has_cov = any(r.get("backtest_coverage") for r in rows)
    c.print(f"[bold]outlook of {escape(res['preset'])}[/] from {res['start']}: {res['paths']:,} paths, "
            f"seed {res['seed']}; price: {escape(res['price_view'])}")
    cov_col = ["backtest 90% / 50%"] if has_cov else []
    t = _table("hashrate (EH/s, mean of the month) and difficulty (in force at the month's end)",
               ["month", "p5", "p50", "p95", "difficulty p50", *cov_col])
    for r in rows:
        q = r["hashrate_ehs"]
        t.add_row(r["month"], f"{q['p5']:,.0f}", f"{q['p50']:,.0f}", f"{q['p95']:,.0f}",
                  _difficulty(r["difficulty"]["p50"]),
                  *([_coverage(r.get("backtest_coverage"), "hashrate_ehs")] if has_cov else []))
    _show(c, t)
    t = _table("hashprice (USD/PH/day; sats/PH/day; mean of the month, fees included)",
               ["month", "p5", "p50", "p95", "mean", "sats mean", *cov_col])
    for r in rows:
        q = r["hashprice_usd_per_ph_day"]
        t.add_row(r["month"], f"{q['p5']:,.2f}", f"{q['p50']:,.2f}", f"{q['p95']:,.2f}", f"{q['mean']:,.2f}",
                  f"{r['hashprice_btc_per_ph_day']['mean'] * 1e8:,.0f}",
                  *([_coverage(r.get("backtest_coverage"), "hashprice_usd_per_ph_day")] if has_cov else []))
    _show(c, t)
    c.print("mean and sats mean: the model's forward hashprice curve — a model forecast, not a market quote.")
    if has_cov:
        c.print("[dim]backtest 90% / 50%: share of actuals inside the p5-p95 / p25-p75 band in the recorded "
                "backtest at the nearest scored horizon (nominal 0.90 / 0.50).[/]")
    else:
        c.print("[dim]no recorded backtest coverage for these horizons (see hashpower backtest).[/]")
    ep = res.get("next_epochs") or []
    if ep:
        c.print("next difficulty epochs (expected start): "
                + ", ".join(f"{e['height']:,} on {e['expected_date']}" for e in ep))
