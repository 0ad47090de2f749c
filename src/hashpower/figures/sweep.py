"""Figures of ``hashpower sweep``: a grid of scenarios on Dask, every point calibrated on the store's latest day."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hashpower.figures.simulate import snapshot, write_outputs

__all__ = ["sweep", "write_outputs"]


def sweep(grid: str | Path | Mapping[str, Any], scheduler: str | None = None, *, timeout_s: float | None = None,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Every point of a grid on Dask, calibrated on the store's latest day (:func:`hashpower.sim.grid.sweep`)."""
    from hashpower.sim.grid import DEFAULT_CONNECT_TIMEOUT_S
    from hashpower.sim.grid import sweep as _sweep

    if isinstance(grid, str | Path):
        from hashpower.store.bounded import load_toml

        grid = load_toml(grid, "grid")
    return _sweep(grid, scheduler, snapshot=snapshot(),
                  timeout_s=DEFAULT_CONNECT_TIMEOUT_S if timeout_s is None else timeout_s, progress=progress)
