"""How deep a real price path can push today's fleet: every 12-month window of the history, replayed.

The backtest's conditional mode shows the miners' side of the model tracks history when it is
given the real price and fees. :func:`price_path_stress` asks the same model what each real
12-month price and fee path since the ASIC era would do from the start day: the path's daily
changes relative to its first day are applied to the start's price and fees, and the median
monthly hashrate of a few paths (only the blocks are random) is followed for a year. The deepest
fall it finds is the largest one-year fall the model can explain from a real price path; a
simulated future whose p5 one-year fall is deeper owes it to price paths (or fleet states)
history has not shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hashpower.sim import calibrate, engine
from hashpower.sim.history import ASIC_ERA_START, History

__all__ = ["STEP_DAYS", "one_year_changes", "price_path_stress"]

#: Days between the starts of the replayed windows [days].
STEP_DAYS = 30
WINDOW_DAYS = 365


def price_path_stress(model: calibrate.Model, history: History, *, start=ASIC_ERA_START, paths: int = 16,
                      seed: int = 0) -> dict[str, Any]:
    """The fall of the median monthly hashrate within a year under every real 12-month window since ``start``.

    Returns ``{"deepest_fall", "window_start", "windows", "falls": [(window start, deepest fall,
    change after 12 months)]}``; falls are decimals (-0.5 = half the start hashrate).
    """
    from hashpower.sim.backtest import Actuals

    act = Actuals(history)
    i0 = int(np.searchsorted(history.dates, np.datetime64(start, "D")))
    ends = np.arange(STEP_DAYS, WINDOW_DAYS + 1, STEP_DAYS)
    h0 = model.info["start_hashrate_ehs"]
    price0 = float(np.exp(model.par[engine.P_LOGP0]))
    fee0 = float(np.exp(model.par[engine.P_LOGF0]))
    k = engine.OUTPUTS.index("hashrate_mean_ehs")
    falls = []
    for i in range(max(i0, 30), history.dates.size - WINDOW_DAYS - 1, STEP_DAYS):
        r = act.price_usd[i + 1:i + 1 + WINDOW_DAYS] / act.price_usd[i]
        f = act.fees_btc_per_block[i + 1:i + 1 + WINDOW_DAYS] / np.mean(act.fees_btc_per_block[i - 29:i + 1])
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(f))):
            continue
        out = engine.simulate(model, paths, 1, seed, ends=ends, chunk_paths=paths, price_path_usd=r * price0,
                              fee_path_btc_per_block=f * fee0)
        med = np.median(out[:, :, k], axis=0) / h0 - 1.0
        falls.append((str(history.dates[i]), float(min(med.min(), 0.0)), float(med[-1])))
    worst = min(falls, key=lambda x: x[1])
    return {"deepest_fall": worst[1], "window_start": worst[0], "windows": len(falls), "falls": falls}


def one_year_changes(model: calibrate.Model, paths: int = 2000, years: int = 5, seed: int = 0) -> np.ndarray:
    """The p5 across paths of each simulated year's change of the monthly mean hashrate [-], shape (years,).

    Year ``k``'s change compares the mean hashrate of its last 30 days with that of the year
    before's last 30 days (the start's 7-day hashrate for the first year), as the stress compares
    the months of a replayed window with the start.
    """
    ends = np.array([d for y in range(1, years + 1) for d in (y * 365 - 30, y * 365)], dtype=np.int64)
    out = engine.simulate(model, paths, 1, seed, ends=ends)
    h = out[:, 1::2, engine.OUTPUTS.index("hashrate_mean_ehs")]
    prev = np.concatenate([np.full((paths, 1), model.info["start_hashrate_ehs"]), h[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ch = np.where(prev > 0, h / prev - 1.0, -1.0)
    return np.percentile(ch, 5, axis=0)
