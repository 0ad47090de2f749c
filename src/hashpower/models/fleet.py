"""A miner's own sites and machines: the fleet file, and its daily P&L over history with curtailment.

A fleet is a TOML file::

    machines_csv = "my_models.csv"          # optional: add or override catalog models

    [[site]]
    name = "west-texas"
    power_price_usd_per_kwh = 0.045         # a flat price, or
    # tariff_usd_per_kwh = [0.03, ...]      # 24 hourly prices, hour 0 = 00:00-01:00 UTC
    # hourly_prices = "ercot:HB_WEST"       # or a CSV of hourly prices (see hashpower.store.prices)
    # price_adder_usd_per_kwh = 0.01        # added to every hourly market price (wires, retail margin)
    pue = 1.08                              # default 1.0
    pool_fee_rate = 0.02                    # default 0.0
    hosting_fee_usd_per_kwh = 0.0           # default 0.0
    uptime = 0.98                           # default 1.0
    curtail = true                          # default true
    curtailment_credit_usd_per_mwh = 0.0    # demand response: paid per MWh not drawn; default 0
    min_run_hours = 1                       # the hourly plan's minimum on and off spells; default 1
    min_off_hours = 1
    # cost to mine (hashpower costs); each absent key takes a default of hashpower.models.costs
    # opex_usd_per_mw_year, facility_capex_usd_per_mw, facility_life_years, machine_life_years,
    # interest_rate (decimal per year)

    [[site.machines]]
    model = "Antminer S21"
    count = 1200
    # capex_usd = 3500                      # purchase price per unit, or usd_per_th = 17.5

    [[hedge]]                               # a hashprice forward, cash-settled on the month's mean
    side = "sell"                           # "sell" (receive the strike) or "buy"
    quantity_phs = 100.0                    # PH/s hedged, every day of the tenor
    strike_usd_per_ph_day = 50.0
    tenor_months = 6
    # start_month = "2026-11"               # default: the first month of the forward view

Each day a unit earns the day's hashprice times its hashrate. With
``curtail`` on, a unit is off on a day (flat price) or in an hour (tariff) when
it would run at a loss there; off hours earn nothing and cost nothing. The
forward view is :mod:`hashpower.models.forward`, the hourly plan (with the
credit and the minimum spells) :mod:`hashpower.models.plan`, the cost per
bitcoin :mod:`hashpower.models.costs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models import machines as mc

__all__ = ["Fleet", "FleetResult", "Hedge", "HourlyPrices", "Site", "daily_pnl", "parse"]

#: The site's cost terms of ``hashpower costs`` (None when absent: the model's default applies).
COST_KEYS = ("opex_usd_per_mw_year", "facility_capex_usd_per_mw", "facility_life_years", "machine_life_years",
             "interest_rate")
_COST_BOUNDS = {"opex_usd_per_mw_year": (0.0, 1e7), "facility_capex_usd_per_mw": (0.0, 1e8),
                "facility_life_years": (0.5, 100.0), "machine_life_years": (0.25, 30.0), "interest_rate": (0.0, 1.0)}
_SITE_KEYS = {"name", "power_price_usd_per_kwh", "tariff_usd_per_kwh", "hourly_prices", "price_adder_usd_per_kwh",
              "pue", "pool_fee_rate", "hosting_fee_usd_per_kwh", "uptime", "curtail",
              "curtailment_credit_usd_per_mwh", "min_run_hours", "min_off_hours", "machines", *COST_KEYS}
_MACHINE_KEYS = {"model", "count", "capex_usd", "usd_per_th"}
_HEDGE_KEYS = {"name", "side", "quantity_phs", "strike_usd_per_ph_day", "tenor_months", "start_month"}
#: Longest minimum on/off spell of the hourly plan [h]: a week.
MAX_SPELL_HOURS = 168
#: Longest hedge [months]: the forward view's limit.
MAX_TENOR_MONTHS = 60
#: Most machines in one group [units]: ten million is over ten times the whole network's fleet; the bound
#: keeps every count and sum exact in int64.
MAX_UNITS_PER_GROUP = 10_000_000
HOURS = 24


@dataclass(frozen=True)
class HourlyPrices:
    """Hourly power prices of a site, one per UTC hour from ``start`` without gaps [USD/kWh].

    ``source`` says where they come from (an embedded series or a file); the adder of the site is
    already included.
    """

    start: np.datetime64  # first hour, datetime64[h], UTC
    usd_per_kwh: np.ndarray  # shape (hours,)
    source: str

    @property
    def hours(self) -> np.ndarray:
        """The UTC hour of each price (datetime64[h])."""
        return self.start + np.arange(self.usd_per_kwh.size)


@dataclass(frozen=True)
class Site:
    """One site: its tariff (24 hourly prices, equal for a flat price) and its operating terms.

    A site on hourly prices (``hourly_prices_ref``) has them in ``hourly`` once read
    (:func:`hashpower.store.files.load_fleet`); its ``tariff_usd_per_kwh`` is then their mean by
    UTC hour of the day, the shape the daily figures use.
    """

    name: str
    tariff_usd_per_kwh: np.ndarray  # shape (24,)
    flat: bool
    pue: float = 1.0
    pool_fee_rate: float = 0.0
    hosting_fee_usd_per_kwh: float = 0.0
    uptime: float = 1.0
    curtail: bool = True
    hourly_prices_ref: str | None = None
    price_adder_usd_per_kwh: float = 0.0
    hourly: HourlyPrices | None = None
    curtailment_credit_usd_per_mwh: float = 0.0
    min_run_hours: int = 1
    min_off_hours: int = 1
    #: cost terms by name (``COST_KEYS``); an absent one is None
    costs: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Hedge:
    """A hashprice forward, cash-settled against the monthly mean hashprice.

    ``side`` "sell" receives ``strike - monthly mean hashprice`` on ``quantity_phs`` every day of
    ``tenor_months`` months from ``start_month`` (None: the first forward month); "buy" pays it.
    """

    name: str
    side: str
    quantity_phs: float
    strike_usd_per_ph_day: float
    tenor_months: int
    start_month: str | None = None

    @property
    def sign(self) -> float:
        """+1 for a sale, -1 for a purchase."""
        return 1.0 if self.side == "sell" else -1.0


@dataclass(frozen=True)
class Fleet:
    """Sites and machine groups as parallel arrays (one entry per group of identical units)."""

    sites: tuple[Site, ...]
    group_site: np.ndarray  # index into sites
    group_model: np.ndarray  # model names
    group_count: np.ndarray  # units
    group_hashrate_ths: np.ndarray
    group_power_w: np.ndarray
    #: purchase price of one unit [USD] (NaN: not given)
    group_capex_usd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hedges: tuple[Hedge, ...] = ()

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
    #: totals over the days per machine group (``Fleet.group_*`` order), shape (groups,) [USD, unit-days]
    group_revenue_usd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    group_power_cost_usd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    group_hosting_cost_usd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    group_curtailed_unit_days: np.ndarray = field(default_factory=lambda: np.zeros(0))

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


def _int(where: str, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{where}: {key} must be a whole number in [{lo:,}, {hi:,}], got {value!r}")
    return int(value)


def _hedge(i: int, h: Any, origin: str) -> Hedge:
    where = f"{origin}: hedge {i + 1}"
    if not isinstance(h, dict):
        raise ValueError(f"{where}: must be a table")
    bad = set(h) - _HEDGE_KEYS
    if bad:
        raise ValueError(f"{where}: unknown keys {sorted(bad)}; known: {', '.join(sorted(_HEDGE_KEYS))}")
    missing = [k for k in ("side", "quantity_phs", "strike_usd_per_ph_day", "tenor_months") if k not in h]
    if missing:
        raise ValueError(f"{where}: needs {', '.join(missing)}")
    side = h["side"]
    if side not in ("sell", "buy"):
        raise ValueError(f"{where}: side must be \"sell\" or \"buy\", got {side!r}")
    q = _num(where, "quantity_phs (PH/s)", h["quantity_phs"], 0.0, 1e7)
    if q <= 0:
        raise ValueError(f"{where}: quantity_phs (PH/s) must be > 0, got {h['quantity_phs']!r}")
    k = _num(where, "strike_usd_per_ph_day", h["strike_usd_per_ph_day"], 0.0, 1e5)
    tenor = _int(where, "tenor_months", h["tenor_months"], 1, MAX_TENOR_MONTHS)
    start = h.get("start_month")
    if start is not None:
        ok = isinstance(start, str) and len(start) == 7 and start[4] == "-"
        try:
            ok = ok and 1 <= int(start[5:]) <= 12 and 2009 <= int(start[:4]) <= 2200
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{where}: start_month must be YYYY-MM, got {start!r}")
    return Hedge(str(h.get("name", f"hedge-{i + 1}")), side, q, k, tenor, start)


def parse(doc: dict[str, Any], catalog: mc.Catalog, origin: str = "fleet") -> Fleet:
    """Build a :class:`Fleet` from a parsed TOML document; ``ValueError`` names the bad key.

    A site's ``hourly_prices`` is kept as given (``Site.hourly_prices_ref``): reading it is the
    store's work (:func:`hashpower.store.files.load_fleet`).
    """
    unknown = set(doc) - {"site", "machines_csv", "hedge"}
    if unknown:
        raise ValueError(f"{origin}: unknown top-level keys {sorted(unknown)}; expected [[site]] and [[hedge]] tables")
    raw_sites = doc.get("site")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise ValueError(f"{origin}: no [[site]] table")
    raw_hedges = doc.get("hedge", [])
    if not isinstance(raw_hedges, list):
        raise ValueError(f"{origin}: hedge must be [[hedge]] tables")
    sites, g_site, g_model, g_count, g_ths, g_w, g_capex = [], [], [], [], [], [], []
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
        given = [k for k in ("power_price_usd_per_kwh", "tariff_usd_per_kwh", "hourly_prices") if k in s]
        if len(given) != 1:
            raise ValueError(f"{where}: give exactly one of power_price_usd_per_kwh, tariff_usd_per_kwh or "
                             f"hourly_prices" + (f" (got {', '.join(given)})" if given else ""))
        has_flat = given[0] == "power_price_usd_per_kwh"
        ref = None
        adder = _num(where, "price_adder_usd_per_kwh", s.get("price_adder_usd_per_kwh", 0.0), 0.0, 10.0)
        if "price_adder_usd_per_kwh" in s and given[0] != "hourly_prices":
            raise ValueError(f"{where}: price_adder_usd_per_kwh applies to hourly_prices only")
        if has_flat:
            tariff = np.full(HOURS, _num(where, "power_price_usd_per_kwh", s["power_price_usd_per_kwh"], 0.0, 10.0))
        elif given[0] == "tariff_usd_per_kwh":
            t = s["tariff_usd_per_kwh"]
            if not isinstance(t, list) or len(t) != HOURS:
                raise ValueError(f"{where}: tariff_usd_per_kwh must be a list of 24 hourly prices, "
                                 f"got {len(t) if isinstance(t, list) else type(t).__name__}")
            tariff = np.array([_num(where, f"tariff_usd_per_kwh[{h}]", v, 0.0, 10.0) for h, v in enumerate(t)])
        else:
            ref = s["hourly_prices"]
            if not isinstance(ref, str) or not ref.strip() or len(ref) > 4096:
                raise ValueError(f"{where}: hourly_prices must be \"ercot:HB_WEST\", \"ercot:LZ_WEST\" or a CSV "
                                 f"path, got {ref!r}")
            tariff = np.full(HOURS, np.nan)  # set from the prices when they are read
        curtail = s.get("curtail", True)
        if not isinstance(curtail, bool):
            raise ValueError(f"{where}: curtail must be true or false, got {curtail!r}")
        costs = {k: (_num(where, k, s[k], *_COST_BOUNDS[k]) if k in s else None) for k in COST_KEYS}
        sites.append(Site(
            name=name, tariff_usd_per_kwh=tariff, flat=has_flat,
            pue=_num(where, "pue", s.get("pue", 1.0), 1.0, 3.0),
            pool_fee_rate=_num(where, "pool_fee_rate", s.get("pool_fee_rate", 0.0), 0.0, 0.5),
            hosting_fee_usd_per_kwh=_num(where, "hosting_fee_usd_per_kwh", s.get("hosting_fee_usd_per_kwh", 0.0),
                                         0.0, 10.0),
            uptime=_num(where, "uptime", s.get("uptime", 1.0), 0.0, 1.0),
            curtail=curtail, hourly_prices_ref=ref, price_adder_usd_per_kwh=adder,
            curtailment_credit_usd_per_mwh=_num(where, "curtailment_credit_usd_per_mwh",
                                                s.get("curtailment_credit_usd_per_mwh", 0.0), 0.0, 10_000.0),
            min_run_hours=_int(where, "min_run_hours", s.get("min_run_hours", 1), 1, MAX_SPELL_HOURS),
            min_off_hours=_int(where, "min_off_hours", s.get("min_off_hours", 1), 1, MAX_SPELL_HOURS),
            costs=costs,
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
                raise ValueError(f"{mw}: needs model and count (optional: capex_usd or usd_per_th); "
                                 f"unknown keys {sorted(bad)}")
            k = catalog.index(str(m["model"]))
            count = m.get("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_UNITS_PER_GROUP:
                raise ValueError(f"{mw}: count must be a whole number in [0, {MAX_UNITS_PER_GROUP:,}], got {count!r}")
            if "capex_usd" in m and "usd_per_th" in m:
                raise ValueError(f"{mw}: give capex_usd (per unit) or usd_per_th, not both")
            capex = np.nan
            if "capex_usd" in m:
                capex = _num(mw, "capex_usd (USD per unit)", m["capex_usd"], 0.0, 1e7)
            elif "usd_per_th" in m:
                per_th = _num(mw, "usd_per_th (USD per TH/s)", m["usd_per_th"], 0.0, 1e5)
                capex = per_th * float(catalog.hashrate_ths[k])
            g_site.append(i)
            g_model.append(str(catalog.model[k]))
            g_count.append(count)
            g_ths.append(catalog.hashrate_ths[k])
            g_w.append(catalog.power_w[k])
            g_capex.append(capex)
    hedges = tuple(_hedge(i, h, origin) for i, h in enumerate(raw_hedges))
    return Fleet(tuple(sites), np.array(g_site, dtype=np.int64), np.array(g_model, dtype=object),
                 np.array(g_count, dtype=np.int64), np.array(g_ths, dtype=float), np.array(g_w, dtype=float),
                 np.array(g_capex, dtype=float), hedges)


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
        Arrays of shape (days, sites), and the totals over the days per machine group
        (``group_revenue_usd`` etc., shape (groups,)).

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
    per_group = {k: np.zeros(fleet.group_site.size) for k in out}
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
            terms = {"rev": n * rev_day * hours_on / HOURS, "pow": n * energy_cost,
                     "host": n * kw * hours_on * site.hosting_fee_usd_per_kwh, "curt": n * (HOURS - hours_on) / HOURS}
            for key, x in terms.items():  # x: (groups of the chunk, days)
                out[key][:, si] += x.sum(axis=0)
                per_group[key][g] = x.sum(axis=1)
    return FleetResult(out["rev"], out["pow"], out["host"], out["curt"], tuple(s.name for s in fleet.sites),
                       group_revenue_usd=per_group["rev"], group_power_cost_usd=per_group["pow"],
                       group_hosting_cost_usd=per_group["host"], group_curtailed_unit_days=per_group["curt"])
