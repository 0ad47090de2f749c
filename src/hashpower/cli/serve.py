"""``hashpower serve``: the REST API and the dashboard under uvicorn (app: :mod:`hashpower.api`)."""

from __future__ import annotations

import click

from hashpower.cli._app import cli


@cli.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless you say so).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Server processes (one per core; the figures are computed in Python, one core per process).")
def serve_cmd(host: str, port: int, workers: int) -> None:
    """Serve the REST API and the web dashboard (FastAPI under uvicorn)."""
    import uvicorn

    from hashpower.figures.data import warm

    warm()  # build the store and fill the caches before the first request
    click.echo(f"hashpower {host}:{port}: dashboard at http://{host}:{port}/, API under /v1, spec at /openapi.json",
               err=True)
    uvicorn.run("hashpower.api:app", host=host, port=port, workers=workers, log_level="warning", access_log=False)
