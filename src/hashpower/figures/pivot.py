"""Figures of ``hashpower pivot`` (and ``/v1/pivot``): mining or AI hosting on a site, and the value of waiting.

The models are :mod:`hashpower.models.pivot` and :mod:`hashpower.models.lsmc`; a site file is read by
:func:`hashpower.store.files.load_site`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.figures.network import network_figures
from hashpower.models import machines as mc
from hashpower.models import pivot as pv
from hashpower.models.pivot import Site
from hashpower.store.catalog import catalog, lease_table
from hashpower.store.files import load_site

#: Years of monthly hashprice that calibrate the GBM (one halving cycle).
CALIBRATION_YEARS = 4
MAX_PATHS = 200_000
PATH_KINDS = ("engine", "gbm", "flat", "history")
#: Largest number of engine paths of one pivot (each runs the simulator for the site's whole horizon) [-].
MAX_ENGINE_PATHS = 20_000
#: Engine paths per kernel call (only the hashprice of each month is kept between calls) [-].
ENGINE_CHUNK = 1_000

__all__ = ["CALIBRATION_YEARS", "MAX_PATHS", "PATH_KINDS", "Site", "calibrate_hashprice", "load_site", "pivot_figures"]


def calibrate_hashprice(years: int = CALIBRATION_YEARS) -> dict[str, float]:
    """Drift and volatility of the log monthly-mean hashprice over the last ``years`` years, and its last value."""
    import pandas as pd

    s = series.series()
    hp = pd.Series(s["hashprice_usd_per_th_day"], index=s["dates"]).dropna()
    monthly = hp.resample("ME").mean()
    r = np.log(monthly).diff().dropna().iloc[-12 * years:]
    return {"drift_per_year": float(r.mean() * 12), "vol_per_year": float(r.std(ddof=1) * math.sqrt(12)),
            "hashprice_30d_usd_per_th_day": float(hp.iloc[-30:].mean()), "months": int(r.size),
            "last_date": hp.index[-1].date().isoformat(), "monthly_log_changes": r.to_numpy()}


def engine_hashprice_paths(months: int, n_paths: int, seed: int) -> tuple[np.ndarray, float]:
    """Monthly mean hashprice [USD/(TH/s)/day] of the calibrated baseline engine, ``(n_paths, months)``.

    The same engine as ``hashpower simulate`` and ``hashpower outlook`` (baseline preset, calibrated on
    the store's latest day), with one output row every 30.4375 days; returns the paths and the
    engine's start hashprice.
    """
    from hashpower.figures.simulate import snapshot
    from hashpower.sim import calibrate, engine
    from hashpower.sim.scenario import PRESETS

    model = calibrate.build(PRESETS["baseline"], snapshot())
    ends = np.round(np.arange(1, months + 1) * 30.4375).astype(np.int64)
    col = engine.OUTPUTS.index("hashprice_usd_per_ph_day")
    out = np.empty((n_paths, months))
    for a in range(0, n_paths, ENGINE_CHUNK):
        n = min(ENGINE_CHUNK, n_paths - a)
        out[a:a + n] = engine.simulate(model, n, 1, seed, path0=a, ends=ends, chunk_paths=n)[:, :, col] / 1e3
    return out, model.info["start_hashprice_usd_per_ph_day"] / 1e3


def _paths(kind: str, site: pv.Site, hp0: float, cal: dict[str, Any], n_paths: int, seed: int) -> np.ndarray:
    n = site.months
    if kind == "engine":
        if n_paths > MAX_ENGINE_PATHS:
            raise ValueError(f"paths must be at most {MAX_ENGINE_PATHS:,} with the engine's paths, got {n_paths:,}")
        p, start = engine_hashprice_paths(n, n_paths, seed)
        return p * (hp0 / start)  # the engine's paths scaled to the pivot's start hashprice
    if kind == "flat":
        return np.full((2, n), hp0)
    if kind == "history":
        r = cal["monthly_log_changes"]
        reps = int(math.ceil(n / r.size))
        steps = np.tile(r, reps)[:n]
        return np.tile(hp0 * np.exp(np.cumsum(steps)), (2, 1))
    rng = np.random.default_rng(seed)
    return pv.hashprice_paths(hp0, cal["drift_per_year"], cal["vol_per_year"], n, n_paths, rng)


def pivot_figures(site: pv.Site | None = None, *, path_kind: str = "engine", n_paths: int = 2_000, seed: int = 0,
                  hashprice_usd_per_ph_day: float | None = None, share_converting: float = 0.10) -> dict[str, Any]:
    """Mining versus AI hosting on one site: NPVs, IRR, payback, the option to wait and a recommendation."""
    site = site or pv.Site()
    if path_kind not in PATH_KINDS:
        raise ValueError(f"path must be one of {', '.join(PATH_KINDS)}, got {path_kind!r}")
    if int(n_paths) != n_paths or not 2 <= n_paths <= MAX_PATHS:
        raise ValueError(f"paths must be a whole number in [2, {MAX_PATHS}], got {n_paths!r}")
    if isinstance(seed, bool) or int(seed) != seed or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a whole number in [0, 2^63), got {seed!r}")
    if not 0 <= share_converting <= 1:
        raise ValueError(f"share_converting must be in [0, 1], got {share_converting!r}")
    cal = calibrate_hashprice()
    if hashprice_usd_per_ph_day is not None:
        if not math.isfinite(hashprice_usd_per_ph_day) or hashprice_usd_per_ph_day <= 0:
            raise ValueError(f"hashprice must be > 0, got {hashprice_usd_per_ph_day!r}")
        hp0 = hashprice_usd_per_ph_day / 1e3
    else:
        hp0 = cal["hashprice_30d_usd_per_th_day"]
    paths = _paths(path_kind, site, hp0, cal, int(n_paths), int(seed))
    opt = pv.switch_option(site, paths, hp0)
    alternatives = []
    for label, k in (("keep mining", None), ("convert now", 0), ("convert in 6 months", 6),
                     ("convert in 12 months", 12), ("convert in 24 months", 24)):
        cf = pv.cash_flows(site, paths, k)
        invest = cf.mean(axis=0)[k or 0:] if k is not None else None  # the conversion's own flows
        alternatives.append({"strategy": label, "npv_usd": float(pv.npv(cf, site.discount_rate).mean()),
                             "irr": pv.irr(invest) if invest is not None else None,
                             "payback_months": pv.payback_months(invest) if invest is not None else None})
    mining_npv, ai_npv = alternatives[0]["npv_usd"], alternatives[1]["npv_usd"]
    boundary = opt["boundary_usd_per_ph_day"]
    first_boundary = next((float(b) for b in boundary if np.isfinite(b)), None)
    if opt["convert_now"]:
        rec = "convert now"
        reason = (f"converting now is worth ${ai_npv / 1e6:,.0f}M against ${mining_npv / 1e6:,.0f}M for mining on, "
                  "and waiting adds nothing: the lease beats the expected mining margin from today")
    elif opt["convert_share"] > 0 and opt["option_value_usd"] > 0:
        rec = "keep mining, convert later if hashprice falls"
        when = f" (first at about ${first_boundary:,.1f}/PH/day)" if first_boundary else ""
        reason = (f"mining with the option to switch is worth ${opt['flexible_npv_usd'] / 1e6:,.0f}M, "
                  f"${opt['option_value_usd'] / 1e6:,.0f}M more than the best of mining on "
                  f"(${mining_npv / 1e6:,.0f}M) or converting now (${ai_npv / 1e6:,.0f}M); "
                  f"{opt['convert_share']:.0%} of the hashprice paths convert{when}")
    elif ai_npv > mining_npv:
        rec = "convert now"
        reason = f"converting now (${ai_npv / 1e6:,.0f}M) beats mining on (${mining_npv / 1e6:,.0f}M)"
    else:
        rec = "keep mining"
        reason = (f"mining on (${mining_npv / 1e6:,.0f}M) beats converting (${ai_npv / 1e6:,.0f}M now) on "
                  "these hashprice paths, and no path is worth converting later")
    # what one MWh earns in each use
    cat = catalog()
    gens = {g: float(np.median(cat.efficiency_j_per_th[cat.generation == g])) for g in mc.GENERATIONS}
    leases = [r["usd_per_mw_year"] for r in lease_table()]
    energy = {
        "mining_usd_per_mwh": {g: float(pv.energy_value_usd_per_mwh(hp0, e)) for g, e in gens.items()},
        "mining_efficiency_j_per_th": gens,
        "power_cost_usd_per_mwh": site.power_price_usd_per_kwh * 1000,
        "ai_usd_per_mwh": {"low": float(pv.ai_value_usd_per_mwh(min(leases), site.it_to_grid_ratio)),
                           "median": float(pv.ai_value_usd_per_mwh(float(np.median(leases)), site.it_to_grid_ratio)),
                           "high": float(pv.ai_value_usd_per_mwh(max(leases), site.it_to_grid_ratio))},
    }
    net = network_figures()
    view = pv.network_diversion(net["hashrate_ehs_7d"], net["power_gw"]["best"], share_converting,
                                [site.efficiency_j_per_th], [1.0])
    return {
        "site": site.as_dict(),
        "hashprice_usd_per_ph_day": hp0 * 1e3,
        "hashprice_paths": {"kind": path_kind, "paths": int(paths.shape[0]), "seed": int(seed),
                            "drift_per_year": cal["drift_per_year"], "vol_per_year": cal["vol_per_year"],
                            "calibrated_on_months": cal["months"]},
        "horizon_months": site.months,
        "mining_npv_usd": mining_npv,
        "ai_npv_usd": ai_npv,
        "option_value_usd": opt["option_value_usd"],
        "flexible_npv_usd": opt["flexible_npv_usd"],
        "flexible_npv_se_usd": opt["flexible_npv_se_usd"],
        "convert_share": opt["convert_share"],
        "median_convert_month": opt["median_convert_month"],
        "exercise_boundary_usd_per_ph_day": [None if not np.isfinite(b) else float(b) for b in boundary],
        "recommendation": rec,
        "reason": reason,
        "alternatives": alternatives,
        "energy_competition": energy,
        "network_view": {"share_converting": share_converting, **view},
    }
