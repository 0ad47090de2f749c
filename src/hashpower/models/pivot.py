"""The AI pivot: mining versus AI/HPC hosting on one site; NPV, IRR, payback and the value of waiting.

A site has a grid connection of ``grid_mw``. Mining uses all of it; converted
to AI hosting it carries ``grid_mw x it_to_grid_ratio`` MW of IT load, leased
per MW-year of IT load to a tenant who pays the power. Cash flows are monthly.
The switch is irreversible, so keeping mining holds an American option on
converting later; :func:`switch_option` values it by least-squares Monte Carlo.

References
----------
.. [1] Longstaff, F. A. & Schwartz, E. S. (2001), "Valuing American Options by Simulation: A Simple
   Least-Squares Approach", Review of Financial Studies 14(1), 113-147.
.. [2] Dixit, A. K. & Pindyck, R. S. (1994), "Investment under Uncertainty", Princeton University Press:
   the value of waiting to make an irreversible investment.
.. [3] The lease deals in ``data/ai_leases.csv`` (company filings and announcements).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["REFERENCE_LEASE_USD_PER_MW_YEAR", "Site", "cash_flows", "energy_value_usd_per_mwh", "irr",
           "network_diversion", "npv", "payback_months", "switch_option"]

DAYS_PER_MONTH = 365.25 / 12
HOURS_PER_MONTH = DAYS_PER_MONTH * 24


#: The median lease of the reference AI/HPC deals [USD per MW of IT load per year]: the median
#: ``usd_per_mw_year`` of the four deals in ``data/ai_leases.csv`` (Hut 8, TeraWulf, Core Scientific,
#: Cipher; company announcements 2024-06..2025-12). A test pins it to the file.
REFERENCE_LEASE_USD_PER_MW_YEAR = 1_650_000.0


@dataclass(frozen=True)
class Site:
    """A mining site and the terms of its conversion to AI hosting.

    Every default names its source; rates are decimals.
    """

    #: Grid connection [MW].
    grid_mw: float = 100.0
    #: Electricity price [USD/kWh] (0.05: CBECI's default).
    power_price_usd_per_kwh: float = 0.05
    #: Fleet efficiency [J/TH] (17.5: the Antminer S21 class, the catalog's latest air-cooled tier).
    efficiency_j_per_th: float = 17.5
    #: Mining PUE [-] (1.05: air-cooled containers; assumption).
    pue: float = 1.05
    #: Pool fee [-] (0.02: a typical FPPS fee; assumption).
    pool_fee_rate: float = 0.02
    #: Mining uptime [-] (0.97; assumption).
    uptime: float = 0.97
    #: IT load per MW of grid after conversion [-] (0.70: an AI data centre at PUE ~1.4; assumption).
    it_to_grid_ratio: float = 0.70
    #: Conversion capex per MW of IT load [USD/MW] (9e6: the middle of the $8-11M per MW converting
    #: miners have reported for powered, cooled shells; assumption).
    capex_usd_per_mw_it: float = 9.0e6
    #: Months from the decision to the first lease revenue, with neither mining nor lease income (18; assumption).
    lead_time_months: int = 18
    #: Lease rate [USD per MW of IT load per year]; ``None``: the median of data/ai_leases.csv.
    lease_usd_per_mw_year: float | None = None
    #: Yearly escalator [-] (0.03: the Hut 8 - Fluidstack lease, the only one in the table that states it).
    escalator_rate: float = 0.03
    #: Lease term [years] (15: the Hut 8 - Fluidstack and Cipher - AWS leases).
    term_years: float = 15.0
    #: Share of lease revenue left after the landlord's operating costs [-] (0.80; assumption).
    operating_margin_rate: float = 0.80
    #: Discount rate, yearly [-] (0.10; assumption: a miner's cost of capital).
    discount_rate: float = 0.10

    def __post_init__(self) -> None:
        checks = {
            "grid_mw": (0, None, True), "power_price_usd_per_kwh": (0, 10, False),
            "efficiency_j_per_th": (0, None, True), "pue": (1, 3, False), "pool_fee_rate": (0, 0.5, False),
            "uptime": (0, 1, False), "it_to_grid_ratio": (0, 1, True), "capex_usd_per_mw_it": (0, None, False),
            "lead_time_months": (0, 120, False), "escalator_rate": (-0.5, 0.5, False),
            "term_years": (0, 50, True), "operating_margin_rate": (0, 1, False),
        }
        for name, (lo, hi, strict) in checks.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
            if v < lo or (strict and v == lo) or (hi is not None and v > hi):
                rng = f"{'>' if strict else '>='} {lo:g}" + (f" and <= {hi:g}" if hi is not None else "")
                raise ValueError(f"{name} must be {rng}, got {v!r}")
        if int(self.lead_time_months) != self.lead_time_months:
            raise ValueError(f"lead_time_months must be whole months, got {self.lead_time_months!r}")
        d = self.discount_rate
        if isinstance(d, bool) or not isinstance(d, int | float) or not math.isfinite(d) or d <= -1:
            raise ValueError(f"discount_rate must be a number > -1, got {d!r}")
        lease = self.lease_usd_per_mw_year
        if lease is not None and (isinstance(lease, bool) or not isinstance(lease, int | float)
                                  or not math.isfinite(lease) or lease < 0):
            raise ValueError(f"lease_usd_per_mw_year must be a number >= 0, got {lease!r}")

    @classmethod
    def from_dict(cls, d: dict[str, Any], origin: str = "site") -> Site:
        """A site from a mapping (a TOML table); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"{origin}: unknown keys {unknown}; known: {', '.join(sorted(known))}")
        return cls(**d)

    def with_(self, **changes: Any) -> Site:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def lease_rate(self) -> float:
        """The lease rate in use [USD/MW-year of IT]."""
        if self.lease_usd_per_mw_year is None:
            return REFERENCE_LEASE_USD_PER_MW_YEAR
        return float(self.lease_usd_per_mw_year)

    @property
    def hashrate_ths(self) -> float:
        """Fleet hashrate that fills the grid connection [TH/s]."""
        return self.grid_mw * 1e6 / (self.efficiency_j_per_th * self.pue)

    @property
    def months(self) -> int:
        """The horizon every option is valued over: lead time plus the lease term [months]."""
        return int(self.lead_time_months + round(self.term_years * 12))

    def as_dict(self) -> dict[str, Any]:
        """Plain values, with the lease rate in use."""
        return {**asdict(self), "lease_usd_per_mw_year": self.lease_rate}


