"""Figures of ``hashpower security`` (and ``/v1/security``): budget, attack costs, double-spend odds, concentration.

Reads the store through :mod:`hashpower.figures.series`; the models are in :mod:`hashpower.models.security`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from hashpower.figures import series
from hashpower.figures.series import block_day_range, concentration_on
from hashpower.models import chain
from hashpower.models import security as sec
from hashpower.store.catalog import asic_prices, catalog

#: Attacker shares and confirmations of the default double-spend odds (the whitepaper's q = 0.1 and 0.3,
#: and 0.2; six confirmations, the common rule).
DEFAULT_DOUBLE_SPEND_Q, DEFAULT_DOUBLE_SPEND_Z = (0.1, 0.2, 0.3), 6
#: Default rental premium over hashprice [-]: an assumption (see docs/security.md).
DEFAULT_RENTAL_PREMIUM_RATE = 0.10


#: Default attack duration for Budish's condition [h]: six blocks.
DEFAULT_ATTACK_HOURS = 1.0

#: Concentration windows by name, as on mempool.space's mining page [days]: "24h" and "3d" are the blocks
#: whose header time falls in the 24 h / 72 h before the end (24:00 UTC) of the chosen day, the others whole
#: UTC days ending on it; "all" runs from the first full day of the per-block pool data.
WINDOWS: dict[str, int | None] = {"24h": 1, "3d": 3, "1w": 7, "1m": 30, "3m": 90, "6m": 180, "1y": 365,
                                  "all": None}
#: Default concentration window [days] and number of pools shown by name.
DEFAULT_WINDOW_DAYS, DEFAULT_TOP_POOLS = 7, 10


def window_days_of(window_days: int | None, window: str | None) -> int | None:
    """The concentration window [days] of ``window_days`` or a named ``window`` (not both; default 7).

    None for ``"all"`` (from the first full day of the pool data). ``ValueError`` naming the parameter.
    """
    if window is not None and window_days is not None:
        raise ValueError("give window or window_days, not both")
    if window is not None and window not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}, got {window!r}")
    if window_days is None:
        return DEFAULT_WINDOW_DAYS if window is None else WINDOWS[window]
    return window_days


def _concentration(day: dt.date, window_days: int | None, window: str | None, merge_templates: bool,
                   top: int) -> tuple[dict[str, Any] | None, str | None]:
    """The day's pool concentration, or None and the reason when the per-block pool data do not cover it."""
    window_days = window_days_of(window_days, window)
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    first_b, last_b = block_day_range()
    span = (last_b - first_b).days + 1
    if window_days is not None:
        if isinstance(window_days, bool) or int(window_days) != window_days or window_days < 1:
            raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
        if window_days > span:
            raise ValueError(f"window_days {window_days} is longer than the per-block pool data "
                             f"({span} days, {first_b} .. {last_b})")
    if day < first_b:
        return None, (f"no per-block pool data before {first_b} (attributed blocks cover {first_b} .. {last_b}): "
                      f"no concentration on {day}")
    if day > last_b:
        return None, f"no per-block pool data after {last_b}, the last full day of attributed blocks"
    w = (day - first_b).days + 1 if window_days is None else int(window_days)
    if day - dt.timedelta(days=w - 1) < first_b:
        return None, (f"the {w}-day window ending {day} starts before the per-block pool data "
                      f"({first_b} .. {last_b})")
    conc = concentration_on(day, w, merge_templates, top=int(top))
    conc["window"] = window
    return conc, None


