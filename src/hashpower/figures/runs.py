"""The Monte Carlo commands' results for notebooks: the same dicts, with ``.to_frame()`` (re-exported at the root).

:func:`simulate`, :func:`outlook` and :func:`backtest` return what :func:`hashpower.figures.simulate.run`,
:func:`hashpower.figures.outlook.outlook` and :func:`hashpower.figures.backtest.backtest` return (the
``--json`` contract of ``hashpower simulate``, ``outlook`` and ``backtest``, without the data-age keys the
command line adds), as a ``dict`` subclass: key access and ``json.dumps`` work as before. ``.to_frame()``
gives a tidy ``pandas.DataFrame``, one row per statistic (or path), date and variable; with
``keep_paths=True`` the per-path values of the run are kept and ``.to_frame(paths=True)`` gives them. The
layout is in ``docs/notebooks.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hashpower.figures import backtest as _backtest
from hashpower.figures import outlook as _outlook
from hashpower.figures import simulate as _simulate
from hashpower.sim import backtest as _B

__all__ = ["BacktestResult", "OutlookResult", "SimulationResult", "backtest", "outlook", "simulate"]


def _percentile(stat: str) -> float:
    return float(stat[1:]) if stat.startswith("p") and stat[1:].isdigit() else float("nan")


def _tidy(records: list[tuple], columns: list[str], date_columns: tuple[str, ...] = ("date",)) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=columns)
    for c in date_columns:
        df[c] = pd.to_datetime(df[c])
    return df


class SimulationResult(dict):
    """A run of ``hashpower simulate``: the JSON dict, with :meth:`to_frame`.

    ``samples`` holds the per-path values when the run kept them (``keep_paths=True``): an array of shape
    (paths, years, variables), the variables in the order of :data:`hashpower.sim.engine.OUTPUTS`.
    """

    def __init__(self, result: Mapping[str, Any], samples: np.ndarray | None = None) -> None:
        super().__init__(result)
        self.samples = samples

    def variables(self) -> list[str]:
        """The simulated variables (the keys holding ``{p5, p50, p95}``), in the engine's order."""
        from hashpower.sim.engine import OUTPUTS

        return [v for v in OUTPUTS if v in self]

    def to_frame(self, paths: bool = False) -> pd.DataFrame:
        """The run as a tidy DataFrame.

        Parameters
        ----------
        paths : bool, default False
            False: one row per percentile, year and variable, columns ``statistic`` ("p5", "p50", "p95"),
            ``percentile`` [%], ``year`` (1 ..), ``date`` (the simulated year's last day), ``variable``,
            ``value``, ``unit``. True: one row per path, year and variable, columns ``path``, ``year``,
            ``date``, ``variable``, ``value``, ``unit`` (needs ``keep_paths=True`` on the run).
        """
        dates = self["year_end_dates"]
        units = self.get("units", {})
        if paths:
            if self.samples is None:
                raise ValueError("paths: this run kept no paths; run it with keep_paths=True")
            from hashpower.sim.engine import OUTPUTS

            n, years, _ = self.samples.shape
            frames = []
            for k, v in enumerate(OUTPUTS):
                frames.append(pd.DataFrame({
                    "path": np.repeat(np.arange(n), years), "year": np.tile(np.arange(1, years + 1), n),
                    "date": np.tile(pd.to_datetime(dates).to_numpy(), n), "variable": v,
                    "value": self.samples[:, :, k].ravel(), "unit": units.get(v, "")}))
            return pd.concat(frames, ignore_index=True)
        recs = [(stat, _percentile(stat), y + 1, dates[y], v, float(vals[y]), units.get(v, ""))
                for v in self.variables() for y in range(len(dates)) for stat, vals in self[v].items()]
        return _tidy(recs, ["statistic", "percentile", "year", "date", "variable", "value", "unit"])


def simulate(preset: Any = "baseline", paths: int = 1000, years: int = 10, seed: int = 0, *,
             overrides: Mapping[str, Any] | None = None, progress: Callable[[int, int], None] | None = None,
             keep_paths: bool = False) -> SimulationResult:
    """A Monte Carlo run calibrated on the store's latest day (:func:`hashpower.figures.simulate.run`).

    Parameters
    ----------
    preset : str or Scenario, default "baseline"
        A preset name (``hashpower.sim.PRESETS``) or a scenario.
    paths : int, default 1000
        Monte Carlo paths [-], in [1, 100,000].
    years : int, default 10
        Simulated years of 365 days [-], in [1, 30].
    seed : int, default 0
        Seed [-], in [0, 2^63): the same seed gives the same numbers.
    overrides : mapping, optional
        Scenario parameters to change (the names of the ``Scenario`` fields, as ``--set``).
    progress : callable, optional
        ``progress(done_paths, total_paths)``.
    keep_paths : bool, default False
        Keep every path's yearly values (``samples``, ``to_frame(paths=True)``): paths x years x 17 floats.

    Returns
    -------
    SimulationResult
        The dict of ``hashpower simulate --json`` (the same numbers for the same arguments).
    """
    if not isinstance(keep_paths, bool):
        raise ValueError(f"keep_paths must be True or False, got {keep_paths!r}")
    if not keep_paths:
        return SimulationResult(_simulate.run(preset, paths, years, seed, overrides=overrides, progress=progress))
    from hashpower.sim import calibrate, engine, results, runner

    paths, years, seed = _simulate.check_run_size(paths, years, seed)
    sc = runner.prepare(preset, overrides)
    model = calibrate.build(sc, _simulate.snapshot())
    out = engine.simulate(model, paths, years, seed, progress=progress)  # as sim.runner.run_model
    return SimulationResult(results.summarise(out, sc, model, paths, years, seed), samples=out)


