"""The ``hashpower`` command group and what every command shares: JSON output, the console, progress."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from hashpower.figures.format import json_safe

EXIT_BAD_INPUT = 2


#: The output-cache key of the running command line (set by :func:`hashpower.cli.main`), or None.
CACHE_KEY: str | None = None


#: The rows ``--format csv`` writes for the running command (set by :func:`output_options`): a dotted key of
#: its figures dict holding a list of dicts, a function of the dict returning one, "" for the dict's own
#: scalars as ``key,value`` rows; None when the output is not CSV.
CSV_ROWS: str | Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None

Rows = str | Callable[[dict[str, Any]], list[dict[str, Any]]]


def _flat(obj: Any, prefix: str = "") -> dict[str, Any]:
    """A dict flattened to ``a.b`` keys; a list inside it becomes its JSON text."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, name + "."))
        elif isinstance(v, list | tuple):
            out[name] = json.dumps(v, default=str)
        else:
            out[name] = v
    return out


def csv_rows(obj: dict[str, Any], rows: Rows) -> list[dict[str, Any]]:
    """The rows of ``obj`` that ``--format csv`` writes (see :data:`CSV_ROWS`), flattened."""
    if callable(rows):
        picked = rows(obj)
    elif rows:
        picked = obj
        for part in rows.split("."):
            picked = picked.get(part) if isinstance(picked, dict) else None
        picked = picked or []
    else:
        return [{"key": k, "value": v} for k, v in _flat(obj).items()]
    return [_flat(r) for r in picked]


def _write_csv(obj: dict[str, Any], rows: Rows) -> str:
    import csv
    import io

    table = csv_rows(obj, rows)
    cols: list[str] = []
    for r in table:
        cols += [k for k in r if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in table:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()


def _emit(obj: dict[str, Any]) -> None:
    from hashpower.figures.data import with_freshness

    safe = json_safe(with_freshness(obj))
    if CSV_ROWS is not None:
        click.echo(_write_csv(safe, CSV_ROWS), nl=False)
        return
    text = json.dumps(safe, indent=2, default=str, allow_nan=False)
    click.echo(text)
    if CACHE_KEY is not None:
        from hashpower.figures import cache

        cache.put(CACHE_KEY, text + "\n")


def output_options(rows: Rows = ""):
    """``--json`` and ``--format table|json|csv`` for a command that prints a table.

    The command keeps its ``as_json`` parameter: ``--format json`` and ``--format csv`` set it, and
    with csv :func:`_emit` writes ``rows`` of the figures (see :data:`CSV_ROWS`) as CSV instead of JSON.
    """

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args: Any, fmt: str | None = None, **kw: Any) -> Any:
            global CSV_ROWS
            if fmt is not None:
                if kw.get("as_json") and fmt != "json":
                    raise click.UsageError(f"--json and --format {fmt} disagree: give one of them")
                kw["as_json"] = fmt in ("json", "csv")
            CSV_ROWS = rows if fmt == "csv" else None
            return fn(*args, **kw)

        wrapper = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
                               help="Output: a table for people (the default), one JSON object, or CSV rows "
                                    "(numbers unformatted).")(wrapper)
        return click.option("--json", "as_json", is_flag=True, help="Print one JSON object (= --format json).")(
            wrapper)

    return deco


def _console():
    from rich.console import Console

    return Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hashpower")
def cli() -> None:
    """Bitcoin mining economics and network security, on real data, offline by default."""


def _show(console, table, more: str = "--json", wrap: bool = False) -> None:
    """Print a rich table without cutting a figure.

    ``wrap`` is for tables of labels and sentences (a key and its value): their text wraps within the
    width instead, and no column is left out.

    Every cell keeps its whole text: each column is at least as wide as its longest line (a header
    may wrap between words). On a terminal too narrow for all of them, the right-hand columns that
    do not fit are left out and named under the table, with ``more`` (the option that shows them
    all); written to a file or a pipe, the table takes the width it needs.
    """
    import os

    if wrap:
        for col in table.columns:
            col.overflow = "fold"
        console.print(table)
        return
    from rich.cells import cell_len
    from rich.text import Text

    def plain(v: Any) -> str:
        return v.plain if isinstance(v, Text) else Text.from_markup(str(v)).plain

    need = []
    for col in table.columns:
        cells = [plain(v) for v in col._cells]
        w = max((cell_len(line) for v in cells for line in v.splitlines()), default=0)
        hw = max((cell_len(word) for word in plain(col.header).split()), default=0)
        need.append(max(w, hw, 1))
    pad = 3 if table.show_edge or table.box else 2  # a border and a space each side per column
    total = sum(need) + pad * len(need) + 1
    width = console.width
    if not console.is_terminal and "COLUMNS" not in os.environ and total > width:
        width = console.width = total  # print's own width cannot exceed the console's
    kept = len(need)
    while kept > 1 and sum(need[:kept]) + pad * kept + 1 > width:
        kept -= 1
    if kept < len(need):
        hidden = [plain(c.header) for c in table.columns[kept:]]
        table.columns = table.columns[:kept]
        note = f"not shown at {width} columns: {', '.join(hidden)}; see {more}, or a wider terminal"
        table.caption = f"{table.caption}\n{note}" if table.caption else note
    spare = width - (sum(need[:kept]) + pad * kept + 1)
    for i, col in enumerate(table.columns):  # room left: headers on one line, as far as it goes
        full = cell_len(plain(col.header))
        grow = min(max(full - need[i], 0), max(spare, 0))
        need[i] += grow
        spare -= grow
    for col, w in zip(table.columns, need, strict=False):
        col.width = w  # the text's own width (rich adds the padding): no cell is cut or wrapped
        col.overflow = "fold"
    console.print(table, width=width)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1%}"


#: Seconds between two progress lines when stderr is not a terminal (a file, a pipe, a CI log) [s].
PROGRESS_LINE_SECONDS = 5.0


class _progress:
    """Progress on stderr: a rich bar on a terminal; elsewhere one line every few seconds.

    When stderr is not a terminal a bar would be lost, so a line ``hashpower: LABEL: 40 of 100 (40%),
    12 s`` is printed at most every :data:`PROGRESS_LINE_SECONDS` (``HASHPOWER_PROGRESS_SECONDS``
    overrides it); a run shorter than that prints nothing.
    """

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.label = label
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        if not self.tty:
            return self._lines()
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label, total=None)

        def cb(done: int, total: int) -> None:
            self.bar.update(task, completed=done, total=total)

        return cb

    def _lines(self):
        import os
        import time

        try:
            every = float(os.environ.get("HASHPOWER_PROGRESS_SECONDS", PROGRESS_LINE_SECONDS))
        except ValueError:
            every = PROGRESS_LINE_SECONDS
        t0 = time.monotonic()
        last = [t0]

        def cb(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] < every:
                return
            last[0] = now
            share = f" ({done / total:.0%})" if total else ""
            click.echo(f"hashpower: {self.label}: {done:,} of {total:,}{share}, {now - t0:,.0f} s", err=True)

        return cb

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
