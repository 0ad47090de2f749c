"""The scenario engine: a Monte Carlo simulator of the mining industry and the seed's three futures.

>>> from hashpower.figures.simulate import run, snapshot
>>> r = run("consolidation", paths=1000, years=10, seed=1)   # doctest: +SKIP, calibrated on the store

The engine knows neither the store nor the screen: :func:`run` and :func:`sweep` here take the
calibration data (``snapshot=``, a :class:`~hashpower.sim.calibrate.Snapshot`), which
:func:`hashpower.figures.simulate.snapshot` reads from the store.
>>> r["hashrate_ehs"]["p50"]                                   # doctest: +SKIP

The model, every equation and every parameter source are in ``docs/simulation.md``.
Names load on first use, so that importing the package does not load numba.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["MAX_PATHS", "MAX_YEARS", "PRESETS", "Scenario", "fan_chart_html", "fan_chart_png", "get_preset",
           "load_grid", "parameter_table", "run", "sweep", "to_csv", "write_outputs"]

_LAZY = {
    "MAX_PATHS": "scenario", "MAX_YEARS": "scenario", "PRESETS": "scenario", "Scenario": "scenario",
    "get_preset": "scenario", "parameter_table": "scenario",
    "fan_chart_html": "results", "fan_chart_png": "results", "to_csv": "results", "write_outputs": "results",
    "run": "runner", "load_grid": "grid", "sweep": "grid",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"hashpower.sim.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'hashpower.sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
