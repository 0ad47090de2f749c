"""Figures of ``hashpower simulate`` (and ``/v1/simulate``): the scenario engine calibrated on the store.

The engine (:mod:`hashpower.sim`) knows neither the store nor the screen: this module reads the
calibration data from the store (:func:`snapshot`) and hands it to :func:`hashpower.sim.runner.run`
(and, for ``hashpower sweep``, :mod:`hashpower.figures.sweep`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from hashpower import store
from hashpower.figures import series
from hashpower.models.pivot import REFERENCE_LEASE_USD_PER_MW_YEAR
from hashpower.sim.calibrate import Snapshot
from hashpower.sim.history import History, snapshot_at
from hashpower.sim.scenario import MAX_PATHS, MAX_YEARS, PRESETS, Scenario, check_run_size, get_preset
from hashpower.store.catalog import asic_prices, catalog, lease_table

__all__ = ["MAX_PATHS", "MAX_YEARS", "PRESETS", "Scenario", "check_run_size", "get_preset", "history", "parse_sets",
           "run", "snapshot", "write_outputs"]


_HISTORY_FIELDS = ("dates", "price_usd", "difficulty", "blocks", "height_end", "subsidy_btc", "fees_btc",
                   "machine_release", "machine_efficiency_j_per_th", "lease_announced", "lease_usd_per_mw_year",
                   "pool_dates", "pool_labels", "pool_shares", "asic_price_latest_usd_per_th")


def _history_file() -> Path | None:
    """The disk copy of the History for this store file and this code (``$HASHPOWER_HOME/cache/``)."""
    import hashlib

    from hashpower.figures.cache import _code_fingerprint
    from hashpower.store.paths import home, version

    v = version()
    if v is None:
        return None
    k = hashlib.sha256(f"{v}|{_code_fingerprint()}".encode()).hexdigest()[:24]
    return home() / "cache" / f"history-{k}.npz"


def _load_history(path: Path) -> History | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {f: z[f] for f in _HISTORY_FIELDS}
    except (OSError, KeyError, ValueError):
        return None
    d["pool_labels"] = tuple(str(x) for x in d["pool_labels"])
    d["asic_price_latest_usd_per_th"] = float(d["asic_price_latest_usd_per_th"])
    return History(**d)


def _save_history(h: History, path: Path) -> None:
    """Write the copy beside, then rename (a reader never sees half a file); a failure only costs speed."""
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, **{f: (np.array(getattr(h, f)) if f != "pool_labels" else np.array(h.pool_labels, dtype=str))
                        for f in _HISTORY_FIELDS})
        os.replace(tmp, path)
        for old in path.parent.glob("history-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


@lru_cache(maxsize=2)
def _history(key: str, mtime: float) -> History:  # noqa: ARG001 - the key invalidates the cache
    f = _history_file()
    if f is not None and f.exists():
        got = _load_history(f)
        if got is not None:
            return got
    built = _build_history()
    if f is not None:
        _save_history(built, f)
    return built


def _build_history() -> History:
    h = series.history()
    conc = series.concentration_series(30)
    cat = catalog()
    leases = lease_table()
    # a lease announced in a month is known from the month's last day
    ann = np.array([np.datetime64(r["announced"][:7], "M") + 1 for r in leases], dtype="datetime64[D]") - 1
    return History(
        dates=h.index.to_numpy().astype("datetime64[D]"), price_usd=h["price_usd"].to_numpy(float),
        difficulty=h["difficulty"].to_numpy(float), blocks=h["blocks"].to_numpy(float),
        height_end=h["height_end"].to_numpy(np.int64), subsidy_btc=h["subsidy_btc"].to_numpy(float),
        fees_btc=h["fees_btc"].to_numpy(float), machine_release=cat.release_date.astype("datetime64[D]"),
        machine_efficiency_j_per_th=np.asarray(cat.efficiency_j_per_th, dtype=float), lease_announced=ann,
        lease_usd_per_mw_year=np.array([float(r["usd_per_mw_year"]) for r in leases]),
        pool_dates=np.asarray(conc["dates"]).astype("datetime64[D]"),
        pool_labels=tuple(str(x) for x in conc["labels"]), pool_shares=np.asarray(conc["shares"], dtype=float),
        asic_price_latest_usd_per_th=float(asic_prices()["latest"]["usd_per_th"]),
    )


def history() -> History:
    """The calibration's view of the store (:class:`hashpower.sim.history.History`), cached until it changes."""
    p = store.ensure()
    return _history(str(p), p.stat().st_mtime)


@lru_cache(maxsize=4)
def _snapshot(key: str, mtime: float) -> Snapshot:  # noqa: ARG001 - the key invalidates the cache
    h = history()
    return snapshot_at(h, h.dates[-1], reference_lease_usd_per_mw_year=REFERENCE_LEASE_USD_PER_MW_YEAR)


def snapshot() -> Snapshot:
    """The calibration data from the store's latest day, cached until the store file changes."""
    p = store.ensure()
    return _snapshot(str(p), p.stat().st_mtime)


def run(preset: str | Scenario = "baseline", paths: int = 1000, years: int = 10, seed: int = 0, *,
        overrides: Mapping[str, Any] | None = None,
        progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """A Monte Carlo run calibrated on the store's latest day (:func:`hashpower.sim.runner.run`)."""
    from hashpower.sim.runner import run as _run

    check_run_size(paths, years, seed)
    return _run(preset, paths, years, seed, snapshot=snapshot(), overrides=overrides, progress=progress)


def write_outputs(results: Any, out: Path, stem: str) -> dict[str, Any]:
    """The CSV and fan charts of one run or of a sweep's points (:func:`hashpower.sim.results.write_outputs`)."""
    from hashpower.sim.results import write_outputs as _write

    return _write(results, out, stem=stem)


def parse_sets(sets: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as scenario overrides (numbers where they parse)."""
    out: dict[str, Any] = {}
    for s in sets:
        name, sep, value = s.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set takes NAME=VALUE, got {s!r}")
        v: Any = value.strip()
        try:
            v = float(v)
        except ValueError:
            pass
        out[name.strip()] = v
    return out
