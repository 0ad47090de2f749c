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


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1%}"


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
