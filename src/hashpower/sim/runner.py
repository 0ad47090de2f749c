"""One scenario run: validate, calibrate, simulate, summarise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hashpower.sim import calibrate, engine, results
from hashpower.sim.scenario import Scenario, check_run_size, get_preset

__all__ = ["prepare", "run", "run_model"]


def prepare(preset: str | Scenario = "baseline", overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario of ``preset`` (a name or a :class:`Scenario`) with ``overrides``, validated."""
    sc = preset if isinstance(preset, Scenario) else get_preset(str(preset))
    return sc.replace(**dict(overrides)) if overrides else sc.validated()


def run_model(model: calibrate.Model, scenario: Scenario, paths: int, years: int, seed: int,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Simulate a calibrated ``model`` and summarise it.

    What :func:`run` does after calibrating, and what a sweep's workers do, so a grid
    point returns the numbers of the same run alone.
    """
    out = engine.simulate(model, paths, years, seed, progress=progress)
    return results.summarise(out, scenario, model, paths, years, seed)


def run(preset: str | Scenario = "baseline", paths: int = 1000, years: int = 10, seed: int = 0, *,
        snapshot: calibrate.Snapshot, overrides: Mapping[str, Any] | None = None,
        progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Monte Carlo run of a scenario: p5/p50/p95 per simulated year of every output.

    Parameters
    ----------
    preset : str or Scenario, default "baseline"
        A preset name (see :data:`hashpower.sim.PRESETS`) or a scenario.
    paths : int, default 1000
        Number of Monte Carlo paths [-], in [1, 100,000].
    years : int, default 10
        Simulated years of 365 days [-], in [1, 30].
    seed : int, default 0
        Seed [-], in [0, 2^63): the same seed gives identical results.
    snapshot : Snapshot
        The calibration data (:func:`hashpower.figures.simulate.snapshot` reads it from the store).
    overrides : mapping, optional
        Scenario parameters to change (names as :class:`Scenario` fields).
    progress : callable, optional
        ``progress(done_paths, total_paths)``.

    Returns
    -------
    dict
        JSON-ready: ``preset``, ``paths``, ``years``, ``seed``, ``year_end_dates``, one
        ``{p5, p50, p95}`` dict of yearly lists per output (``hashrate_ehs``,
        ``security_budget_usd_per_day``, ``attack_cost_hardware_usd``, ...), ``parameters``,
        ``calibration``, ``units``, ``rationale``, ``notes``.
    """
    paths, years, seed = check_run_size(paths, years, seed)
    sc = prepare(preset, overrides)
    return run_model(calibrate.build(sc, snapshot), sc, paths, years, seed, progress)
