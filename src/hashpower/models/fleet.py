"""A miner's own sites and machines: daily P&L over history, with curtailment.

A fleet is a TOML file::

    machines_csv = "my_models.csv"          # optional: add or override catalog models

    [[site]]
    name = "west-texas"
    power_price_usd_per_kwh = 0.045         # a flat price, or
    # tariff_usd_per_kwh = [0.03, ...]      # 24 hourly prices, hour 0 = 00:00-01:00 UTC
    pue = 1.08                              # default 1.0
    pool_fee_rate = 0.02                    # default 0.0
    hosting_fee_usd_per_kwh = 0.0           # default 0.0
    uptime = 0.98                           # default 1.0
    curtail = true                          # default true

    [[site.machines]]
    model = "Antminer S21"
    count = 1200

Each day a unit earns the day's hashprice times its hashrate. With
``curtail`` on, a unit is off on a day (flat price) or in an hour (tariff) when
it would run at a loss there; off hours earn nothing and cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models import machines as mc

__all__ = ["Fleet", "FleetResult", "Site", "daily_pnl", "parse"]

_SITE_KEYS = {"name", "power_price_usd_per_kwh", "tariff_usd_per_kwh", "pue", "pool_fee_rate",
              "hosting_fee_usd_per_kwh", "uptime", "curtail", "machines"}
_MACHINE_KEYS = {"model", "count"}
#: Most machines in one group [units]: ten million is over ten times the whole network's fleet; the bound
#: keeps every count and sum exact in int64.
MAX_UNITS_PER_GROUP = 10_000_000
HOURS = 24


@dataclass(frozen=True)
class Site:
    """One site: its tariff (24 hourly prices, equal for a flat price) and its operating terms."""

    name: str
    tariff_usd_per_kwh: np.ndarray  # shape (24,)
    flat: bool
    pue: float = 1.0
    pool_fee_rate: float = 0.0
    hosting_fee_usd_per_kwh: float = 0.0
    uptime: float = 1.0
    curtail: bool = True


@dataclass(frozen=True)
class Fleet:
    """Sites and machine groups as parallel arrays (one entry per group of identical units)."""

    sites: tuple[Site, ...]
    group_site: np.ndarray  # index into sites
    group_model: np.ndarray  # model names
    group_count: np.ndarray  # units
    group_hashrate_ths: np.ndarray
    group_power_w: np.ndarray

    @property
    def units(self) -> int:
        """Total number of machines."""
        return int(self.group_count.sum())


@dataclass
class FleetResult:
    """Daily P&L per site: arrays of shape (days, sites) [USD, unit-days]."""

    revenue_usd: np.ndarray
    power_cost_usd: np.ndarray
    hosting_cost_usd: np.ndarray
    curtailed_unit_days: np.ndarray
    site_names: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def profit_usd(self) -> np.ndarray:
        """Revenue - power - hosting, per day and site [USD]."""
        return self.revenue_usd - self.power_cost_usd - self.hosting_cost_usd


def _num(where: str, key: str, value: Any, lo: float, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {key} must be a number, got {value!r}")
    v = float(value)
    if not np.isfinite(v) or v < lo or (hi is not None and v > hi):
        rng = f">= {lo:g}" + (f" and <= {hi:g}" if hi is not None else "")
        raise ValueError(f"{where}: {key} must be {rng}, got {value!r}")
    return v


def parse(doc: dict[str, Any], catalog: mc.Catalog, origin: str = "fleet") -> Fleet:
    """Build a :class:`Fleet` from a parsed TOML document; ``ValueError`` names the bad key."""
    unknown = set(doc) - {"site", "machines_csv"}
    if unknown:
        raise ValueError(f"{origin}: unknown top-level keys {sorted(unknown)}; expected [[site]] tables")
    raw_sites = doc.get("site")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise ValueError(f"{origin}: no [[site]] table")
    sites, g_site, g_model, g_count, g_ths, g_w = [], [], [], [], [], []
    names: set[str] = set()
    for i, s in enumerate(raw_sites):
        where = f"{origin}: site {i + 1}"
        if not isinstance(s, dict):
            raise ValueError(f"{where}: must be a table")
        bad = set(s) - _SITE_KEYS
        if bad:
            raise ValueError(f"{where}: unknown keys {sorted(bad)}; known: {', '.join(sorted(_SITE_KEYS))}")
        name = str(s.get("name", f"site-{i + 1}"))
        if name in names:
            raise ValueError(f"{where}: duplicate site name {name!r}")
        names.add(name)
        where = f"{origin}: site {name!r}"
        has_flat, has_tariff = "power_price_usd_per_kwh" in s, "tariff_usd_per_kwh" in s
        if has_flat == has_tariff:
            raise ValueError(f"{where}: give exactly one of power_price_usd_per_kwh or tariff_usd_per_kwh")
        if has_flat:
            tariff = np.full(HOURS, _num(where, "power_price_usd_per_kwh", s["power_price_usd_per_kwh"], 0.0, 10.0))
        else:
            t = s["tariff_usd_per_kwh"]
            if not isinstance(t, list) or len(t) != HOURS:
                raise ValueError(f"{where}: tariff_usd_per_kwh must be a list of 24 hourly prices, "
                                 f"got {len(t) if isinstance(t, list) else type(t).__name__}")
            tariff = np.array([_num(where, f"tariff_usd_per_kwh[{h}]", v, 0.0, 10.0) for h, v in enumerate(t)])
        curtail = s.get("curtail", True)
        if not isinstance(curtail, bool):
            raise ValueError(f"{where}: curtail must be true or false, got {curtail!r}")
        sites.append(Site(
            name=name, tariff_usd_per_kwh=tariff, flat=has_flat,
            pue=_num(where, "pue", s.get("pue", 1.0), 1.0, 3.0),
            pool_fee_rate=_num(where, "pool_fee_rate", s.get("pool_fee_rate", 0.0), 0.0, 0.5),
            hosting_fee_usd_per_kwh=_num(where, "hosting_fee_usd_per_kwh", s.get("hosting_fee_usd_per_kwh", 0.0),
                                         0.0, 10.0),
            uptime=_num(where, "uptime", s.get("uptime", 1.0), 0.0, 1.0),
            curtail=curtail,
        ))
        ms = s.get("machines", [])
        if not isinstance(ms, list) or not ms:
            raise ValueError(f"{where}: no [[site.machines]] entries")
        for j, m in enumerate(ms):
            mw = f"{where}, machines {j + 1}"
            if not isinstance(m, dict):
                raise ValueError(f"{mw}: must be a table")
            bad = set(m) - _MACHINE_KEYS
            if bad or "model" not in m:
                raise ValueError(f"{mw}: needs model and count; unknown keys {sorted(bad)}")
            k = catalog.index(str(m["model"]))
            count = m.get("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_UNITS_PER_GROUP:
                raise ValueError(f"{mw}: count must be a whole number in [0, {MAX_UNITS_PER_GROUP:,}], got {count!r}")
            g_site.append(i)
            g_model.append(str(catalog.model[k]))
            g_count.append(count)
            g_ths.append(catalog.hashrate_ths[k])
            g_w.append(catalog.power_w[k])
    return Fleet(tuple(sites), np.array(g_site, dtype=np.int64), np.array(g_model, dtype=object),
                 np.array(g_count, dtype=np.int64), np.array(g_ths, dtype=float), np.array(g_w, dtype=float))


def daily_pnl(fleet: Fleet, hashprice_usd_per_th_day: ArrayLike, *, chunk_groups: int = 2048) -> FleetResult:
    """Daily revenue, power and hosting cost, and curtailment of every site.

    Parameters
    ----------
    fleet : Fleet
        Sites and machines.
    hashprice_usd_per_th_day : array_like, shape (days,)
        The hashprice of each day [USD/(TH/s)/day], >= 0 (see
        :func:`hashpower.models.hashprice.history_usd_per_th_day`).
    chunk_groups : int, default 2048
        Machine groups processed at once (bounds memory to about
        ``chunk_groups x days x 8`` bytes per array).

    Returns
    -------
    FleetResult
        Arrays of shape (days, sites).

    Notes
    -----
    A unit of hashrate t [TH/s] and power w [W] earns ``t x hashprice x uptime x
    (1 - pool fee)`` a day, evenly over the hours; in an hour at price p it
    costs ``w x PUE x uptime / 1000 x (p + hosting fee)``. With curtailment it
    runs only in the hours where the hourly revenue exceeds the hourly cost,
    i.e. where p is below the breakeven power price
    (:func:`hashpower.models.machines.breakeven_power_price`) [1]_.

    References
    ----------
    .. [1] Cambridge CBECI methodology: hardware runs while profitable.
    """
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    if hp.ndim != 1 or not np.all(np.isfinite(hp)) or np.any(hp < 0):
        raise ValueError("hashprice_usd_per_th_day must be a 1-D array of finite values >= 0")
    n_days, n_sites = hp.size, len(fleet.sites)
    out = {k: np.zeros((n_days, n_sites)) for k in ("rev", "pow", "host", "curt")}
    for si, site in enumerate(fleet.sites):
        rows = np.flatnonzero(fleet.group_site == si)
        prices = np.sort(site.tariff_usd_per_kwh)
        cum = np.concatenate([[0.0], np.cumsum(prices)])  # cost of the k cheapest hours
        keep = 1.0 - site.pool_fee_rate
        for lo in range(0, rows.size, chunk_groups):
            g = rows[lo:lo + chunk_groups]
            n = fleet.group_count[g][:, None].astype(float)
            kw = fleet.group_power_w[g][:, None] * site.pue * site.uptime / 1000.0  # kWh per running hour
            rev_day = fleet.group_hashrate_ths[g][:, None] * hp[None, :] * site.uptime * keep  # (g, days)
            if site.curtail:
                with np.errstate(divide="ignore", invalid="ignore"):
                    breakeven = np.where(kw > 0, rev_day / HOURS / np.where(kw > 0, kw, 1.0), np.inf)
                hours_on = np.searchsorted(prices, breakeven - site.hosting_fee_usd_per_kwh, side="left")
            else:
                hours_on = np.full(rev_day.shape, HOURS)
            energy_cost = kw * cum[hours_on]
            out["rev"][:, si] += (n * rev_day * hours_on / HOURS).sum(axis=0)
            out["pow"][:, si] += (n * energy_cost).sum(axis=0)
            out["host"][:, si] += (n * kw * hours_on * site.hosting_fee_usd_per_kwh).sum(axis=0)
            out["curt"][:, si] += (n * (HOURS - hours_on) / HOURS).sum(axis=0)
    return FleetResult(out["rev"], out["pow"], out["host"], out["curt"], tuple(s.name for s in fleet.sites))
