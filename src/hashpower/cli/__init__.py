"""The ``hashpower`` command line: thin, every command with ``--json``.

Bad input (an unknown option, an unreadable file, a date outside the data, a
malformed CSV) prints one line on stderr and exits with status 2; nothing in
the store changes. Heavy libraries load inside the commands, so ``--help``
starts fast.

One module per group of commands, each calling the figures module named after
its command (:mod:`hashpower.figures`): :mod:`.brief`, :mod:`.economics`
(hashprice, machines, fleet), :mod:`.network` (network, index, security),
:mod:`.pivot`, :mod:`.simulate` (simulate, sweep), :mod:`.serve` and :mod:`.data`.
"""

from __future__ import annotations

import sys

import click

from hashpower.cli import brief, costs, data, economics, fleet, forecast, network, pivot, serve, simulate  # noqa: F401 - registers
from hashpower.cli._app import EXIT_BAD_INPUT, cli

__all__ = ["EXIT_BAD_INPUT", "cli", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning bad input into one line on stderr and exit status 2."""
    import warnings

    from hashpower.cli import _app
    from hashpower.figures import cache

    args = list(sys.argv[1:] if argv is None else argv)
    _app.CACHE_KEY = cache.key(args)
    if _app.CACHE_KEY is not None:
        hit = cache.get(_app.CACHE_KEY)
        if hit is not None:
            sys.stdout.write(hit)
            return 0
    try:
        with warnings.catch_warnings():
            # a numeric warning (an overflow at an extreme input) is not the user's message: the figure or
            # the error that follows is; keep stderr to one line
            warnings.simplefilter("ignore", RuntimeWarning)
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
    except Exception as exc:
        if _is_bad_input(exc):
            msg = " ".join(str(exc).split()) or type(exc).__name__
            click.echo(f"hashpower: error: {msg}", err=True)
            return EXIT_BAD_INPUT
        import duckdb

        if isinstance(exc, duckdb.Error):
            from hashpower.figures.data import db_path

            click.echo(f"hashpower: error: the store at {db_path()} could not be read ({type(exc).__name__}); "
                       "run 'hashpower data rebuild' to rebuild it from the embedded data and your imports", err=True)
            return EXIT_BAD_INPUT
        raise
    rv = rv if isinstance(rv, int) else 0
    if rv == 0:
        _say_if_stale(args)
    return rv


#: Commands whose figures come from the stored data (the staleness line is printed after their tables).
_DATA_COMMANDS = frozenset({"hashprice", "machines", "fleet", "network", "index", "security", "brief", "pivot",
                            "simulate", "sweep", "outlook", "backtest", "costs"})


def _say_if_stale(args: list[str]) -> None:
    """After a table, one line on stderr when the data is stale.

    Printed when the data's last day is more than two days before today (UTC), with the way to refresh;
    not after ``--json``, which carries ``data_last_day`` and ``data_age_days``.
    """
    machine = "--json" in args or any(a in ("--format=json", "--format=csv") for a in args) or any(
        a == "--format" and b in ("json", "csv") for a, b in zip(args, args[1:], strict=False))
    if not args or args[0] not in _DATA_COMMANDS or machine or any(a in ("-h", "--help") for a in args):
        return
    try:
        from hashpower.figures.data import freshness

        f = freshness()
    except Exception:  # noqa: BLE001 - the command's output is out; a store that cannot say its age is not an error
        return
    if f["data_stale"]:
        fees = (f", fees estimated after {f['fees_last_day']}"
                if f["fees_last_day"] and f["fees_last_day"] < f["data_last_day"] else "")
        click.echo(f"hashpower: the data ends {f['data_last_day']} ({f['data_age_days']} days ago{fees}); "
                   f"to update: {f['data_refresh']}", err=True)


def _is_bad_input(exc: BaseException) -> bool:
    """Bad input or an unusable source: a ``ValueError``, an ``OSError`` or a live source's ``SourceError``.

    The source module is looked up only if a command loaded it (a ``SourceError`` cannot come from
    anywhere else), so that the commands that need no live source never import the HTTP client.
    """
    if isinstance(exc, ValueError | OSError):
        return True
    http = sys.modules.get("hashpower.store.sources._http")
    return http is not None and isinstance(exc, http.SourceError)
