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

EXIT_BAD_INPUT = 2


def _emit(obj: dict[str, Any]) -> None:
    click.echo(json.dumps(obj, indent=2, default=str, allow_nan=False))


def _console():
    from rich.console import Console

    return Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hashpower")
def cli() -> None:
    """Bitcoin mining economics and network security, on real data, offline by default."""


@cli.command()
@click.option("--date", "date", default=None, help="Day YYYY-MM-DD (default: the latest in the store).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def brief(date: str | None, as_json: bool) -> None:
    """The state of Bitcoin mining on one day."""
    from hashpower.brief import latest_figures

    fig = latest_figures(date)
    if as_json:
        _emit(fig)
        return
    from rich.table import Table

    t = Table(title=f"Bitcoin mining on {fig['date']}", show_header=False)
    t.add_row("price", f"${fig['price_usd']:,.0f}")
    t.add_row("hashrate (7-day mean)", f"{fig['hashrate_ehs_7d']:,.1f} EH/s")
    t.add_row("difficulty", f"{fig['difficulty'] / 1e12:,.2f} T")
    hp = fig["hashprice"]
    t.add_row("hashprice", f"${hp['usd_per_ph_day']:,.2f} per PH/s per day (${hp['usd_per_th_day']:.4f}/TH/day)")
    t.add_row("", f"{hp['btc_per_ph_day']:.6f} BTC per PH/s per day")
    _console().print(t)


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
    from hashpower.sources import refresh as do_refresh

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
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
