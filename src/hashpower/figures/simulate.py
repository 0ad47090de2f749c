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
from hashpower.sim.calibrate import FEE_START_DAYS, TIERS, Snapshot
from hashpower.sim.engine import RETARGET_BLOCKS
from hashpower.sim.scenario import MAX_PATHS, MAX_YEARS, PRESETS, Scenario, check_run_size, get_preset
from hashpower.store.catalog import asic_prices, catalog, lease_table

__all__ = ["MAX_PATHS", "MAX_YEARS", "PRESETS", "Scenario", "check_run_size", "get_preset", "parse_sets", "run",
           "snapshot", "write_outputs"]


def _leases_median() -> float:
    return float(np.median([r["usd_per_mw_year"] for r in lease_table()]))


@lru_cache(maxsize=4)
def _snapshot(key: str, mtime: float) -> Snapshot:  # noqa: ARG001 - the key invalidates the cache
    s = series.series()
    h = s["history"]
    last = h.iloc[-1]
    height_end = int(last["height_end"])
    nxt = height_end + 1
    done = nxt % RETARGET_BLOCKS
    ends = h["height_end"].to_numpy()
    blocks = h["blocks"].to_numpy(float)
    if done == 0:
        epoch_days = 0.0
    else:
        start = nxt - done
        k = int(np.searchsorted(ends, start))  # the day holding the epoch's first block
        epoch_days = (ends.size - 1 - k) + (ends[k] - start + 1) / max(blocks[k], 1.0)
    price = h["price_usd"].to_numpy(float)
    price = price[np.isfinite(price) & (price > 0)]
    fpb = (h["fees_btc"] / h["blocks"]).to_numpy(float)
    fpb = fpb[np.isfinite(fpb) & (fpb > 0)]
    hp_ths = s["hashrate_7d"][0][-1] / 1e12
    best = s["power_w"]["best"][-1]
    conc = series.concentration_series(30)
    shares = np.asarray(conc["shares"][-1], dtype=float)
    keep = shares > 0
    labels = tuple(str(x) for x, k in zip(conc["labels"], keep, strict=True) if k) + ("unattributed",)
    shares = np.append(shares[keep], max(0.0, 1.0 - shares[keep].sum()))
    cat = catalog()
    tier_e = np.array([float(np.median(cat.efficiency_j_per_th[cat.generation == t])) for t in TIERS])
    year = cat.release_date.astype("datetime64[Y]")
    new_e = float(np.median(cat.efficiency_j_per_th[year == year.max()]))
    return Snapshot(
        date=h.index[-1].date().isoformat(), price_usd=float(last["price_usd"]), difficulty=float(last["difficulty"]),
        height_end=height_end, epoch_days=float(epoch_days), hashrate_ths=float(hp_ths),
        fees_btc_per_block=float(np.mean(fpb[-FEE_START_DAYS:])), log_returns=np.diff(np.log(price)),
        log_fees_per_block=np.log(fpb), cbeci_efficiency_j_per_th=float(best / (h["hashrate_ths"].iloc[-1] * 1.10)),
        pool_labels=labels, pool_shares=shares, pool_date=str(conc["dates"][-1]),
        ai_lease_median_usd_per_mw_year=_leases_median(),
        asic_price_latest_usd_per_th=float(asic_prices()["latest"]["usd_per_th"]),
        tier_efficiency_j_per_th=tier_e, new_efficiency_j_per_th=new_e,
    )


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