class OutlookResult(dict):
    """An outlook (``hashpower outlook``): the JSON dict, with :meth:`to_frame`.

    ``samples`` holds the per-path values when kept (``keep_paths=True``): a dict of variable -> array of
    shape (paths, months), one value per path and month row.
    """

    def __init__(self, result: Mapping[str, Any], samples: dict[str, np.ndarray] | None = None) -> None:
        super().__init__(result)
        self.samples = samples

    def to_frame(self, paths: bool = False) -> pd.DataFrame:
        """The outlook as a tidy DataFrame.

        Parameters
        ----------
        paths : bool, default False
            False: one row per statistic, month and variable, columns ``statistic`` ("p5", "p25", "p50",
            "p75", "p95", "mean"), ``percentile`` [%] (NaN for the mean), ``month`` ("YYYY-MM"), ``date``
            (the month's last day), ``variable`` (``hashrate_ehs``, ``difficulty``,
            ``hashprice_usd_per_ph_day``, ``hashprice_btc_per_ph_day``), ``value``, ``unit``. True: one row
            per path, month and variable, columns ``path``, ``month``, ``date``, ``variable``, ``value``,
            ``unit`` (needs ``keep_paths=True``).
        """
        from hashpower.sim.outlook import SERIES

        units = _short_units(SERIES)
        rows = self["months"]
        if paths:
            if self.samples is None:
                raise ValueError("paths: this outlook kept no paths; run it with keep_paths=True")
            frames = []
            for v, x in self.samples.items():
                n, m = x.shape
                frames.append(pd.DataFrame({
                    "path": np.repeat(np.arange(n), m), "month": np.tile([r["month"] for r in rows], n),
                    "date": np.tile(pd.to_datetime([r["end_date"] for r in rows]).to_numpy(), n), "variable": v,
                    "value": x.ravel(), "unit": units[v]}))
            return pd.concat(frames, ignore_index=True)
        recs = [(stat, _percentile(stat), r["month"], r["end_date"], v, float(val), units[v])
                for v in SERIES for r in rows for stat, val in r[v].items()]
        return _tidy(recs, ["statistic", "percentile", "month", "date", "variable", "value", "unit"])


def _short_units(names) -> dict[str, str]:
    from hashpower.sim.results import UNITS

    return {v: UNITS[v] for v in names}


def _outlook_samples(months: int, paths: int, seed: int, preset: str, price_growth_per_year: float | None,
                     price_path: str | Path | None) -> dict[str, np.ndarray]:
    """The per-path month rows of the outlook of these (checked) arguments: the same engine run."""
    from hashpower.sim import calibrate, engine
    from hashpower.sim import outlook as O
    from hashpower.sim.scenario import get_preset

    snap = _simulate.snapshot()
    model = calibrate.build(get_preset(preset), snap)
    _, ends = O.month_ends(snap.date, int(months))
    kw: dict[str, Any] = {}
    if price_growth_per_year is not None:
        kw["price_path_usd"] = O.price_path_from_growth(snap.price_usd, float(price_growth_per_year), int(ends[-1]))
    elif price_path is not None:
        kw["price_path_usd"] = _outlook.read_price_path(price_path, snap.date, int(ends[-1]))
    out = engine.simulate(model, int(paths), 1, int(seed), ends=ends, **kw)
    k = engine.OUTPUTS.index
    return {name: out[:, :, k(col)].copy() for name, col in O.SERIES.items()}


def outlook(months: int = 24, paths: int = 2000, seed: int = 0, preset: str = "baseline",
            price_growth_per_year: float | None = None, price_path: str | Path | None = None, *,
            keep_paths: bool = False) -> OutlookResult:
    """The months ahead from the store's latest day (:func:`hashpower.figures.outlook.outlook`).

    Parameters
    ----------
    months : int, default 24
        Months ahead [-], in [1, 60].
    paths : int, default 2000
        Monte Carlo paths [-], in [1, 20,000].
    seed : int, default 0
        Seed [-]: the same seed gives the same numbers.
    preset : str, default "baseline"
        The scenario preset.
    price_growth_per_year : float, optional
        A given price growth per year [decimal] instead of the simulated price.
    price_path : str or Path, optional
        A CSV of ``date, price_usd`` for every day of the outlook instead of the simulated price.
    keep_paths : bool, default False
        Keep every path's month values (``samples``, ``to_frame(paths=True)``): the engine runs a second
        time with the same seed, which gives the same paths.

    Returns
    -------
    OutlookResult
        The dict of ``hashpower outlook --json``.
    """
    if not isinstance(keep_paths, bool):
        raise ValueError(f"keep_paths must be True or False, got {keep_paths!r}")
    res = _outlook.outlook(months, paths, seed, preset, price_growth_per_year, price_path)
    samples = _outlook_samples(months, paths, seed, preset, price_growth_per_year, price_path) if keep_paths \
        else None
    return OutlookResult(res, samples)


