"""The simulator held against history: rolling origins, two modes, scores beside naive forecasts.

At each origin the model is calibrated on what was known at the end of that day
(:func:`hashpower.sim.history.snapshot_at`) and run forward; its 30-day mean
hashrate, difficulty and 30-day mean hashprice at each horizon are compared with
what happened.

- **conditional**: the real daily price and fees per block after the origin are given
  to the kernel, so only the miners' side is forecast; scored by the median absolute
  log error beside *persistence* (the origin's value) and *trend* (the trailing
  365-day log-linear trend, extended).
- **unconditional**: everything simulated; scored by the coverage of the p5-p95 and
  p25-p75 bands, the probability integral transform (PIT) and the continuous ranked
  probability score (CRPS) of the log value beside a Gaussian random walk with drift
  fitted on the trailing 365 days (12 steps of 30 days).

References
----------
.. [1] Gneiting, T., Raftery, A. E. (2007), "Strictly Proper Scoring Rules, Prediction,
   and Estimation", JASA 102(477): the CRPS, its sample form ``E|X - y| - E|X - X'| / 2``
   and its closed form for a normal forecast.
.. [2] Dawid, A. P. (1984), "Statistical Theory: The Prequential Approach", JRSS A 147(2):
   the PIT of calibrated forecasts is uniform.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from hashpower.sim import calibrate, engine
from hashpower.sim.history import History, snapshot_at
from hashpower.sim.scenario import Scenario

__all__ = ["DEFAULT_FROM", "DEFAULT_HORIZONS", "EVERY_MONTHS", "MAX_ORIGINS", "MAX_PATHS", "MODES", "SERIES",
           "add_months", "check_scheduler", "default_origins", "forecast_origin", "metrics", "probe_scheduler", "run",
           "scheduler_map", "score_origin"]

#: The scored series and their units.
SERIES = ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day")
MODES = ("conditional", "unconditional")
DEFAULT_FROM = "2016-01-01"
EVERY_MONTHS = 3
DEFAULT_HORIZONS = (3, 6, 12)
#: Bounds of one backtest: origins, paths per origin, horizon [months].
MAX_ORIGINS = 400
MAX_PATHS = 20_000
MAX_HORIZON_MONTHS = 60
#: Paths of the conditional mode: given price and fees leave only the blocks' Poisson noise.
CONDITIONAL_PATHS = 64
#: Window of the naive forecasts [days].
NAIVE_WINDOW_DAYS = 365
PIT_BINS = 10


def add_months(day, months: int) -> np.datetime64:
    """``day`` + ``months`` calendar months (the day of the month clamped to the month's length)."""
    d = np.datetime64(day, "D")
    m = d.astype("datetime64[M]")
    dom = int((d - m.astype("datetime64[D]")).astype(int))
    t = m + int(months)
    last = int(((t + 1).astype("datetime64[D]") - t.astype("datetime64[D]")).astype(int)) - 1
    return t.astype("datetime64[D]") + min(dom, last)


def default_origins(history: History, start=DEFAULT_FROM, end=None, every_months: int = EVERY_MONTHS,
                    max_horizon_months: int = max(DEFAULT_HORIZONS)) -> list[np.datetime64]:
    """Origins every ``every_months`` from ``start`` to the last with ``max_horizon_months`` of data after it."""
    last = history.dates[-1]
    out = []
    k = 0
    while True:
        o = add_months(start, k * every_months)
        if add_months(o, max_horizon_months) > last or (end is not None and o > np.datetime64(end, "D")):
            break
        out.append(o)
        k += 1
    return out


# --------------------------------------------------------------------------- actuals and naive forecasts


class Actuals:
    """The realised series of the whole history (trailing windows, so a day's value uses no later day)."""

    def __init__(self, history: History) -> None:
        from hashpower.sim.history import _trailing_mean

        self.history = history
        h30 = history.hashrate_ths(30)
        hp = history.hashprice_usd_per_th_day()
        self.series = {
            "hashrate_ehs": h30 / 1e6,
            "difficulty": np.asarray(history.difficulty, dtype=float),
            "hashprice_usd_per_ph_day": _trailing_mean(hp, 30) * 1e3,
        }
        fpb = history.fees_btc_per_block()
        ok = np.isfinite(fpb) & (fpb >= 0)
        idx = np.where(ok, np.arange(fpb.size), 0)
        np.maximum.accumulate(idx, out=idx)
        self.fees_btc_per_block = np.where(ok, fpb, fpb[idx])  # a day without blocks keeps the last day's fees
        self.price_usd = np.asarray(history.price_usd, dtype=float)

    def at(self, name: str, i: int) -> float:
        return float(self.series[name][i])

    def naive(self, name: str, i: int, n_days: int) -> dict[str, float]:
        """Persistence, trend and the random walk (mean, sd of the log) for ``n_days`` after day ``i``."""
        x = np.log(self.series[name][i - NAIVE_WINDOW_DAYS + 1:i + 1])
        t = np.arange(x.size, dtype=float)
        ok = np.isfinite(x)
        slope, icpt = np.polyfit(t[ok], x[ok], 1)
        steps = np.diff(x[::-1][::30][::-1])  # 30-day log changes ending on day i
        steps = steps[np.isfinite(steps)]
        mu = float(steps.mean()) / 30.0
        sd = float(steps.std(ddof=1)) / math.sqrt(30.0) if steps.size > 1 else 0.0
        return {"persistence": float(x[-1]), "trend": float(icpt + slope * (x.size - 1 + n_days)),
                "rw_mean": float(x[-1] + mu * n_days), "rw_sd": sd * math.sqrt(n_days)}


# --------------------------------------------------------------------------- one origin


def _ends(n_days: list[int]) -> tuple[np.ndarray, list[int]]:
    ends = sorted({d for n in n_days for d in (n - 30, n) if d >= 1})
    return np.array(ends, dtype=np.int64), [ends.index(n) for n in n_days]


def forecast_origin(history: History, origin, horizons: Iterable[int], paths: int, seed: int, mode: str,
                    scenario: Scenario, *, reference_lease_usd_per_mw_year: float,
                    price_path_usd: np.ndarray | None = None,
                    fee_path_btc_per_block: np.ndarray | None = None) -> dict[str, Any]:
    """Samples of each series at each horizon after ``origin``, calibrated on what was known then.

    ``price_path_usd`` / ``fee_path_btc_per_block`` (daily, from the day after the origin)
    are given to the kernel in the conditional mode (``history``'s own when ``None``).
    Returns ``{"days": [...], "samples": {series: (horizons, paths)}, "calibration": info}``.
    """
    snap = snapshot_at(history, origin, reference_lease_usd_per_mw_year=reference_lease_usd_per_mw_year)
    model = calibrate.build(scenario, snap)
    o = np.datetime64(origin, "D")
    hs = [int(h) for h in horizons]
    n_days = [int((add_months(o, h) - o).astype(int)) for h in hs]
    ends, rows = _ends(n_days)
    kw: dict[str, Any] = {}
    if mode == "conditional":
        i = history.index_of(o)
        n = int(ends[-1])
        if price_path_usd is None:
            if i + n >= history.dates.size:
                raise ValueError(f"origin {o} has fewer than {n} days of history after it")
            act = Actuals(history)
            price_path_usd = act.price_usd[i + 1:i + 1 + n]
            fee_path_btc_per_block = act.fees_btc_per_block[i + 1:i + 1 + n]
        kw = {"price_path_usd": price_path_usd, "fee_path_btc_per_block": fee_path_btc_per_block}
    out = engine.simulate(model, paths, 1, seed, ends=ends, chunk_paths=paths, **kw)
    k = engine.OUTPUTS.index
    samples = {
        "hashrate_ehs": out[:, rows, k("hashrate_mean_ehs")].T,
        "difficulty": out[:, rows, k("difficulty")].T,
        "hashprice_usd_per_ph_day": out[:, rows, k("hashprice_usd_per_ph_day")].T,
    }
    return {"days": n_days, "samples": samples, "calibration": model.info}


def _crps_samples(x: np.ndarray, y: float) -> float:
    """Sample CRPS ``E|X - y| - E|X - X'| / 2`` [1]_ with the sorted-sample identity for the second term."""
    s = np.sort(x)
    n = s.size
    i = np.arange(1, n + 1)
    return float(np.abs(s - y).mean() - ((2 * i - n - 1) * s).sum() / (n * n))


def _crps_normal(mu: float, sd: float, y: float) -> float:
    """CRPS of N(mu, sd^2) at ``y`` [1]_ (the absolute error when ``sd`` is 0)."""
    if sd <= 0:
        return abs(y - mu)
    z = (y - mu) / sd
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2)))
    return sd * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi))