def _attack(h_ths: float, hp: float, revenue_usd_per_day: float, premium: float, power_price: float,
            hours: float) -> dict[str, Any]:
    cat = catalog()
    latest = cat.efficiency_j_per_th[cat.generation == "latest"]
    prices = asic_prices()
    rent = sec.rental_attack_cost_usd_per_hour(h_ths, hp, premium)
    hw = sec.hardware_attack_cost_usd(h_ths, prices["latest"]["usd_per_th"], float(np.median(latest)),
                                      power_price_usd_per_kwh=power_price)
    flow = revenue_usd_per_day / 24.0
    return {
        "rent_usd_per_hour": float(rent["gross"]), "rent_net_of_rewards_usd_per_hour": float(rent["net"]),
        "hardware_usd": float(hw["hardware_usd"]), "hardware_machines_usd": float(hw["machines_usd"]),
        "hardware_facility_usd": float(hw["facility_usd"]), "attack_power_mw": float(hw["power_mw"]),
        "energy_usd_per_hour": float(hw["energy_usd_per_hour"]),
        "budish_breakeven_value_usd": float(sec.budish_breakeven_value_usd(flow, hours)),
        "attack_hours": hours,
    }


def security_figures(date: Any = None, window_days: int | None = None, *, window: str | None = None,
                     top: int = DEFAULT_TOP_POOLS, merge_templates: bool = False,
                     rental_premium_rate: float = DEFAULT_RENTAL_PREMIUM_RATE,
                     power_price_usd_per_kwh: float = 0.05, attack_hours: float = DEFAULT_ATTACK_HOURS,
                     fee_growth_rate: float = 0.0) -> dict[str, Any]:
    """The security budget, attack costs, concentration and their sensitivity to hashrate on one day.

    Any day with a price has the budget, attack costs and double-spend odds; the pool concentration needs the
    per-block pool data (from 2021-01-02): on other days ``hhi``, ``nakamoto_coefficient`` and
    ``concentration`` are None and ``concentration_reason`` says why. The concentration window is
    ``window_days`` (default 7) or a named ``window`` of :data:`WINDOWS`, not both; ``top`` pools are shown by
    name, the rest as one "others" row.
    """
    for name, v in (("rental_premium_rate", rental_premium_rate), ("attack_hours", attack_hours)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a number >= 0, got {v!r}")
    if not np.isfinite(power_price_usd_per_kwh) or power_price_usd_per_kwh < 0:
        raise ValueError(f"power_price_usd_per_kwh must be >= 0, got {power_price_usd_per_kwh!r}")
    _, last_b = block_day_range()
    day = min(series.check_day(None), last_b) if date is None else series.check_day(date)
    s = series.series()
    h = s["history"]
    i = int(np.searchsorted(h.index.values, np.datetime64(day, "ns")))
    row = h.iloc[i]
    if not all(np.isfinite(float(row[k])) and float(row[k]) > 0 for k in ("price_usd", "market_cap_usd")):
        priced = h.index[(h["price_usd"] > 0) & (h["market_cap_usd"] > 0)]
        since = f" (prices start {priced[0].date()})" if len(priced) else ""
        raise ValueError(f"date {day} has no price{since}: security needs one")
    conc, reason = _concentration(day, window_days, window, merge_templates, top)
    hashrate_ths = float(s["hashrate_7d"][0][i]) / 1e12
    hp = float(s["hashprice_usd_per_th_day"][i])
    revenue = float(row["revenue_usd"])
    fees, subsidy = float(row["fees_btc"]), float(row["subsidy_btc"])
    budget = {
        "security_budget_usd_per_day": revenue,
        "security_budget_share_of_market_cap_per_year": revenue * 365.25 / float(row["market_cap_usd"]),
        "fee_share": fees / (fees + subsidy) if fees + subsidy > 0 else None,
        "revenue_usd_per_transaction": revenue / float(row["tx_count"]) if row["tx_count"] else None,
    }
    attack = _attack(hashrate_ths, hp, revenue, rental_premium_rate, power_price_usd_per_kwh, attack_hours)
    proj = sec.security_budget_projection(int(row["height_end"]) + 1, fees / max(float(row["blocks"]), 1.0),
                                          float(row["price_usd"]), 12, fee_growth_rate)
    projection = [{k: (int(v[j]) if k in ("year", "height") else float(v[j])) for k, v in proj.items()}
                  for j in range(proj["year"].size)]
    # sensitivity: the attack costs again with 1 % less hashrate. Before the next retarget the
    # hashprice per TH/s is unchanged; after it, difficulty falls 1 % and the same revenue pays 1/0.99 more per TH/s.
    keys = ("rent_usd_per_hour", "rent_net_of_rewards_usd_per_hour", "hardware_usd", "energy_usd_per_hour",
            "budish_breakeven_value_usd")
    sens = {}
    for label, hp_after in (("before_retarget", hp), ("after_retarget", hp / 0.99)):
        fallen = _attack(hashrate_ths * 0.99, hp_after, revenue, rental_premium_rate, power_price_usd_per_kwh,
                         attack_hours)
        sens[label] = {k: fallen[k] / attack[k] - 1 if attack[k] else 0.0 for k in keys}
    return {
        "date": day.isoformat(),
        **budget,
        "hashrate_ehs_7d": hashrate_ths / 1e6,
        "hashprice_usd_per_ph_day": hp * 1e3,
        "attack_cost": attack,
        "asic_price_usd_per_th": asic_prices()["latest"]["usd_per_th"],
        "rental_premium_rate": rental_premium_rate,
        "hhi": conc["hhi"] if conc else None,
        "nakamoto_coefficient": conc["nakamoto_coefficient"] if conc else None,
        "concentration": conc,
        "concentration_reason": reason,
        "budget_projection": projection,
        "sensitivity_per_1pct_hashrate_fall": sens,
        "next_halving_height": int(chain.next_halving_height(int(row["height_end"]))),
        "double_spend": double_spend_odds(DEFAULT_DOUBLE_SPEND_Q, DEFAULT_DOUBLE_SPEND_Z),
    }


def double_spend_odds(qs, z: int) -> list[dict[str, Any]]:
    """Nakamoto's and Rosenfeld's probabilities for each attacker share in ``qs`` and ``z`` confirmations."""
    return [{"q": float(q), "z": int(z), "nakamoto": float(sec.double_spend_probability(q, z, "nakamoto")),
             "rosenfeld": float(sec.double_spend_probability(q, z, "rosenfeld"))} for q in qs]


def decline_change(start: Any = "2025-11-11", end: Any = "2026-02-11", window_days: int = 30) -> dict[str, Any]:
    """How attack costs and concentration moved between two days (default: the 2025-26 hashrate decline)."""
    a = security_figures(start, window_days)
    b = security_figures(end, window_days)
    a_m = security_figures(start, window_days, merge_templates=True)
    b_m = security_figures(end, window_days, merge_templates=True)
    keys = ("rent_usd_per_hour", "hardware_usd", "energy_usd_per_hour", "budish_breakeven_value_usd")
    return {
        "from": a["date"], "to": b["date"],
        "hashrate_change": b["hashrate_ehs_7d"] / a["hashrate_ehs_7d"] - 1,
        "attack_cost_change": {k: b["attack_cost"][k] / a["attack_cost"][k] - 1 for k in keys},
        "hhi": [a["hhi"], b["hhi"]], "nakamoto_coefficient": [a["nakamoto_coefficient"], b["nakamoto_coefficient"]],
        "hhi_template_groups_merged": [a_m["hhi"], b_m["hhi"]],
        "nakamoto_coefficient_template_groups_merged": [a_m["nakamoto_coefficient"], b_m["nakamoto_coefficient"]],
    }


def double_spend_table(q: list[float], z_max: int = 10) -> dict[str, Any]:
    """Nakamoto's and Rosenfeld's double-spend probabilities for shares q and 0..z_max confirmations."""
    zs = np.arange(int(z_max) + 1)
    return {"z": zs.tolist(), "rows": [
        {"q": float(qq), "nakamoto": sec.double_spend_probability(qq, zs, "nakamoto").tolist(),
         "rosenfeld": sec.double_spend_probability(qq, zs, "rosenfeld").tolist()} for qq in q]}