#: Statistics of a backtest case, in the order of :meth:`BacktestResult.to_frame`.
_CASE_STATS = ("p5", "p25", "p50", "p75", "p95", "mean", "actual", "persistence", "trend")


class BacktestResult(dict):
    """A backtest (``hashpower backtest``): the JSON dict, with :meth:`to_frame` and :meth:`metrics_frame`."""

    def to_frame(self) -> pd.DataFrame:
        """The cases as a tidy DataFrame: one row per origin, horizon, mode, variable and statistic.

        Columns ``origin`` (the forecast's day), ``horizon_months``, ``date`` (the day forecast: the origin
        plus the horizon in calendar months), ``mode`` ("conditional", "unconditional"), ``variable``
        (``hashrate_ehs``, ``difficulty``, ``hashprice_usd_per_ph_day``), ``statistic`` ("p5" .. "p95",
        "mean", "actual": what happened, "persistence" and "trend": the naive forecasts), ``percentile``
        [%] (NaN for the others), ``value``, ``unit``. The scores of each case (``err_log``, ``pit``,
        ``crps_log``, ...) stay in ``self["cases"]``.
        """
        units = _short_units(_B.SERIES)
        recs = []
        for c in self["cases"]:
            day = str(_B.add_months(np.datetime64(c["origin"], "D"), int(c["horizon_months"])))
            for stat in _CASE_STATS:
                recs.append((c["origin"], int(c["horizon_months"]), day, c["mode"], c["series"], stat,
                             _percentile(stat), float(c[stat]), units[c["series"]]))
        return _tidy(recs, ["origin", "horizon_months", "date", "mode", "variable", "statistic", "percentile",
                            "value", "unit"], ("origin", "date"))

    def metrics_frame(self) -> pd.DataFrame:
        """The scores as a tidy DataFrame: one row per mode, variable, horizon and metric.

        Columns ``mode``, ``variable``, ``horizon_months``, ``metric`` (``n``, ``coverage_90``,
        ``coverage_50``, ``crps``, ``crps_random_walk``, ``mae_log``, ``mae_log_persistence``,
        ``mae_log_trend``, ``bias_log``, ``actual_median``), ``value`` (NaN where the mode has none): each
        mode's own metrics (``self["modes"]``); the PIT histograms stay in the dict.
        """
        recs = []
        for mode, per in self["modes"].items():
            for v, by_h in per.items():
                for h, m in by_h.items():
                    for name, val in m.items():
                        if isinstance(val, list):
                            continue
                        recs.append((mode, v, int(h), name, float("nan") if val is None else float(val)))
        return pd.DataFrame.from_records(recs, columns=["mode", "variable", "horizon_months", "metric", "value"])


def backtest(origin: Any = None, start: Any = None, end: Any = None, every_months: int = _B.EVERY_MONTHS,
             horizons: Any = _B.DEFAULT_HORIZONS, paths: int = 1000, seed: int = 0, mode: str = "both",
             scheduler: str | None = None, preset: str = "baseline",
             progress: Callable[[int, int], None] | None = None) -> BacktestResult:
    """The simulator scored on rolling origins of the store's history (:func:`hashpower.figures.backtest.backtest`).

    Parameters
    ----------
    origin : str or date, optional
        One origin (``YYYY-MM-DD``) instead of ``start`` .. ``end``.
    start, end : str or date, optional
        First and last origin (default from 2016-01-01 to the last with the longest horizon of data after it).
    every_months : int, default 3
        Months between origins [-].
    horizons : int or sequence of int, default (3, 6, 12)
        Horizons [months], each in [1, 60].
    paths : int, default 1000
        Paths per origin [-] (the conditional mode uses at most 64).
    seed : int, default 0
        Seed [-].
    mode : {"conditional", "unconditional", "both"}, default "both"
        Which forecasts to score.
    scheduler : str, optional
        A Dask scheduler ``tcp://HOST:PORT`` to spread the origins over.
    preset : str, default "baseline"
        The scenario preset.
    progress : callable, optional
        ``progress(done, total)`` per origin and mode.

    Returns
    -------
    BacktestResult
        The dict of ``hashpower backtest --json``.
    """
    return BacktestResult(_backtest.backtest(origin, start, end, every_months, horizons, paths, seed, mode,
                                             scheduler, preset, progress))
