"""The outlook: month by month from the latest day, the bands of hashrate, difficulty and hashprice.

One calibrated engine run (:mod:`hashpower.sim.engine`) with one output row per
calendar month: the month's mean running hashrate, the difficulty in force at
its end, and its mean hashprice in USD and in BTC per PH/s per day (fees
included). The mean hashprice per month is the model's forward hashprice
curve: a model forecast, not a market quote. The price is simulated (the
scenario's model), or follows a user's view: a constant growth per year, or a
given daily path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hashpower.sim import calibrate, engine
from hashpower.sim.scenario import Scenario

__all__ = ["MAX_MONTHS", "NEXT_EPOCHS", "PRICE_GROWTH_MAX", "PRICE_GROWTH_MIN", "QUANTILES", "SERIES", "month_ends",
           "outlook", "price_path_from_growth"]

MAX_MONTHS = 60
#: Bounds of a user's price growth per year [decimal]: -99 % to +1,000 %.
PRICE_GROWTH_MIN, PRICE_GROWTH_MAX = -0.99, 10.0
#: Percentiles of each band [%].
QUANTILES = (5, 25, 50, 75, 95)
#: Output series -> kernel output.
SERIES = {"hashrate_ehs": "hashrate_mean_ehs", "difficulty": "difficulty",
          "hashprice_usd_per_ph_day": "hashprice_usd_per_ph_day",
          "hashprice_btc_per_ph_day": "hashprice_btc_per_ph_day"}
#: Epochs whose expected start dates are given.
NEXT_EPOCHS = 6


def month_ends(start, months: int) -> tuple[list[str], np.ndarray]:
    """Labels ``YYYY-MM`` and the day offsets (from ``start``) of the last day of each of ``months`` months.

    The first month is the start's own when the start is not its last day (that row then
    covers the days left in it), else the next one.
    """
    if isinstance(months, bool) or int(months) != months or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be a whole number in [1, {MAX_MONTHS}], got {months!r}")
    s = np.datetime64(start, "D")
    m0 = s.astype("datetime64[M]")
    if (m0 + 1).astype("datetime64[D]") - 1 == s:
        m0 = m0 + 1
    labels, ends = [], []
    for k in range(int(months)):
        m = m0 + k
        last = (m + 1).astype("datetime64[D]") - 1
        labels.append(str(m))
        ends.append(int((last - s).astype(int)))
    return labels, np.array(ends, dtype=np.int64)


def price_path_from_growth(price0_usd: float, growth_per_year: float, days: int) -> np.ndarray:
    """Daily prices growing by ``growth_per_year`` (decimal, compounded daily) from ``price0_usd``."""
    if not math.isfinite(growth_per_year) or not PRICE_GROWTH_MIN <= growth_per_year <= PRICE_GROWTH_MAX:
        raise ValueError(f"price growth per year must be a decimal in [{PRICE_GROWTH_MIN:g}, {PRICE_GROWTH_MAX:g}], "
                         f"got {growth_per_year!r}")
    t = np.arange(1, days + 1, dtype=float)
    return price0_usd * np.exp(math.log1p(growth_per_year) * t / 365.0)


def _epochs(model: calibrate.Model, labels: list[str], ends: np.ndarray, blocks_p50: np.ndarray,
            start) -> list[dict[str, Any]]:
    """Expected start dates of the next epochs on the median blocks per day of each month."""
    height0 = int(model.ipar[engine.I_HEIGHT0])
    done = int(model.ipar[engine.I_EPOCH_BLOCKS0])
    s = np.datetime64(start, "D")
    out = []
    prev_end = 0
    mined = 0.0
    target = engine.RETARGET_BLOCKS - done
    for end, bpd in zip(ends, blocks_p50, strict=True):
        days = int(end) - prev_end
        while len(out) < NEXT_EPOCHS and bpd > 0 and mined + bpd * days >= target:
            day = prev_end + (target - mined) / bpd
            out.append({"height": height0 + target, "expected_date": str(s + int(math.ceil(day)))})
            target += engine.RETARGET_BLOCKS
        mined += bpd * days
        prev_end = int(end)
        if len(out) >= NEXT_EPOCHS:
            break
    return out


def outlook(model: calibrate.Model, scenario: Scenario, months: int = 24, paths: int = 2000, seed: int = 0, *,
            price_path_usd: np.ndarray | None = None, price_view: str = "simulated") -> dict[str, Any]:
    """The outlook from the model's start day.

    Parameters
    ----------
    model : Model
        The calibrated engine (:func:`hashpower.sim.calibrate.build`).
    scenario : Scenario
        Its parameters (reported).
    months : int, default 24
        Months ahead [-], in [1, 60].
    paths, seed : int
        Monte Carlo paths [-] and seed [-].
    price_path_usd : array, optional
        A given daily price path [USD] from the day after the start, at least as long as the
        outlook; ``None``: simulated.
    price_view : str
        How the price was chosen (reported).
    """
    start = model.info["start_date"]
    labels, ends = month_ends(start, months)
    kw: dict[str, Any] = {}
    if price_path_usd is not None:
        kw["price_path_usd"] = price_path_usd
    out = engine.simulate(model, paths, 1, seed, ends=ends, **kw)
    k = engine.OUTPUTS.index
    rows = []
    for r, lab in enumerate(labels):
        row: dict[str, Any] = {"month": lab, "end_date": str(np.datetime64(start, "D") + int(ends[r]))}
        for name, col in SERIES.items():
            x = out[:, r, k(col)]
            q = np.percentile(x, QUANTILES)
            row[name] = {**{f"p{p}": float(v) for p, v in zip(QUANTILES, q, strict=True)}, "mean": float(x.mean())}
        rows.append(row)
    blocks = np.median(out[:, :, k("blocks_per_day")], axis=0)
    return {
        "start": start, "months": rows, "paths": paths, "seed": seed, "preset": scenario.name,
        "price_view": price_view, "next_epochs": _epochs(model, labels, ends, blocks, start),
        "forward_hashprice_curve": {
            "label": "model forecast, not a market quote: the mean simulated hashprice of each month",
            "months": labels, "usd_per_ph_day": [r["hashprice_usd_per_ph_day"]["mean"] for r in rows],
            "btc_per_ph_day": [r["hashprice_btc_per_ph_day"]["mean"] for r in rows]},
        "units": {"hashrate_ehs": "EH/s (mean of the month)", "difficulty": "- (in force at the month's end)",
                  "hashprice_usd_per_ph_day": "USD/(PH/s)/day (mean of the month, fees included)",
                  "hashprice_btc_per_ph_day": "BTC/(PH/s)/day (mean of the month, fees included)"},
        "calibration": model.info,
    }

