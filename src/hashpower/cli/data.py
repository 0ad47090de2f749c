"""``hashpower data status/refresh/rebuild/import``: the local store (figures: :mod:`hashpower.figures.data`)."""

from __future__ import annotations

from pathlib import Path

import click

from hashpower.cli._app import _console, _emit, _progress, _show, cli, output_options


@cli.group()
def data() -> None:
    """The local store: status, refresh from live sources, import your own rows."""


@data.command()
@output_options("sources")
def status(as_json: bool) -> None:
    """Rows, date range and the sources with when each was last refreshed."""
    from hashpower.figures.data import status as _status

    st = _status()
    if as_json:
        _emit(st)
        return
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{st['rows']:,}[/] days, {st['first_date']} .. {st['last_date']}; "
            f"{st['blocks']:,} blocks with their pools, to height {st['last_block_height']:,} "
            f"(where the pool data ends, not the chain's tip)")
    c.print(f"store: {st['path']}")
    t = Table("source", "refreshed at", "last date", "last height", "rows added", "note")
    for s in st["sources"]:
        t.add_row(s["name"], s["refreshed_at"] or "", s["last_date"] or "", str(s["last_height"] or ""),
                  str(s["rows_added"]), s["note"] or "")
    _show(c, t)


@data.command()
@click.option("--source", type=click.Choice(["coinmetrics", "mempool", "bitcoind"]), default="coinmetrics",
              show_default=True, help="Where to fetch from.")
@click.option("--url", default=None, help="Base URL (default: $HASHPOWER_<SOURCE>_URL or the public API).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=None,
              help="Per-request timeout [s] (default: 20, and 5 to connect).")
@click.option("--rpc-user", envvar="HASHPOWER_BITCOIND_USER", default=None, help="bitcoind RPC user.")
@click.option("--rpc-password", envvar="HASHPOWER_BITCOIND_PASSWORD", default=None,
              help="bitcoind RPC password (prefer the environment variable).")
@click.option("--rpc-cookie", envvar="HASHPOWER_BITCOIND_COOKIE", type=click.Path(dir_okay=False), default=None,
              help="bitcoind cookie file.")
@output_options("")
def refresh(source: str, url: str | None, timeout: float | None, rpc_user: str | None, rpc_password: str | None,
            rpc_cookie: str | None, as_json: bool) -> None:
    """Append new days or blocks from a live source (atomic: all or nothing)."""
    import math

    from hashpower.figures.data import bitcoind_auth
    from hashpower.figures.data import refresh as do_refresh

    if timeout is not None and not (math.isfinite(timeout) and 0.1 <= timeout <= 600):
        raise ValueError(f"--timeout must be between 0.1 and 600 seconds, got {timeout!r}")
    auth = None
    if source == "bitcoind":
        auth = bitcoind_auth(rpc_user, rpc_password, rpc_cookie)
    with _progress(not as_json, f"refresh {source}") as cb:
        res = do_refresh(source, url, timeout=timeout, auth=auth, progress=cb)
    if as_json:
        _emit(res)
    else:
        _console().print(f"{source}: {res['days_added']} days and {res['blocks_added']} blocks added; "
                         f"store now ends {res['last_date']}, block {res['last_block_height']:,}")


@data.command(name="rebuild")
@output_options("")
def rebuild_cmd(as_json: bool) -> None:
    """Rebuild the store from the embedded data and replay your kept imports (the old file is kept aside)."""
    from hashpower.figures.data import rebuild

    res = rebuild()
    if as_json:
        _emit(res)
    else:
        _console().print(f"rebuilt {res['path']}; imports replayed: {len(res['imports_replayed'])}"
                         + (f"; the previous file is {res['previous_file']}" if res["previous_file"] else ""))
        for sk in res.get("imports_skipped", []):
            _console().print(f"skipped import {sk['file']}: {sk['reason']}")


@data.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@output_options("")
def import_(file: Path, as_json: bool) -> None:
    """Import your own daily rows from a CSV (``date`` plus any documented column)."""
    from hashpower.figures.data import import_csv

    res = import_csv(file)
    if as_json:
        _emit(res)
    else:
        _console().print(f"{res['file']}: {res['rows_in_file']} rows read, {res['rows_changed']} days added or changed"
                         + (f"; kept as import {res['import_id']} (undo: hashpower data imports remove "
                            f"{res['import_id']})" if res.get("import_id") else ""))


@data.group(name="imports", invoke_without_command=True)
@output_options("")
@click.pass_context
def imports_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the imports kept for rebuilds (id, file, rows, days); 'imports remove ID' undoes one."""
    if ctx.invoked_subcommand is not None:
        return
    from hashpower.figures.data import list_imports

    rows = list_imports()
    if as_json:
        _emit({"imports": rows})
        return
    if not rows:
        _console().print("no kept imports")
        return
    from rich.table import Table

    t = Table("id", "file", "rows", "first day", "last day")
    for r in rows:
        t.add_row(r["id"], r["file"], "" if r["rows"] is None else str(r["rows"]), r["first_date"] or "",
                  r["last_date"] or r.get("error", ""))
    _show(_console(), t)


@imports_cmd.command(name="remove")
@click.argument("import_id", metavar="ID")
@output_options("")
def imports_remove(import_id: str, as_json: bool) -> None:
    """Remove the kept import ID and rebuild the store without it (atomic: on failure nothing changes)."""
    from hashpower.figures.data import remove_import

    res = remove_import(import_id)
    if as_json:
        _emit(res)
    else:
        _console().print(f"removed import {res['removed']} ({res['file']}); store rebuilt, "
                         f"{len(res['imports_replayed'])} imports replayed")