def mining_margin_usd_per_month(site: Site, hashprice_usd_per_th_day: ArrayLike, curtail: bool = True) -> np.ndarray:
    """Monthly mining cash flow of the site at a hashprice [USD/month].

    Revenue = hashrate x hashprice x days x uptime x (1 - pool fee); power cost =
    grid MW x 1000 x hours x uptime x price. With ``curtail`` the site stops
    mining in months it would lose money (the margin floors at 0).
    """
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    rev = site.hashrate_ths * hp * DAYS_PER_MONTH * site.uptime * (1 - site.pool_fee_rate)
    cost = site.grid_mw * 1000.0 * HOURS_PER_MONTH * site.uptime * site.power_price_usd_per_kwh
    m = rev - cost
    return np.maximum(m, 0.0) if curtail else m


def lease_usd_per_month(site: Site) -> np.ndarray:
    """Net lease income for each month of the term [USD/month], with the yearly escalator."""
    n = int(round(site.term_years * 12))
    years = np.arange(n) // 12
    return (site.grid_mw * site.it_to_grid_ratio * site.lease_rate / 12.0 * site.operating_margin_rate
            * (1 + site.escalator_rate) ** years)


def cash_flows(site: Site, hashprice_usd_per_th_day: ArrayLike, convert_month: int | None) -> np.ndarray:
    """Monthly cash flows over the site's horizon for one strategy [USD].

    Parameters
    ----------
    site : Site
        The site and its conversion terms.
    hashprice_usd_per_th_day : array_like, shape (months,) or (paths, months)
        The hashprice of each month [USD/(TH/s)/day]; at least ``site.months`` long.
    convert_month : int or None
        Month in which the conversion starts (0 = now); ``None``: mine throughout.

    Returns
    -------
    numpy.ndarray
        Cash flow per month: mining margin until the conversion, then the
        capex (in the month the conversion starts), ``lead_time_months`` with
        no income, then the lease for its term or until the horizon ends.
    """
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    n = site.months
    if hp.shape[-1] < n:
        raise ValueError(f"the hashprice path has {hp.shape[-1]} months; the horizon needs {n}")
    hp = hp[..., :n]
    cf = mining_margin_usd_per_month(site, hp)
    if convert_month is None:
        return cf
    k = int(convert_month)
    if k < 0 or k >= n:
        raise ValueError(f"convert_month must be in [0, {n - 1}], got {convert_month!r}")
    cf = cf.copy()
    cf[..., k:] = 0.0
    cf[..., k] -= site.grid_mw * site.it_to_grid_ratio * site.capex_usd_per_mw_it
    start = k + int(site.lead_time_months)
    lease = lease_usd_per_month(site)
    m = max(0, min(lease.size, n - start))
    if m:
        cf[..., start:start + m] += lease[:m]
    return cf


