"""Figures of ``hashpower backtest``: the simulator scored on rolling origins of the store's history.

The scoring itself is :mod:`hashpower.sim.backtest` (pure numpy and the kernel); this module reads
the history (:func:`hashpower.figures.simulate.history`), checks the request, and spreads the
origins over a Dask cluster when one is named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from hashpower.figures import simulate as _simulate
from hashpower.models.pivot import REFERENCE_LEASE_USD_PER_MW_YEAR
from hashpower.sim import backtest as B
from hashpower.sim.scenario import check_run_size, get_preset

__all__ = ["backtest", "check_request", "write_outputs"]

#: Seconds to wait for a named scheduler [s].
CONNECT_TIMEOUT_S = 10.0


def _day(value: Any, name: str) -> np.datetime64:
    if isinstance(value, dt.date):
        value = value.isoformat()
    try:
        d = dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a day YYYY-MM-DD, got {value!r}") from None
    return np.datetime64(d.isoformat(), "D")


def _whole(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number in [{lo}, {hi}], got {value!r}")
    return int(value)


def history():
    """The history the backtest scores on: the store's, to its last day with fee data.

    The later days' fees are estimates (``figures.series.with_fee_estimates``): neither a "real" fee path of
    the conditional mode nor a realised hashprice can be made of them.
    """
    from hashpower.figures import series

    h = _simulate.history()
    est = series.history()["fees_estimated"].to_numpy(bool)
    if est.any():
        return h.known_on(h.dates[int(np.flatnonzero(~est)[-1])])
    return h


def check_request(origin=None, start=None, end=None, every_months: Any = B.EVERY_MONTHS,
                  horizons: Any = B.DEFAULT_HORIZONS, paths: Any = 1000, seed: Any = 0,
                  mode: str = "both") -> dict[str, Any]:
    """The checked request: origins, horizons, paths, seed and modes, or ``ValueError`` naming the parameter."""
    h = history()
    if mode not in (*B.MODES, "both"):
        raise ValueError(f"mode must be conditional, unconditional or both, got {mode!r}")
    modes = list(B.MODES) if mode == "both" else [mode]
    if isinstance(horizons, int | float):
        horizons = (horizons,)
    hs = sorted({_whole(x, "horizons", 1, B.MAX_HORIZON_MONTHS) for x in horizons})
    if not hs:
        raise ValueError("horizons must name at least one horizon in months")
    paths, _, seed = check_run_size(paths, 1, seed)
    if paths > B.MAX_PATHS:
        raise ValueError(f"paths must be in [1, {B.MAX_PATHS:,}] for a backtest, got {paths:,}")
    every = _whole(every_months, "every_months", 1, 120)
    # the calibration's 400 days and the naive forecasts' 365, and a year of machines released before it
    first_ok = max(h.dates[0] + 400 + 365, h.machine_release.min() + 365)
    last_ok = B.add_months(h.dates[-1], -max(hs))
    if origin is not None:
        o = _day(origin, "origin")
        if not first_ok <= o <= last_ok:
            raise ValueError(f"origin must be in {first_ok} .. {last_ok}: a year of history before it for the "
                             f"naive forecasts and {max(hs)} months of data after it, got {o}")
        origins = [o]
    else:
        s = _day(start if start is not None else B.DEFAULT_FROM, "from")
        if s < first_ok:
            raise ValueError(f"from must be on or after {first_ok} (the first day with enough history), got {s}")
        e = _day(end, "to") if end is not None else None
        origins = B.default_origins(h, s, e, every, max(hs))
        if not origins:
            raise ValueError(f"no origin between {s} and {e or last_ok} has {max(hs)} months of data after it "
                             f"(the data end on {h.dates[-1]})")
    if len(origins) > B.MAX_ORIGINS:
        raise ValueError(f"at most {B.MAX_ORIGINS} origins per backtest, got {len(origins)}")
    return {"origins": origins, "horizons": hs, "paths": paths, "seed": seed, "modes": modes}


def backtest(origin=None, start=None, end=None, every_months: Any = B.EVERY_MONTHS,
             horizons: Any = B.DEFAULT_HORIZONS, paths: Any = 1000, seed: Any = 0, mode: str = "both",
             scheduler: str | None = None, preset: str = "baseline",
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The backtest of ``preset`` on the store's history (see :func:`hashpower.sim.backtest.run`)."""
    if scheduler is not None:
        B.check_scheduler(scheduler)
    req = check_request(origin, start, end, every_months, horizons, paths, seed, mode)
    sc = get_preset(preset)
    h = history()
    mapper = B.scheduler_map(scheduler, h, req["horizons"], req["paths"], req["seed"], sc,
                             reference_lease_usd_per_mw_year=REFERENCE_LEASE_USD_PER_MW_YEAR,
                             timeout_s=CONNECT_TIMEOUT_S) if scheduler else None
    res = B.run(h, req["origins"], req["horizons"], req["paths"], req["seed"], req["modes"], sc,
                reference_lease_usd_per_mw_year=REFERENCE_LEASE_USD_PER_MW_YEAR, progress=progress,
                map_origins=mapper)
    res["preset"] = sc.name
    res["data_last_day"] = str(h.dates[-1])
    res["scheduler"] = scheduler or "in-process (numba threads over paths)"
    res["notes"] = ("At each origin the engine is calibrated on what was known at the end of that day. "
                    "hashrate_ehs is the 30-day mean hashrate ending on the horizon's day, difficulty the "
                    "difficulty in force that day, hashprice_usd_per_ph_day its 30-day mean. mae_log: median "
                    "absolute log error of the median forecast; crps: mean CRPS of the log value. Method: "
                    "docs/backtest.md.")
    return res


def write_outputs(result: dict[str, Any], directory) -> dict[str, Any]:
    """The cases and metrics CSVs and the coverage and PIT charts (``sim.backtest_charts.write_outputs``)."""
    from hashpower.sim.backtest_charts import write_outputs as _write

    return _write(result, directory)
