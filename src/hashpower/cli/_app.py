"""The ``hashpower`` command group and what every command shares: JSON output, the console, progress."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from hashpower.figures.format import json_safe

EXIT_BAD_INPUT = 2


#: The output-cache key of the running command line (set by :func:`hashpower.cli.main`), or None.
CACHE_KEY: str | None = None


def _emit(obj: dict[str, Any]) -> None:
    from hashpower.figures.data import with_freshness

    text = json.dumps(json_safe(with_freshness(obj)), indent=2, default=str, allow_nan=False)
    click.echo(text)
    if CACHE_KEY is not None:
        from hashpower.figures import cache

        cache.put(CACHE_KEY, text + "\n")


def _console():
    from rich.console import Console

    return Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hashpower")
def cli() -> None:
    """Bitcoin mining economics and network security, on real data, offline by default."""


def _show(console, table, more: str = "--json") -> None:
    """Print a rich table without cutting a figure.

    Every cell keeps its whole text: each column is at least as wide as its longest line (a header
    may wrap between words). On a terminal too narrow for all of them, the right-hand columns that
    do not fit are left out and named under the table, with ``more`` (the option that shows them
    all); written to a file or a pipe, the table takes the width it needs.
    """
    import os

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