def npv(cash_flows_per_month: ArrayLike, discount_rate: float) -> np.ndarray:
    """Net present value of monthly cash flows at a yearly discount rate (flows at month ends) [USD].

    Parameters
    ----------
    cash_flows_per_month : array_like, shape (..., months)
        Cash flows [USD]; month 0 is discounted by one month.
    discount_rate : float
        Yearly rate [-], > -1.
    """
    if not math.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    cf = np.asarray(cash_flows_per_month, dtype=float)
    t = np.arange(cf.shape[-1]) + 1
    return (cf * (1 + discount_rate) ** (-t / 12.0)).sum(axis=-1)


def irr(cash_flows_per_month: ArrayLike) -> float | None:
    """Yearly internal rate of return of monthly cash flows (bisection on NPV); ``None`` if it has no sign change.

    Parameters
    ----------
    cash_flows_per_month : array_like, shape (months,)
        Cash flows [USD].
    """
    cf = np.asarray(cash_flows_per_month, dtype=float)
    if cf.ndim != 1 or not (np.any(cf < 0) and np.any(cf > 0)):
        return None

    def f(r: float) -> float:
        return float(npv(cf, r))

    lo, hi = -0.99, 10.0
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        return None
    for _ in range(200):
        mid = (lo + hi) / 2
        fm = f(mid)
        if flo * fm <= 0:
            hi = mid
        else:
            lo, flo = mid, fm
        if hi - lo < 1e-10:
            break
    return (lo + hi) / 2


def payback_months(cash_flows_per_month: ArrayLike) -> float | None:
    """Months until the cumulative (undiscounted) cash flow turns and stays non-negative; ``None`` if never."""
    cum = np.cumsum(np.asarray(cash_flows_per_month, dtype=float))
    if cum[-1] < 0:
        return None
    neg = np.flatnonzero(cum < 0)
    return float(neg[-1] + 1) if neg.size else 0.0