def score_origin(history: History, actuals: Actuals, origin, horizons: Iterable[int], paths: int, seed: int,
                 mode: str, scenario: Scenario, *, reference_lease_usd_per_mw_year: float) -> list[dict[str, Any]]:
    """The cases of one origin: per horizon and series, the actual, the bands and what the scores need."""
    hs = [int(h) for h in horizons]
    n_paths = min(paths, CONDITIONAL_PATHS) if mode == "conditional" else paths
    i = history.index_of(origin)
    kw: dict[str, Any] = {}
    if mode == "conditional":
        n = max(int((add_months(np.datetime64(origin, "D"), h) - np.datetime64(origin, "D")).astype(int)) for h in hs)
        if i + n >= history.dates.size:
            raise ValueError(f"origin {np.datetime64(origin, 'D')} has fewer than {n} days of history after it")
        kw = {"price_path_usd": actuals.price_usd[i + 1:i + 1 + n],
              "fee_path_btc_per_block": actuals.fees_btc_per_block[i + 1:i + 1 + n]}
    f = forecast_origin(history, origin, hs, n_paths, seed, mode, scenario,
                        reference_lease_usd_per_mw_year=reference_lease_usd_per_mw_year, **kw)
    cases = []
    for r, (h, n) in enumerate(zip(hs, f["days"], strict=True)):
        for name in SERIES:
            x = f["samples"][name][r]
            y = actuals.at(name, i + n)
            nv = actuals.naive(name, i, n)
            q = np.percentile(x, (5, 25, 50, 75, 95))
            lx = np.log(np.maximum(x, 1e-300))
            ly = math.log(y)
            case = {"origin": str(np.datetime64(origin, "D")), "horizon_months": h, "series": name,
                    "mode": mode, "actual": y, "p5": float(q[0]), "p25": float(q[1]), "p50": float(q[2]),
                    "p75": float(q[3]), "p95": float(q[4]), "mean": float(x.mean()),
                    "persistence": math.exp(nv["persistence"]), "trend": math.exp(nv["trend"]),
                    "err_log": abs(math.log(q[2]) - ly), "err_log_persistence": abs(nv["persistence"] - ly),
                    "err_log_trend": abs(nv["trend"] - ly),
                    "pit": float((x < y).mean() + 0.5 * (x == y).mean()),
                    "crps_log": _crps_samples(lx, ly),
                    "crps_log_random_walk": _crps_normal(nv["rw_mean"], nv["rw_sd"], ly)}
            cases.append(case)
    return cases


