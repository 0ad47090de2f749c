"""``hashpower fleet``: the user's sites and machines.

``hashpower fleet FLEET.toml`` (the default subcommand, ``pnl``) gives the P&L over the history;
``hashpower fleet plan FLEET.toml`` the hourly run/curtail plan (:mod:`.fleet_plan`).
Figures: :mod:`hashpower.figures.fleet`.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from click_default_group import DefaultGroup

from hashpower.cli._app import _console, _emit, _progress, _show, cli, output_options
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
              help="Write the daily P&L per site to this CSV (default: none).")
@click.option("--forward-months", type=int, default=None, metavar="N", show_default="none: the past only",
              help="Also the P&L ahead on the outlook's simulated paths: N months, 1 to 60.")
@click.option("--paths", type=int, default=2000, show_default=True,
              help="Monte Carlo paths of the forward view (with --forward-months or --fair-strikes), 1 to 20,000; the "
                   "outlook's default.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed; the same seed gives the same numbers.")
@click.option("--preset", default="baseline", show_default=True, metavar="NAME",
              help="The outlook's scenario: baseline, consolidation, fee-driven or external-guarantee.")
@click.option("--fair-strikes", is_flag=True,
              help="Add the model's fair hashprice strike per tenor 1..N months (a model value, not a market "
                   "quote); without --forward-months, N = 12.")
@output_options("sites")
def fleet_cmd(fleet_file: Path, start: str | None, end: str | None, csv_path: Path | None,
              forward_months: int | None, paths: int, seed: int, preset: str, fair_strikes: bool,
              as_json: bool) -> None:
    """P&L of your sites and machines over the history, with curtailment, per site and model; and ahead.

    With --forward-months: the P&L per month on the outlook's paths (p5/p50/p95, the chance of a
    loss), the month each model's median cost reaches its revenue, payback and IRR of the models
    with a purchase price, and the fleet hedged beside unhedged when the file has [[hedge]] tables.
    """
    from hashpower.figures.fleet import fleet_figures

    with _LazyProgress(not as_json, "forward P&L") as cb:
        f = fleet_figures(fleet_file, start, end, csv_path, forward_months=forward_months, paths=paths, seed=seed,
                          preset=preset, fair_strikes=fair_strikes, progress=cb)
    if as_json:
        _emit(f)
        return
    from rich.table import Table

    t = Table(title=f"{f['units']:,} units, {f['from']} .. {f['to']} ({_days(f['days'])})")
    for col in ("site", "revenue", "power cost", "hosting", "profit", "curtailed unit-days", "cost rate"):
        t.add_column(col, justify="left" if col == "site" else "right")
    for s in f["sites"]:
        t.add_row(s["site"], _fmt_money(s["revenue_usd"]), _fmt_money(s["power_cost_usd"]),
                  _fmt_money(s["hosting_cost_usd"]), _fmt_money(s["profit_usd"]), f"{s['curtailed_unit_days']:,.0f}",
                  _rate(s["power_cost_usd"] + s["hosting_cost_usd"], s["revenue_usd"]))
        for m in s.get("models", []):
            t.add_row(f"  {m['model']} x{m['units']:,}", _fmt_money(m["revenue_usd"]), _fmt_money(m["power_cost_usd"]),
                      _fmt_money(m["hosting_cost_usd"]), _fmt_money(m["profit_usd"]),
                      f"{m['curtailed_unit_days']:,.0f}", _pct(m["cost_rate"]), style="dim")
    t.add_row("total", _fmt_money(f["revenue_usd"]), _fmt_money(f["power_cost_usd"]), _fmt_money(f["hosting_cost_usd"]),
              _fmt_money(f["profit_usd"]), f"{f['curtailed_unit_days']:,.0f}",
              _rate(f["power_cost_usd"] + f["hosting_cost_usd"], f["revenue_usd"]), style="bold")
    c = _console()
    _show(c, t)
    c.print("[dim]cost rate: power and hosting over revenue.[/]")
    if csv_path:
        c.print(f"daily P&L written to {csv_path}")
    if "forward" in f:
        _print_forward(c, f["forward"])


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _rate(cost: float, revenue: float) -> str:
    return _pct(cost / revenue if revenue > 0 else None)


class _LazyProgress:
    """A progress bar (on a terminal, :class:`hashpower.cli._app._progress`) shown once the run passes a second."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.bar = _progress(enabled, label)
        self.t0 = 0.0
        self.cb = None
        self.shown = False

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.shown and time.monotonic() - self.t0 > 1.0:
            self.shown = True
            self.cb = self.bar.__enter__()
        if self.cb is not None:
            self.cb(done, total)

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            self.bar.__exit__(*exc)


def _band(q: dict[str, float]) -> tuple[str, str, str]:
    return _fmt_money(q["p5"]), _fmt_money(q["p50"]), _fmt_money(q["p95"])


