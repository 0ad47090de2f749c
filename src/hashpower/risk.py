"""Figures for the ``security`` command (and the API): budget, attack costs, concentration, sensitivity.

Reads the store; the models are in :mod:`hashpower.security`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from hashpower import analytics, chain, store
from hashpower import machines as mc
from hashpower import security as sec

#: Default rental premium over hashprice [-]: an assumption (see docs/security.md).
DEFAULT_RENTAL_PREMIUM_RATE = 0.10
#: Default attack duration for Budish's condition [h]: six blocks.
DEFAULT_ATTACK_HOURS = 1.0


def asic_prices() -> dict[str, dict[str, Any]]:
    """The default ASIC price per TH/s by generation, with its source (``data/asic_prices.csv``)."""
    text = (resources.files("hashpower") / "data" / "asic_prices.csv").read_text()
    return {r["generation"]: {"usd_per_th": float(r["usd_per_th"]), "source": r["source"]}
            for r in csv.DictReader(io.StringIO(text))}


def template_groups() -> dict[str, Any]:
    """Pools known to share one block template (``data/template_groups.json``, sourced)."""
    return json.loads((resources.files("hashpower") / "data" / "template_groups.json").read_text())


def _pool_codes(pools: np.ndarray, merge_templates: bool, include_possible: bool) -> tuple[np.ndarray, list[str]]:
    names = pools.astype(object).copy()
    if merge_templates:
        for g in template_groups()["groups"]:
            members = set(g["members"]) | (set(g["possible"]) if include_possible else set())
            names[np.isin(names, list(members))] = g["name"]
    uniq, codes = np.unique(names, return_inverse=True)
    labels = [str(u) for u in uniq]
    if "unknown" in labels:
        k = labels.index("unknown")
        codes = np.where(codes == k, -1, codes - (codes > k))
        labels.pop(k)
    return codes, labels


def _blocks_arrays():
    p = store.ensure()
    return _blocks_cached(str(p), p.stat().st_mtime)


@lru_cache(maxsize=2)
def _blocks_cached(path_key: str, mtime: float):  # noqa: ARG001 - the key invalidates the cache
    con = store.connect()
    try:
        df = con.execute("SELECT timestamp, pool FROM blocks ORDER BY height").df()
    finally:
        con.close()
    return (df["timestamp"].to_numpy() // 86_400).astype(np.int64), df["pool"].to_numpy(dtype=object)


def block_day_range() -> tuple[dt.date, dt.date]:
    """First full and last full UTC day of the per-block pool data."""
    day, _ = _blocks_arrays()
    e = dt.date(1970, 1, 1)
    return e + dt.timedelta(days=int(day.min()) + 1), e + dt.timedelta(days=int(day.max()) - 1)


def concentration_series(window_days: int = 7, merge_templates: bool = False,
                         include_possible: bool = False) -> dict[str, Any]:
    """Shares, intervals, HHI and Nakamoto coefficient for every day of the block data (cached)."""
    p = store.ensure()
    return _concentration_cached(str(p), p.stat().st_mtime, int(window_days), merge_templates, include_possible)


@lru_cache(maxsize=16)
def _concentration_cached(path_key: str, mtime: float, window_days: int, merge_templates: bool,  # noqa: ARG001
                          include_possible: bool) -> dict[str, Any]:
    day, pools = _blocks_arrays()
    codes, labels = _pool_codes(pools, merge_templates, include_possible)
    out = sec.concentration(day, codes, window_days)
    out["labels"] = labels
    out["dates"] = out["days"].astype("datetime64[D]")
    return out


def concentration_on(day: dt.date, window_days: int, merge_templates: bool = False,
                     include_possible: bool = False, top: int = 10) -> dict[str, Any]:
    """Pool concentration over the ``window_days`` days ending on ``day``."""
    if int(window_days) != window_days or window_days < 1:
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    first, last = block_day_range()
    start = day - dt.timedelta(days=int(window_days) - 1)
    if start < first or day > last:
        raise ValueError(f"a {window_days}-day window ending {day} is beyond the block data ({first} .. {last})")
    s = concentration_series(int(window_days), merge_templates, include_possible)
    i = int(np.searchsorted(s["dates"], np.datetime64(day, "D")))
    shares, lo, hi = s["shares"][i], s["lower"][i], s["upper"][i]
    order = np.argsort(-shares)
    pools = [{"pool": s["labels"][k], "blocks": int(s["counts"][i, k]), "share": float(shares[k]),
              "lower_95": float(lo[k]), "upper_95": float(hi[k])} for k in order[:top] if shares[k] > 0]
    return {"window_days": int(window_days), "blocks": int(s["blocks"][i]),
            "unattributed_share": float(1 - shares.sum()), "hhi": float(s["hhi"][i]),
            "nakamoto_coefficient": int(s["nakamoto_coefficient"][i]), "merged_template_groups": merge_templates,
            "pools": pools}


def _attack(h_ths: float, hp: float, revenue_usd_per_day: float, premium: float, power_price: float,
            hours: float) -> dict[str, Any]:
    cat = mc.catalog()
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


def security_figures(date: Any = None, window_days: int = 7, *, merge_templates: bool = False,
                     rental_premium_rate: float = DEFAULT_RENTAL_PREMIUM_RATE,
                     power_price_usd_per_kwh: float = 0.05, attack_hours: float = DEFAULT_ATTACK_HOURS,
                     fee_growth_rate: float = 0.0) -> dict[str, Any]:
    """The security budget, attack costs, concentration and their sensitivity to hashrate on one day."""
    for name, v in (("rental_premium_rate", rental_premium_rate), ("attack_hours", attack_hours)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a number >= 0, got {v!r}")
    if not np.isfinite(power_price_usd_per_kwh) or power_price_usd_per_kwh < 0:
        raise ValueError(f"power_price_usd_per_kwh must be >= 0, got {power_price_usd_per_kwh!r}")
    first_b, last_b = block_day_range()
    if date is None:
        day = min(analytics.check_day(None), last_b)
    else:
        day = analytics.check_day(date)
        if not first_b <= day <= last_b:
            raise ValueError(f"date {day} is outside the per-block pool data that security needs "
                             f"({first_b} .. {last_b})")
    s = analytics.series()
    h = s["history"]
    i = int(np.searchsorted(h.index.values, np.datetime64(day, "ns")))
    row = h.iloc[i]
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
    conc = concentration_on(day, window_days, merge_templates)
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
        "hhi": conc["hhi"],
        "nakamoto_coefficient": conc["nakamoto_coefficient"],
        "concentration": conc,
        "budget_projection": projection,
        "sensitivity_per_1pct_hashrate_fall": sens,
        "next_halving_height": int(chain.next_halving_height(int(row["height_end"]))),
        "double_spend": double_spend_odds(DEFAULT_DOUBLE_SPEND_Q, DEFAULT_DOUBLE_SPEND_Z),
    }


#: Attacker shares and confirmations of the default double-spend odds (the whitepaper's q = 0.1 and 0.3,
#: and 0.2; six confirmations, the common rule).
DEFAULT_DOUBLE_SPEND_Q, DEFAULT_DOUBLE_SPEND_Z = (0.1, 0.2, 0.3), 6


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


__all__ = ["asic_prices", "concentration_on", "concentration_series", "decline_change", "double_spend_table",
           "security_figures", "template_groups"]
