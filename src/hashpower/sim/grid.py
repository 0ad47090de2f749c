"""Grid sweeps: many scenarios on a Dask cluster, each point a full run with its own seed.

A grid file (TOML) has two tables::

    [run]                      # fixed for every point
    preset = "baseline"
    paths = 1000
    years = 10
    seed = 1
    pue = 1.1                  # any scenario parameter may be fixed here

    [grid]                     # every combination of these values
    fee_growth_rate_per_year = [0.0, 0.10, 0.25]
    preset = ["baseline", "consolidation"]

Each point is calibrated where the sweep is started (the store is read there
only) and simulated on a worker by the same code as :func:`hashpower.sim.runner.run`,
so every point returns exactly the numbers of the same run alone. Points share
the seed unless ``seed`` is a grid axis: common random numbers, so differences
between points come from the parameters, not from sampling noise.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hashpower.sim.scenario import Scenario, check_run_size

__all__ = ["DEFAULT_CONNECT_TIMEOUT_S", "MAX_POINTS", "load_grid", "points", "sweep"]

#: Largest number of grid points in one sweep [-].
MAX_POINTS = 1_000
#: Seconds to wait for a named scheduler before giving up [s].
DEFAULT_CONNECT_TIMEOUT_S = 10.0
_RUN_KEYS = ("preset", "paths", "years", "seed")
_DEFAULT_RUN = {"preset": "baseline", "paths": 1000, "years": 10, "seed": 0}


def _known() -> list[str]:
    import dataclasses

    return [*_RUN_KEYS, *(f.name for f in dataclasses.fields(Scenario) if f.name not in ("name", "rationale"))]


def load_grid(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """Read and check a grid: a TOML file or an already parsed mapping with ``run`` and ``grid`` tables.

    Raises ``ValueError`` for an unreadable file, unknown tables or parameters, or an axis that is not a
    non-empty list.
    """
    if isinstance(source, Mapping):
        doc, origin = dict(source), "grid"
    else:
        origin = str(source)
        try:
            doc = tomllib.loads(Path(source).read_text())
        except OSError as exc:
            raise ValueError(f"cannot read the grid file {origin}: {exc.strerror or exc}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{origin} is not valid TOML: {exc}") from None
    extra = sorted(set(doc) - {"run", "grid"})
    if extra:
        raise ValueError(f"{origin}: unknown table(s) {', '.join(extra)}; a grid file has [run] and [grid]")
    fixed, axes = doc.get("run", {}), doc.get("grid", {})
    if not isinstance(fixed, dict) or not isinstance(axes, dict):
        raise ValueError(f"{origin}: [run] and [grid] must be tables")
    known = _known()
    for table, keys in (("run", fixed), ("grid", axes)):
        unknown = sorted(set(keys) - set(known))
        if unknown:
            raise ValueError(f"{origin}: unknown parameter(s) in [{table}]: {', '.join(unknown)}; "
                             f"known: {', '.join(known)}")
    for k, v in axes.items():
        if not isinstance(v, list) or not v:
            raise ValueError(f"{origin}: [grid] {k} must be a non-empty list of values, got {v!r}")
    n = 1
    for v in axes.values():
        n *= len(v)
    if n > MAX_POINTS:
        raise ValueError(f"{origin}: the grid has {n:,} points; at most {MAX_POINTS:,}")
    return {"run": {**_DEFAULT_RUN, **fixed}, "grid": axes, "origin": origin}


def points(grid: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the axes (the last axis varies fastest), each merged over the fixed ``run``."""
    axes = grid["grid"]
    names = list(axes)
    out = []
    for combo in itertools.product(*(axes[k] for k in names)):
        point = dict(zip(names, combo, strict=True))
        out.append({"point": point, "spec": {**grid["run"], **point}})
    return out


def _prepare(spec: Mapping[str, Any], snap: Any) -> tuple[Any, Scenario, int, int, int]:
    from hashpower.sim import calibrate
    from hashpower.sim.runner import prepare

    paths, years, seed = check_run_size(spec["paths"], spec["years"], spec["seed"])
    overrides = {k: v for k, v in spec.items() if k not in _RUN_KEYS}
    sc = prepare(spec["preset"], overrides)
    return calibrate.build(sc, snap), sc, paths, years, seed


def _run_point(payload: tuple[Any, Scenario, int, int, int, dict[str, Any]]) -> dict[str, Any]:
    """A worker's task: simulate one calibrated point (the code path of :func:`hashpower.sim.runner.run`)."""
    from hashpower.sim.runner import run_model

    model, sc, paths, years, seed, point = payload
    res = run_model(model, sc, paths, years, seed)
    res["point"] = point
    return res


def _client(scheduler: str | None, timeout_s: float):
    from distributed import Client, LocalCluster

    if scheduler:
        if "://" in scheduler and not scheduler.startswith("inproc://"):
            from hashpower.sim.backtest import probe_scheduler

            probe_scheduler(scheduler, timeout_s)
        try:
            return Client(scheduler, timeout=timeout_s, set_as_default=False), None
        except Exception as exc:  # noqa: BLE001 - dask raises OSError, TimeoutError or ValueError by address
            msg = " ".join(str(exc).split()) or type(exc).__name__
            raise ValueError(f"cannot reach the scheduler at {scheduler} within {timeout_s:g} s ({msg})") from None
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster, set_as_default=False), cluster


def sweep(grid: str | Path | Mapping[str, Any], scheduler: str | None = None, *, snapshot: Any,
          timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run every point of a grid on Dask and return their results.

    Parameters
    ----------
    grid : path or mapping
        A grid file (TOML) or its parsed content (see the module docstring).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); default a local
        cluster of two worker processes with one thread each, closed at the end.
    snapshot : Snapshot
        The calibration data shared by every point (:func:`hashpower.figures.simulate.snapshot`).
    timeout_s : float, default 10
        Seconds to wait for a named scheduler; past that ``ValueError``.
    progress : callable, optional
        ``progress(done_points, total_points)``.

    Returns
    -------
    dict
        ``runs`` (number of points), ``scheduler``, ``grid`` (the axes), ``run`` (the fixed values)
        and ``results``: one :func:`hashpower.sim.runner.run` result per point, in grid order, each with
        its ``point`` (the axis values).
    """
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be > 0, got {timeout_s!r}")
    g = load_grid(grid)
    pts = points(g)
    payloads = []
    for p in pts:
        model, sc, paths, years, seed = _prepare(p["spec"], snapshot)
        payloads.append((model, sc, paths, years, seed, p["point"]))
    client, cluster = _client(scheduler, timeout_s)
    try:
        from distributed import as_completed

        futures = client.map(_run_point, payloads, pure=False)
        done = 0
        for _ in as_completed(futures, loop=client.loop):
            done += 1
            if progress is not None:
                progress(done, len(futures))
        res = client.gather(futures)
        where = scheduler or "local cluster (2 worker processes x 1 thread)"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {"runs": len(res), "scheduler": where, "grid": g["grid"], "run": g["run"], "results": res}