def _print_forward(c, fw: dict) -> None:
    """The forward view's tables: the fleet per month, the models' switch-off, payback and IRR, hedges, strikes."""
    from rich.markup import escape
    from rich.table import Table

    hedged = bool(fw["hedges"])
    c.print(f"[bold]forward P&L[/] from {fw['start']}: {fw['months_ahead']} months, {fw['paths']:,} paths, seed "
            f"{fw['seed']}, preset {escape(fw['preset'])} — a model forecast, not a market quote")
    rows = [(r["month"], f"{r['hashprice_usd_per_ph_day']['p50']:,.2f}", r["fleet"]) for r in fw["months"]]
    rows.append(("total", "", fw["total"]))
    for key, loss, what in [("margin_usd", "prob_loss", "unhedged")] + \
            ([("hedged_margin_usd", "hedged_prob_loss", "hedged")] if hedged else []):
        title = f"fleet margin per month, {what} (USD; p5 / p50 / p95 over the paths)" if hedged else \
            "fleet margin per month (USD; p5 / p50 / p95 over the paths)"
        t = Table(title=title, title_justify="left")
        for i, col in enumerate(["month", "hashprice p50 $/PH/day", "margin p5", "p50", "p95", "P(loss)"]):
            t.add_column(col, justify="left" if i == 0 else "right")
        for label, hp, q in rows:
            t.add_row(label, hp, *_band(q[key]), _pct(q[loss]), style="bold" if label == "total" else None)
        _show(c, t)
    if hedged:
        tot = fw["total"]
        c.print(f"hedges: the total margin's p5 moves by {_fmt_money(tot['p5_improvement_usd'])}; its p5-p95 spread "
                f"from {_fmt_money(tot['margin_spread_usd'])} to {_fmt_money(tot['hedged_margin_spread_usd'])}")
    t = Table(title="per site and model: when running every hour costs the revenue", title_justify="left")
    for i, col in enumerate(["site", "model", "units", "cost >= revenue"]):
        t.add_column(col, justify="left" if i < 2 else "right")
    for m in fw["models"]:
        t.add_row(escape(m["site"]), escape(m["model"]), f"{m['units']:,}", m["cost_rate_100_month"] or "not within")
    _show(c, t)
    priced = [m for m in fw["models"] if m["payback_months"] is not None]
    if priced:
        t = Table(title="payback (months of the view) and IRR per year of the machines with a price",
                  title_justify="left")
        for i, col in enumerate(["site", "model", "payback p5", "p50", "p95", "never", "IRR p5", "p50", "p95"]):
            t.add_column(col, justify="left" if i < 2 else "right")
        for m in priced:
            pb, irr = m["payback_months"], m["irr_per_year"]
            months = ["never" if pb[k] is None else str(pb[k]) for k in ("p5", "p50", "p95")]
            rates = ["-" if irr is None or irr[k] is None else f"{irr[k]:.0%}" for k in ("p5", "p50", "p95")]
            t.add_row(escape(m["site"]), escape(m["model"]), *months, _pct(pb["prob_never"]), *rates)
        _show(c, t)
    c.print("[dim]cost >= revenue: the first month in which the median cost of running every hour reaches the "
            "revenue (switch off or sell); payback: months of the view until the margin covers the price, never: "
            "not within the view; IRR per year without salvage value; '-': no purchase price in the file.[/]")
    if hedged:
        t = Table(title="hedges (payoff to the fleet over the view, USD)", title_justify="left")
        for i, col in enumerate(["name", "side", "PH/s", "strike", "months", "p5", "p50", "p95"]):
            t.add_column(col, justify="left" if i < 2 else "right")
        for h in fw["hedges"]:
            cov = h["months_covered"]
            span = f"{cov[0]} .. {cov[-1]}" if cov else "none"
            t.add_row(escape(h["name"]), h["side"], f"{h['quantity_phs']:,.1f}", f"{h['strike_usd_per_ph_day']:,.2f}",
                      span, *_band(h["payoff_usd"]))
        _show(c, t)
        for h in fw["hedges"]:
            if h["months_outside"]:
                c.print(f"[dim]{escape(h['name'])}: {len(h['months_outside'])} month(s) of its tenor outside the "
                        f"view, not counted ({', '.join(h['months_outside'][:3])}...)[/]")
    if "fair_strikes" in fw:
        t = Table(title="fair strikes (USD/PH/day): model value, not a market quote", title_justify="left")
        for i, col in enumerate(["tenor", "months", "strike"]):
            t.add_column(col, justify="left" if i == 0 else "right")
        for k in fw["fair_strikes"]["tenors"]:
            t.add_row(f"{k['tenor_months']} m", f"{k['from']} .. {k['to']}", f"{k['usd_per_ph_day']:,.2f}")
        _show(c, t)
    for b in fw["price_basis"]:
        if b["kind"] == "hourly":
            yrs = sorted(set((b["price_years"] or {}).values()))
            c.print(f"[dim]{escape(b['site'])}: hourly prices of {escape(str(b['source']))}, the same calendar month "
                    f"of {', '.join(yrs)} (price year assumption)[/]")
    c.print("[dim]the bands are the outlook's: see its backtest coverage (hashpower outlook, docs/backtest.md).[/]")


from hashpower.cli import fleet_plan  # noqa: E402, F401 - registers `fleet plan` on fleet_group