# --------------------------------------------------------------------------- a Dask cluster


def _score_task(history: History, origin, horizons, paths: int, seed: int, mode: str, scenario: Scenario,
                lease: float) -> list[dict[str, Any]]:
    return score_origin(history, Actuals(history), origin, horizons, paths, seed, mode, scenario,
                        reference_lease_usd_per_mw_year=lease)


_SCHEDULER = re.compile(r"^(tcp|tls)://[A-Za-z0-9._\-]+:[0-9]{1,5}$|^(tcp|tls)://\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}$")
#: A scheduler in this process (``LocalCluster(processes=False)``): ``inproc://HOST/PID/N``.
_INPROC = re.compile(r"^inproc://[A-Za-z0-9._\-]+/[0-9]+/[0-9]+$")


def check_scheduler(scheduler: str) -> str:
    """``scheduler`` if it reads ``tcp://HOST:PORT`` (or ``tls://``), else ``ValueError`` naming it."""
    if isinstance(scheduler, str) and _INPROC.match(scheduler):
        return scheduler
    if not isinstance(scheduler, str) or not _SCHEDULER.match(scheduler) or \
            not 0 < int(scheduler.rsplit(":", 1)[1]) < 65536:
        raise ValueError(f"scheduler must be tcp://HOST:PORT (a running Dask scheduler), got {scheduler!r}")
    return scheduler


def probe_scheduler(scheduler: str, timeout_s: float) -> None:
    """``ValueError`` unless a TCP connection to the scheduler's port opens within ``timeout_s``.

    Tried before a Dask ``Client`` is built: a client that fails half-way through its start
    leaves a loop behind whose clean-up, run later by the garbage collector, can block the next
    client's start; an unreachable address never gets that far.
    """
    import socket

    if scheduler.startswith("inproc://"):
        return
    hostport = scheduler.split("://", 1)[1]
    host, _, port = hostport.rpartition(":")
    wait = min(timeout_s, 3600.0) if math.isfinite(timeout_s) and timeout_s > 0 else 10.0
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=wait):
            pass
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot reach the scheduler at {scheduler} within {timeout_s:g} s "
                         f"({type(exc).__name__})") from None