def hashprice_paths(hashprice0: float, drift_per_year: float, vol_per_year: float, months: int, n_paths: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Monthly hashprice paths, geometric Brownian motion [USD/(TH/s)/day], shape (paths, months).

    Antithetic pairs halve the variance of means. ``drift_per_year`` is the
    expected log change per year (a falling hashprice has a negative drift:
    difficulty grows and halvings cut the subsidy).
    """
    if hashprice0 <= 0 or not math.isfinite(hashprice0):
        raise ValueError(f"hashprice0 must be > 0, got {hashprice0!r}")
    if vol_per_year < 0 or not math.isfinite(vol_per_year):
        raise ValueError(f"vol_per_year must be >= 0, got {vol_per_year!r}")
    half = (n_paths + 1) // 2
    z = rng.standard_normal((half, months))
    z = np.concatenate([z, -z])[:n_paths]
    dt = 1 / 12
    steps = (drift_per_year - 0.0) * dt + vol_per_year * math.sqrt(dt) * z
    return hashprice0 * np.exp(np.cumsum(steps, axis=1))


def switch_option(site: Site, paths: np.ndarray, hashprice0: float, *, basis_degree: int = 2) -> dict[str, Any]:
    """Value mining with the right to convert at the start of any month, by least-squares Monte Carlo [1]_.

    Parameters
    ----------
    site : Site
        The site and its conversion terms.
    paths : numpy.ndarray, shape (n_paths, months)
        Hashprice of each month on each path [USD/(TH/s)/day], at least ``site.months`` long.
    hashprice0 : float
        Hashprice now, known at the decision date 0 [USD/(TH/s)/day].
    basis_degree : int, default 2
        Total degree of the polynomial in (log hashprice, hashprice) that
        estimates the value of continuing (:func:`hashpower.models.lsmc.lsmc_stop`).

    Returns
    -------
    dict
        ``flexible_npv_usd`` (mine, and convert when it is best) with its standard
        error, ``mining_npv_usd`` and ``convert_now_npv_usd`` on the same paths,
        ``option_value_usd`` = flexible - max(mining, convert now), the value of
        waiting [2]_; ``convert_share`` (paths that ever convert),
        ``median_convert_month``, ``convert_now`` (the rule converts at date 0)
        and ``boundary_usd_per_ph_day`` (per month, the highest hashprice at
        which a path converted; NaN where none did).

    Notes
    -----
    Dates are month starts 0 .. months, the last the horizon. Stopping at date
    t pays the value then of converting (capex, idle lead time, the lease
    until the horizon: the same on every path); a path that has not stopped
    receives the month's mining margin at the month's end. The regression
    state is the hashprice known at the date, in logs and in levels: the
    value of mining is close to linear in the hashprice when it is high and
    flat near zero when it is low, which a polynomial in the log alone fits
    badly over long horizons.
    """
    from hashpower.models import lsmc

    hp = np.asarray(paths, dtype=float)
    n = site.months
    if hp.ndim != 2 or hp.shape[1] < n or hp.shape[0] < 2:
        raise ValueError(f"paths must be (n_paths >= 2, months >= {n}), got {hp.shape}")
    if not math.isfinite(hashprice0) or hashprice0 <= 0:
        raise ValueError(f"hashprice0 must be > 0, got {hashprice0!r}")
    hp = hp[:, :n]
    n_paths = hp.shape[0]
    beta = (1 + site.discount_rate) ** (-1 / 12)
    margin = mining_margin_usd_per_month(site, hp)
    conv = np.array([float(npv(cash_flows(site, np.zeros(n), k)[k:], site.discount_rate)) for k in range(n)])
    exercise = np.concatenate([np.broadcast_to(conv, (n_paths, n)), np.zeros((n_paths, 1))], axis=1)
    cash = np.concatenate([np.zeros((n_paths, 1)), margin], axis=1)
    known = np.concatenate([np.full((n_paths, 1), hashprice0), hp], axis=1)[:, : n + 1]
    state = np.stack([np.log(known), known], axis=-1)
    res = lsmc.lsmc_stop(exercise, cash, beta, state, basis_degree)
    tau = res.exercise_index
    converted = (tau >= 0) & (tau < n)
    boundary = np.full(n, np.nan)
    for t in np.unique(tau[converted]):
        boundary[t] = float(known[tau == t, t].max()) * 1e3
    mining = npv(margin, site.discount_rate)
    now = float(conv[0])
    best_static = max(float(mining.mean()), now)
    return {
        "flexible_npv_usd": res.value,
        "flexible_npv_se_usd": res.std_error,
        "mining_npv_usd": float(mining.mean()),
        "mining_npv_se_usd": float(mining.std(ddof=1) / math.sqrt(n_paths)),
        "convert_now_npv_usd": now,
        "option_value_usd": max(res.value - best_static, 0.0),
        "convert_share": float(converted.mean()),
        "convert_now": bool(np.all(tau == 0)),
        "median_convert_month": float(np.median(tau[converted])) if converted.any() else None,
        "exercise_month": tau,
        "boundary_usd_per_ph_day": boundary,
    }


def energy_value_usd_per_mwh(hashprice_usd_per_th_day: ArrayLike, efficiency_j_per_th: ArrayLike) -> np.ndarray:
    """Mining revenue per MWh of electricity [USD/MWh] = hashprice / (J/TH x 24 h / 10^6).

    Parameters
    ----------
    hashprice_usd_per_th_day : array_like
        [USD/(TH/s)/day], >= 0.
    efficiency_j_per_th : array_like
        [J/TH], > 0.
    """
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    e = np.asarray(efficiency_j_per_th, dtype=float)
    if np.any(e <= 0) or not np.all(np.isfinite(e)):
        raise ValueError("efficiency_j_per_th must be finite and > 0")
    return hp / (e * 24.0 / 1e6)


def ai_value_usd_per_mwh(lease_usd_per_mw_year: ArrayLike, it_to_grid_ratio: float = 0.70) -> np.ndarray:
    """Lease income per MWh of grid capacity [USD/MWh] = lease x IT/grid ratio / 8,766 h (power passed through)."""
    lease = np.asarray(lease_usd_per_mw_year, dtype=float)
    return lease * it_to_grid_ratio / 8766.0


def network_diversion(network_hashrate_ehs: float, network_power_gw: float, share_converting: float,
                      efficiency_j_per_th: ArrayLike, hashrate_mix: ArrayLike) -> dict[str, float]:
    """Hashrate diverted for good if a share of mining capacity (by power) converts to AI.

    Parameters
    ----------
    network_hashrate_ehs : float
        Network hashrate [EH/s], > 0.
    network_power_gw : float
        Network power [GW], > 0 (e.g. the CBECI best guess).
    share_converting : float
        Share of the network's power capacity that converts [-], in [0, 1].
    efficiency_j_per_th : array_like
        Efficiencies of the converting sites' fleets [J/TH], > 0.
    hashrate_mix : array_like
        Weights of those efficiencies in the converting sites' hashrate [-], >= 0.

    Returns
    -------
    dict
        ``converting_gw``, ``diverted_ehs``, ``diverted_share`` of the network
        hashrate and ``hashprice_change_after_retarget`` for those who stay (the
        same rewards over less work: 1 / (1 - diverted share) - 1).
    """
    e = np.asarray(efficiency_j_per_th, dtype=float)
    w = np.asarray(hashrate_mix, dtype=float)
    if not 0 <= share_converting <= 1:
        raise ValueError(f"share_converting must be in [0, 1], got {share_converting!r}")
    if network_hashrate_ehs <= 0 or network_power_gw <= 0:
        raise ValueError("network_hashrate_ehs and network_power_gw must be > 0")
    if e.shape != w.shape or np.any(e <= 0) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("efficiency_j_per_th must be > 0 and hashrate_mix >= 0 with a positive sum, same shapes")
    w = w / w.sum()
    gw = network_power_gw * share_converting
    mean_eff = float((w * e).sum())  # J/TH of the converting fleet, hashrate-weighted
    diverted = gw * 1e9 / mean_eff / 1e6  # TH/s -> EH/s
    diverted = min(diverted, network_hashrate_ehs)
    share = diverted / network_hashrate_ehs
    return {"converting_gw": gw, "diverted_ehs": diverted, "diverted_share": share,
            "hashprice_change_after_retarget": 1 / (1 - share) - 1 if share < 1 else math.inf}
