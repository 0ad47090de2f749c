"""Network power as the Cambridge Bitcoin Electricity Consumption Index computes it (``method="ccaf"``).

Our own CBECI-style bounds are :func:`hashpower.models.network.cbeci_power_bounds`; this module follows
CCAF's published code step by step, so the two can be set side by side (docs/network.md).

Pure numpy: arrays in, arrays out; a day is a number (days since 1970-01-01).

References
----------
.. [1] CambridgeAltFin/ccaf_cbeci_api (GitHub), ``api/components/energy_consumption/``:
   ``energy_consumption_calculator.py`` (PUE 1.01 / 1.10 / 1.20 on the minimum / mean / maximum
   efficiency of the profitable equipment); ``v1_3_1/energy_consumption_service.py`` and
   ``energy_consumption_service.py`` (``_get_equipment_list``: a miner counts when
   ``release < t < release + 5 years`` and ``threshold x 0.05 / price > efficiency``);
   ``v1_1_1/energy_consumption_service.py`` (``_get_prof_thresholds_dataframe``: the threshold as a
   14-day rolling mean, ``min_periods=1``; ``_smooth_data``: a day without profitable equipment
   repeats the previous day's figures, 0 before the first; ``_data_to_energy_dataframe``: the
   output as a 7-day rolling mean, ``min_periods=1``; ``default_price = 0.05``).
.. [2] dektox/mining_energy_consumption (GitHub, CBECI's first code), ``data_fetch_calc.py``: the
   profitability threshold = miners' revenue / (hashrate x 86,400 s) / (price / 3.6e6) / 1000 [J/GH],
   i.e. revenue per hash over the price of a joule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CCAF_LIFETIME_DAYS",
    "CCAF_OUTPUT_SMOOTHING_DAYS",
    "CCAF_POWER_PRICE_USD_PER_KWH",
    "CCAF_PUE",
    "CCAF_THRESHOLD_SMOOTHING_DAYS",
    "cbeci_ccaf_power_bounds",
    "rolling_nanmean",
]

#: PUE on the lower bound, best guess and upper bound: ``min_coefficient``, ``guess_coefficient``,
#: ``max_coefficient`` of CCAF's ``EnergyConsumptionCalculator`` [1]_.
CCAF_PUE = {"lower": 1.01, "best": 1.10, "upper": 1.20}
#: CCAF's electricity price [USD/kWh]: ``default_price = 0.05`` [1]_.
CCAF_POWER_PRICE_USD_PER_KWH = 0.05
#: A machine counts for five years after its release (``relativedelta(years=5)`` [1]_), here 5 x 365.25
#: days rounded down: within a day of the calendar rule.
CCAF_LIFETIME_DAYS = 1826
#: Rolling windows [days]: the threshold over 14 days, the output over 7 (``rolling(window=14)``,
#: ``rolling(window=7)``, both ``min_periods=1`` [1]_).
CCAF_THRESHOLD_SMOOTHING_DAYS = 14
CCAF_OUTPUT_SMOOTHING_DAYS = 7


def cbeci_inputs(hashrate_ths, hashprice_usd_per_th_day, day, release_day, efficiency_j_per_th,
                 power_price_usd_per_kwh):
    """The checked arrays of a CBECI computation (ours and CCAF's): ``(h, hp, t, r, e)``, or ``ValueError``."""
    h = np.asarray(hashrate_ths, dtype=float)
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    t = np.asarray(day, dtype=float)
    r = np.asarray(release_day, dtype=float)
    e = np.asarray(efficiency_j_per_th, dtype=float)
    if not (h.shape == hp.shape == t.shape) or h.ndim != 1:
        raise ValueError("hashrate_ths, hashprice_usd_per_th_day and day must be 1-D of the same length")
    if r.shape != e.shape or e.ndim != 1 or e.size == 0:
        raise ValueError("release_day and efficiency_j_per_th must be 1-D of the same, non-zero length")
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise ValueError("efficiency_j_per_th must be finite and > 0")
    if not np.isfinite(power_price_usd_per_kwh) or power_price_usd_per_kwh <= 0:
        raise ValueError(f"power_price_usd_per_kwh must be > 0, got {power_price_usd_per_kwh!r}")
    if np.any(h[np.isfinite(h)] < 0):
        raise ValueError("hashrate_ths must be >= 0")
    return h, hp, t, r, e


def rolling_nanmean(x: ArrayLike, window: int) -> np.ndarray:
    """Trailing mean over ``window`` entries skipping NaN, as pandas ``rolling(window, min_periods=1).mean()``.

    NaN where the window holds no finite value.
    """
    if int(window) != window or window < 1:
        raise ValueError(f"window must be a whole number >= 1, got {window!r}")
    a = np.asarray(x, dtype=float)
    ok = np.isfinite(a)
    s = np.concatenate([[0.0], np.cumsum(np.where(ok, a, 0.0))])
    c = np.concatenate([[0], np.cumsum(ok)])
    w = int(window)
    lo = np.maximum(np.arange(a.size) + 1 - w, 0)
    hi = np.arange(a.size) + 1
    n = c[hi] - c[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (s[hi] - s[lo]) / np.maximum(n, 1), np.nan)


def cbeci_ccaf_power_bounds(
    hashrate_ths: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    day: ArrayLike,
    release_day: ArrayLike,
    efficiency_j_per_th: ArrayLike,
    power_price_usd_per_kwh: float = CCAF_POWER_PRICE_USD_PER_KWH,
    lifetime_days: float = CCAF_LIFETIME_DAYS,
) -> dict[str, np.ndarray]:
    """Network power lower bound, best guess and upper bound [W], as CCAF's code computes them.

    Parameters
    ----------
    hashrate_ths : array_like, shape (days,)
        Network hashrate of each day [TH/s], >= 0.
    hashprice_usd_per_th_day : array_like, shape (days,)
        Hashprice of each day [USD/(TH/s)/day]; NaN where unknown (skipped by the 14-day mean; with
        no value in the window every machine in its five years counts).
    day : array_like, shape (days,)
        Each day as a number (days since 1970-01-01), consecutive.
    release_day : array_like, shape (models,)
        Release day of each hardware model, on the same scale.
    efficiency_j_per_th : array_like, shape (models,)
        Efficiency of each model [J/TH], > 0.
    power_price_usd_per_kwh : float, default 0.05
        Electricity price for the profitability threshold [USD/kWh], > 0 (CCAF's ``default_price``) [1]_.
    lifetime_days : float, default 1826
        Days a model counts after its release (CCAF: five years) [1]_.

    Returns
    -------
    dict of numpy.ndarray
        ``lower``, ``best``, ``upper`` [W] (7-day means), ``threshold_j_per_th`` (the 14-day mean
        threshold) and ``profitable_models`` (count) per day.

    Notes
    -----
    On each day the threshold is hashprice x 1000 / (24 x price) J/TH (revenue per hash over the price
    of a joule [2]_), averaged over the last 14 days. The equipment is every model released before
    the day and less than five years before it, with an efficiency below the threshold (strict
    inequalities, as CCAF's). Lower bound: the most efficient of that equipment x H x 1.01; best guess:
    their mean efficiency x H x 1.10; upper bound: the least efficient x H x 1.20. A day with no such
    equipment repeats the previous day's figures (0 before the first). The three series are then
    averaged over the last 7 days [1]_.
    """
    h, hp, t, r, e = cbeci_inputs(hashrate_ths, hashprice_usd_per_th_day, day, release_day, efficiency_j_per_th,
                                  power_price_usd_per_kwh)
    if not np.isfinite(lifetime_days) or lifetime_days <= 0:
        raise ValueError(f"lifetime_days must be > 0, got {lifetime_days!r}")
    daily = np.where(np.isfinite(hp), hp * 1000.0 / (24.0 * power_price_usd_per_kwh), np.nan)
    threshold = rolling_nanmean(daily, CCAF_THRESHOLD_SMOOTHING_DAYS)
    threshold = np.where(np.isfinite(threshold), threshold, np.inf)
    in_life = (r[None, :] < t[:, None]) & (t[:, None] < r[None, :] + lifetime_days)
    profitable = in_life & (e[None, :] < threshold[:, None])
    e_row = np.broadcast_to(e, profitable.shape)
    count = profitable.sum(axis=1)
    has = count > 0
    eff = {
        "lower": np.where(profitable, e_row, np.inf).min(axis=1),
        "best": np.where(profitable, e_row, 0.0).sum(axis=1) / np.maximum(count, 1),
        "upper": np.where(profitable, e_row, -np.inf).max(axis=1),
    }
    out: dict[str, np.ndarray] = {}
    # a day without profitable equipment repeats the last day with some (0 before the first)
    last = np.maximum.accumulate(np.where(has, np.arange(h.size), -1))
    for k, v in eff.items():
        w = np.where(has, v * h * CCAF_PUE[k], np.nan)
        w = np.where(last >= 0, w[np.maximum(last, 0)], 0.0)
        out[k] = rolling_nanmean(w, CCAF_OUTPUT_SMOOTHING_DAYS)
    out["threshold_j_per_th"] = threshold
    out["profitable_models"] = count
    return out