def scheduler_map(scheduler: str, history: History, horizons, paths: int, seed: int, scenario: Scenario, *,
                  reference_lease_usd_per_mw_year: float, timeout_s: float = 10.0) -> Callable:
    """A ``map_origins`` for :func:`run` that scores the (origin, mode) tasks on the Dask scheduler ``scheduler``.

    The history is scattered to every worker once; each task returns its cases, gathered in
    the tasks' order, so the result equals the in-process run's.
    """
    check_scheduler(scheduler)

    def run_on_cluster(_one, tasks, progress):
        from distributed import Client

        probe_scheduler(scheduler, timeout_s)
        try:
            client = Client(scheduler, timeout=timeout_s, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - dask raises OSError, TimeoutError or ValueError by address
            raise ValueError(f"cannot reach the scheduler at {scheduler} within {timeout_s:g} s "
                             f"({type(exc).__name__})") from None
        try:
            h_f = client.scatter(history, broadcast=True)
            futs = [client.submit(_score_task, h_f, o, list(horizons), paths, seed, m, scenario,
                                  reference_lease_usd_per_mw_year, pure=False) for o, m in tasks]
            out: list[Any] = []
            for done, f in enumerate(futs, 1):  # in the tasks' order (the cluster runs them all meanwhile)
                out.append(f.result())
                if progress is not None:
                    progress(done, len(futs))
            return out
        finally:
            client.close()
    return run_on_cluster


# --------------------------------------------------------------------------- scores


def metrics(cases: list[dict[str, Any]], mode: str, horizons: Iterable[int]) -> dict[str, Any]:
    """Per series and horizon: coverage, CRPS (log) beside the random walk's, median abs log errors, PIT histogram."""
    out: dict[str, Any] = {}
    for name in SERIES:
        out[name] = {}
        for h in horizons:
            cs = [c for c in cases if c["series"] == name and c["horizon_months"] == int(h) and c["mode"] == mode]
            m: dict[str, Any] = {"n": len(cs)}
            if cs:
                a = np.array([c["actual"] for c in cs])
                band = mode == "unconditional"
                m["coverage_90"] = float(np.mean([(c["p5"] <= c["actual"] <= c["p95"]) for c in cs])) if band else None
                m["coverage_50"] = float(np.mean([(c["p25"] <= c["actual"] <= c["p75"]) for c in cs])) if band \
                    else None
                m["crps"] = float(np.mean([c["crps_log"] for c in cs])) if band else None
                m["crps_random_walk"] = float(np.mean([c["crps_log_random_walk"] for c in cs]))
                m["mae_log"] = float(np.median([c["err_log"] for c in cs]))
                m["mae_log_persistence"] = float(np.median([c["err_log_persistence"] for c in cs]))
                m["mae_log_trend"] = float(np.median([c["err_log_trend"] for c in cs]))
                m["bias_log"] = float(np.median([math.log(c["p50"] / c["actual"]) for c in cs]))
                if band:
                    hist, _ = np.histogram([c["pit"] for c in cs], bins=PIT_BINS, range=(0.0, 1.0))
                    m["pit_histogram"] = hist.tolist()
                m["actual_median"] = float(np.median(a))
            else:
                m.update(dict.fromkeys(("coverage_90", "coverage_50", "crps", "crps_random_walk", "mae_log",
                                        "mae_log_persistence", "mae_log_trend", "bias_log")))
            out[name][str(int(h))] = m
    return out


def run(history: History, origins: list, horizons: Iterable[int], paths: int, seed: int, modes: Iterable[str],
        scenario: Scenario, *, reference_lease_usd_per_mw_year: float,
        progress: Callable[[int, int], None] | None = None,
        map_origins: Callable | None = None) -> dict[str, Any]:
    """Score every origin in every mode; ``map_origins(fn, tasks)`` may spread them (default: in turn).

    Returns the JSON-ready result (see ``hashpower backtest --json``): ``mode``, ``origins``,
    ``horizons_months``, ``metrics`` (the merged view: coverage and CRPS from the unconditional
    mode, errors from the conditional when both ran), ``modes`` (each mode's own metrics),
    ``cases``, ``calibration`` notes.
    """
    hs = [int(h) for h in horizons]
    ms = list(modes)
    actuals = Actuals(history)
    tasks = [(o, m) for m in ms for o in origins]

    def one(task):
        o, m = task
        return score_origin(history, actuals, o, hs, paths, seed, m, scenario,
                            reference_lease_usd_per_mw_year=reference_lease_usd_per_mw_year)

    results: list[list[dict[str, Any]]] = []
    if map_origins is None:
        for k, t in enumerate(tasks):
            results.append(one(t))
            if progress is not None:
                progress(k + 1, len(tasks))
    else:
        results = map_origins(one, tasks, progress)
    cases = [c for r in results for c in r]
    per_mode = {m: metrics(cases, m, hs) for m in ms}
    if len(ms) == 1:
        merged = per_mode[ms[0]]
    else:
        merged = {}
        for name in SERIES:
            merged[name] = {}
            for h in map(str, hs):
                u, c = per_mode["unconditional"][name][h], per_mode["conditional"][name][h]
                merged[name][h] = {**u, **{k: c[k] for k in ("mae_log", "mae_log_persistence", "mae_log_trend",
                                                             "bias_log")}, "n": c["n"]}
    return {"mode": ms[0] if len(ms) == 1 else "both", "origins": [str(np.datetime64(o, "D")) for o in origins],
            "horizons_months": hs, "paths": paths, "seed": seed, "metrics": merged, "modes": per_mode,
            "cases": cases}
