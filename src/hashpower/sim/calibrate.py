"""Calibration: the start state, the price and fee processes and the miner cohorts, from the embedded data.

:func:`snapshot` reads the store once (the latest day, the price and fee
history, the CBECI efficiency, pool shares, the AI leases, the catalog);
:func:`build` turns a :class:`~hashpower.sim.scenario.Scenario` and a snapshot
into a :class:`Model`, the plain arrays the kernel runs on.

References
----------
.. [1] Cambridge Bitcoin Electricity Consumption Index (CBECI), methodology: best guess
   = mean efficiency of the profitable hardware.
.. [2] Csiszar, I. (1975), "I-divergence geometry of probability distributions and
   minimization problems", Annals of Probability 3(1): the minimum relative-entropy
   distribution under a mean constraint is an exponential tilt of the prior.
.. [3] Deming, W. E., Stephan, F. F. (1940), "On a least squares adjustment of a sampled
   frequency table when the expected marginal totals are known", Annals of Mathematical
   Statistics 11(4) (iterative proportional fitting).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hashpower.sim import engine as E
from hashpower.sim.scenario import Scenario

__all__ = ["TIERS", "Model", "Snapshot", "build", "fee_ar1", "fit_deployment", "gbm_parameters", "pool_matrix",
           "power_buckets", "tier_mix"]

#: Efficiency tiers of the running fleet at the start (the catalog's generations; "obsolete", over 38 J/TH,
#: is left out: at today's hashprice it needs power under $0.02/kWh).
TIERS = ("latest", "mid", "old")
#: Power price buckets (stranded energy, then 7 quantiles of a lognormal) [-]; tiers x buckets + one new-build
#: cohort per bucket = 3 x 8 + 8 = 32 cohorts.
N_BUCKETS = 8
#: Days in the window of the start fees per block [days].
FEE_START_DAYS = 30


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the calibration reads from the store and the package data, on the latest day."""

    date: str
    price_usd: float
    difficulty: float
    height_end: int
    epoch_days: float
    hashrate_ths: float
    fees_btc_per_block: float
    log_returns: np.ndarray
    log_fees_per_block: np.ndarray
    cbeci_efficiency_j_per_th: float
    pool_labels: tuple[str, ...]
    pool_shares: np.ndarray
    pool_date: str
    ai_lease_median_usd_per_mw_year: float
    asic_price_latest_usd_per_th: float
    tier_efficiency_j_per_th: np.ndarray
    new_efficiency_j_per_th: float
    #: 30-day means every 30 days up to the day (oldest first): hashrate [TH/s], hashprice [USD/(TH/s)/day] and
    #: the median efficiency of the machines released in the year before each [J/TH] (the deployment fit).
    monthly_hashrate_ths: np.ndarray = field(default_factory=lambda: np.empty(0))
    monthly_hashprice_usd_per_th_day: np.ndarray = field(default_factory=lambda: np.empty(0))
    monthly_new_efficiency_j_per_th: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: Reward per block over the year ahead over the day's, at each of those steps [-] (a halving priced in).
    monthly_forward_reward_ratio: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: Largest one-year log rise of the 30-day hashrate known by the day [1/year] (NaN: none).
    growth_cap_log_per_year: float = math.nan
    #: AI leases announced by the day [-].
    ai_leases_known: int = 0


@dataclass(frozen=True, eq=False)
class Model:
    """A calibrated scenario as the arrays the kernel runs on (picklable, small)."""

    par: np.ndarray
    ipar: np.ndarray
    capacity_ths: np.ndarray
    cost_usd_per_th_day: np.ndarray
    efficiency_j_per_th: np.ndarray
    on: np.ndarray
    bucket_price_usd_per_kwh: np.ndarray
    bucket_weight: np.ndarray
    pool_weights: np.ndarray
    attributed: np.ndarray
    hist_log_returns: np.ndarray
    hp_past: np.ndarray = field(default_factory=lambda: np.zeros(1))
    info: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- pieces, each testable


def gbm_parameters(log_returns: np.ndarray, window_days: int) -> tuple[float, float]:
    """Daily drift and volatility of a GBM in log form from the last ``window_days`` daily log returns.

    Returns
    -------
    (mu, sigma) : float
        Sample mean and sd (ddof=1) of the daily log returns [1/day]: the model's
        ``log S(t+1) = log S(t) + mu + sigma Z``. The annual drift of the price itself
        is ``365 (mu + sigma^2 / 2)``.
    """
    r = np.asarray(log_returns, dtype=float)[-int(window_days):]
    if r.size < 30:
        raise ValueError(f"need at least 30 daily returns for the GBM fit, got {r.size}")
    return float(r.mean()), float(r.std(ddof=1))


def fee_ar1(log_fees: np.ndarray, window_days: int) -> tuple[float, float]:
    """AR(1) of the demeaned log fees per block over the last ``window_days`` days: ``(phi, sigma)``.

    ``x(t) = phi x(t-1) + sigma e(t)`` fitted by least squares; ``phi`` clipped to
    [0, 0.999] so the process stays stationary around its trend.
    """
    x = np.asarray(log_fees, dtype=float)[-int(window_days):]
    if x.size < 30:
        raise ValueError(f"need at least 30 days of fees for the AR(1) fit, got {x.size}")
    x = x - x.mean()
    phi = float(np.clip((x[1:] * x[:-1]).sum() / (x[:-1] ** 2).sum(), 0.0, 0.999))
    return phi, float((x[1:] - phi * x[:-1]).std(ddof=1))


def power_buckets(median_usd_per_kwh: float, log_sd: float, stranded_share: float = 0.0,
                  stranded_usd_per_kwh: float = 0.0, n: int = N_BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """Power prices and weights of ``n`` buckets of sites: stranded energy, then a lognormal.

    Bucket 0 holds the stranded sites (weight ``stranded_share`` at ``stranded_usd_per_kwh``);
    buckets 1 .. n-1 are the mid-quantiles ``(k + 0.5) / (n - 1)`` of a lognormal with median
    ``median_usd_per_kwh`` and log sd ``log_sd``, each of weight ``(1 - stranded_share) / (n - 1)``.

    Returns ``(price [USD/kWh], weight [-])``, prices ascending from bucket 1.
    """
    m = n - 1
    z = np.array([statistics.NormalDist().inv_cdf((k + 0.5) / m) for k in range(m)])
    price = np.concatenate([[stranded_usd_per_kwh], median_usd_per_kwh * np.exp(log_sd * z)])
    weight = np.concatenate([[stranded_share], np.full(m, (1.0 - stranded_share) / m)])
    return price, weight


def tier_mix(efficiency_j_per_th: np.ndarray, target_j_per_th: float) -> np.ndarray:
    """Shares of running hashrate by tier whose mean efficiency is ``target_j_per_th``.

    The minimum relative-entropy tilt of a uniform prior, ``a_t ~ exp(lam e_t)`` [2]_;
    ``target`` outside the tiers' range is moved to 1% inside it.
    """
    e = np.asarray(efficiency_j_per_th, dtype=float)
    lo, hi = e.min(), e.max()
    tgt = min(max(target_j_per_th, lo + 0.01 * (hi - lo)), hi - 0.01 * (hi - lo))

    scale = float(e.std()) or 1.0  # the tilt on standardised efficiencies: no overflow whatever the unit

    def mix(lam: float) -> np.ndarray:
        w = np.exp(lam * (e - e.mean()) / scale)
        return w / w.sum()

    a, b = -50.0, 50.0
    for _ in range(200):
        m = 0.5 * (a + b)
        if mix(m) @ e < tgt:
            a = m
        else:
            b = m
    return mix(0.5 * (a + b))


def pool_matrix(active_ths: np.ndarray, beta: np.ndarray, shares: np.ndarray,
                iterations: int = 2000) -> np.ndarray:
    """Each cohort's split over pools, ``W[c, p]``, rows summing to 1, fitted to the pool shares.

    The running cohorts reproduce the shares: ``sum_c A_c W[c, p] = s_p sum_c A_c`` [3]_.
    Each row has the shape ``s_p^beta_c`` (``beta > 1``: leaning to the large pools);
    iterative proportional fitting scales the pool columns until the shares match. Rows of
    idle cohorts keep the fitted shape (where they would mine when they switch on).
    """
    s = np.asarray(shares, dtype=float)
    a = np.asarray(active_ths, dtype=float)
    kern = np.where(s > 0, s[None, :] ** np.asarray(beta, dtype=float)[:, None], 0.0)
    q = np.ones(s.size)
    target = s / s.sum() * a.sum()
    for _ in range(iterations):
        w = kern * q
        w /= w.sum(axis=1, keepdims=True)
        col = a @ w
        ok = col > 0
        q[ok] *= target[ok] / col[ok]
        if np.allclose(col, target, rtol=1e-12, atol=1e-9 * a.sum()):
            break
    w = kern * q
    return w / w.sum(axis=1, keepdims=True)


def _lag1(r: np.ndarray) -> float:
    """Lag-1 autocorrelation of ``r``, clipped to [0, 0.95] (a persistent, stationary shock)."""
    r = r - r.mean()
    den = float((r[:-1] ** 2).sum())
    return float(np.clip((r[1:] * r[:-1]).sum() / den, 0.0, 0.95)) if den > 0 else 0.0


def fit_deployment(hashrate_ths: np.ndarray, hashprice_usd_per_th_day: np.ndarray,
                   new_efficiency_j_per_th: np.ndarray, pue: float, power_price_usd_per_kwh: float,
                   window_months: int, max_lag: int = 6) -> dict[str, float]:
    """The deployment rule fitted on the monthly history known at the start.

    The growth of the 30-day hashrate from one 30-day step to the next,
    ``y_k = log(H_{k+1} / H_k)``, on the log ratio of the 30-day hashprice ``L`` steps
    before to the power cost of a new machine at the median power price,
    ``x_{k-L} = log(hp_{k-L} / (e_new x PUE x 24 h x price))``, by least squares over the
    last ``window_months`` steps with the slope held >= 0 (more margin never slows the
    build-out). The lag ``L`` in ``0 .. max_lag`` steps is the one of least squared error
    on the same steps (all lags scored on the same ``y``).

    Returns ``intercept`` and ``slope`` [1/step of 30 days], ``lag_months`` [steps],
    ``r2`` [-], ``sd`` (of the residuals, the rule's shock) [1/step], ``phi`` (their lag-1
    autocorrelation, the shock's AR(1) coefficient) [-] and ``n`` [-] (steps used); with fewer
    than 12 steps the rule is the mean growth with no slope.
    """
    h = np.asarray(hashrate_ths, dtype=float)
    hp = np.asarray(hashprice_usd_per_th_day, dtype=float)
    e = np.asarray(new_efficiency_j_per_th, dtype=float)
    x_all = np.log(hp / (e * pue * 24.0 * power_price_usd_per_kwh / 1000.0))
    y_all = np.diff(np.log(h))
    k = np.arange(y_all.size)
    k = k[(k >= max_lag) & (k >= y_all.size - int(window_months))]
    if k.size < 12:
        g = float(y_all.mean()) if y_all.size else 0.0
        sd = float(y_all.std(ddof=1)) if y_all.size > 1 else 0.0
        return {"intercept": g, "slope": 0.0, "lag_months": 0, "r2": 0.0, "n": int(y_all.size), "sd": sd,
                "phi": _lag1(y_all - g) if y_all.size > 2 else 0.0, "x_min": 0.0}
    y = y_all[k]
    best: dict[str, float] = {}
    for lag in range(max_lag + 1):
        x = x_all[k - lag]
        xc = x - x.mean()
        slope = max(0.0, float((xc * (y - y.mean())).sum() / (xc ** 2).sum())) if (xc ** 2).sum() > 0 else 0.0
        icpt = float(y.mean() - slope * x.mean())
        sse = float(((y - icpt - slope * x) ** 2).sum())
        x_min = float(x.min())
        if not best or sse < best["sse"]:
            sst = float(((y - y.mean()) ** 2).sum())
            best = {"intercept": icpt, "slope": slope, "lag_months": lag, "sse": sse,
                    "r2": 1.0 - sse / sst if sst > 0 else 0.0, "n": int(k.size),
                    "sd": math.sqrt(sse / max(k.size - 2, 1)), "phi": _lag1(y - icpt - slope * x),
                    "x_min": x_min}
    best.pop("sse")
    return best


# --------------------------------------------------------------------------- the snapshot


# --------------------------------------------------------------------------- the model


def capital_recovery_factor(rate: float, years: float) -> float:
    """Annuity per unit of capital over ``years`` at ``rate``: ``r / (1 - (1 + r)^-n)`` (``1 / n`` at r = 0)."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def ai_terms(sc: Scenario, snap: Snapshot) -> tuple[float, float, float, float]:
    """The AI exit terms: lease, IT per grid MW, opex share and switching threshold.

    Units: USD/MW IT/year, -, -, USD/grid MW/year. Each ``None`` of the scenario takes the AI
    pivot model's default (:class:`hashpower.models.pivot.Site`), so the simulator and the pivot
    value a site alike. The threshold is the conversion capex per MW of grid,
    ``capex_usd_per_mw_it x it``, spread over the lease term at the pivot's discount rate
    (capital recovery factor). A simplification of the pivot's real option: no lead time
    and no value of waiting.
    """
    from hashpower.models import pivot

    site = pivot.Site()
    lease = sc.ai_lease_usd_per_mw_year if sc.ai_lease_usd_per_mw_year is not None \
        else snap.ai_lease_median_usd_per_mw_year
    it = sc.ai_it_mw_per_grid_mw if sc.ai_it_mw_per_grid_mw is not None else site.it_to_grid_ratio
    opex = sc.ai_opex_share if sc.ai_opex_share is not None else 1.0 - site.operating_margin_rate
    thr = sc.ai_switch_threshold_usd_per_mw_year
    if thr is None:
        thr = site.capex_usd_per_mw_it * it * capital_recovery_factor(site.discount_rate, site.term_years)
    return float(lease), float(it), float(opex), float(thr)


def build(scenario: Scenario, snap: Snapshot) -> Model:
    """The kernel's arrays for ``scenario``, calibrated on ``snap`` (:func:`hashpower.figures.simulate.snapshot`).

    Cohorts: 3 efficiency tiers x 8 power price buckets of the existing fleet, then 8
    new-build cohorts (one per bucket, empty at the start). Installed capacity per tier
    is set so that the cohorts running at the start (cost rate <= 1 at the start
    hashprice) sum to the latest 7-day hashrate and their mean efficiency is the CBECI
    best guess of the latest day (:func:`tier_mix`); tiers are spread evenly over the
    buckets, so the expensive-power share of each tier starts idle.
    """
    sc = scenario.validated()
    s = snap
    win = int(round(sc.price_window_years * 365.25))
    mu, sigma = gbm_parameters(s.log_returns, win)
    if sc.price_drift_log_per_year is not None:
        mu = sc.price_drift_log_per_year / 365.0
    if sc.price_vol_log_per_year is not None:
        sigma = sc.price_vol_log_per_year / math.sqrt(365.0)
    hist = np.ascontiguousarray(s.log_returns[-win:], dtype=float)
    if hist.size < sc.bootstrap_block_days:
        raise ValueError(f"bootstrap_block_days ({sc.bootstrap_block_days}) exceeds the return history "
                         f"({hist.size} days)")
    boot_shift = mu - float(hist.mean()) if sc.price_drift_log_per_year is not None else 0.0
    phi, fee_sigma = fee_ar1(s.log_fees_per_block, int(round(sc.fee_window_years * 365.25)))

    d0 = s.difficulty
    height0 = s.height_end + 1
    sub0 = float(E.subsidy_sat_at(height0)) * 1e-8
    hp0 = (sub0 + s.fees_btc_per_block) * s.price_usd * (E.HASH_K / d0)

    bprice, bweight = power_buckets(sc.power_price_median_usd_per_kwh, sc.power_price_log_sd,
                                    sc.stranded_power_share, sc.stranded_power_price_usd_per_kwh)
    n_t, n_b = len(TIERS), bprice.size
    e_t = s.tier_efficiency_j_per_th
    cost_tb = e_t[:, None] * sc.pue * 24.0 * bprice[None, :] / 1000.0
    on_tb = (cost_tb <= hp0).astype(float)
    frac_on = on_tb @ bweight
    run_t = frac_on > 0
    shares_t = np.zeros(n_t)
    shares_t[run_t] = tier_mix(e_t[run_t], s.cbeci_efficiency_j_per_th) if run_t.sum() > 1 else 1.0
    cap_t = np.where(run_t, shares_t * s.hashrate_ths / np.where(run_t, frac_on, 1.0), 0.0)
    # only the sites where a tier runs at the start hold its machines: the start fleet reproduces the start
    # hashrate (and so the blocks per day) at any power price, with no idle overhang
    cap_tb = cap_t[:, None] * bweight[None, :]

    e_new0 = s.new_efficiency_j_per_th
    n_coh = n_t * n_b + n_b
    if n_coh % E.LANES:
        raise ValueError(f"the cohort count must be a multiple of {E.LANES}, got {n_coh}")
    cap = np.concatenate([cap_tb.ravel(), np.zeros(n_b)])
    eff = np.concatenate([np.repeat(e_t, n_b), np.full(n_b, e_new0)])
    cost = np.concatenate([cost_tb.ravel(), e_new0 * sc.pue * 24.0 * bprice / 1000.0])
    on = np.concatenate([on_tb.ravel(), np.zeros(n_b)])

    # pools: existing cohorts fitted to today's shares, new-build cohorts ~ share^exponent
    z = -np.array([statistics.NormalDist().inv_cdf((k + 0.5) / (n_b - 1)) for k in range(n_b - 1)])  # cheap: +
    z = np.concatenate([[z[0]], z])  # stranded sites lean like the cheapest grid sites
    beta = np.tile(1.0 + sc.pool_tilt * z, n_t)
    w_old = pool_matrix(cap[: n_t * n_b] * on[: n_t * n_b], beta, s.pool_shares)
    w_new = np.where(s.pool_shares > 0, s.pool_shares ** sc.new_capacity_pool_exponent, 0.0)
    w_new = w_new / w_new.sum()
    wpool = np.ascontiguousarray(np.vstack([w_old, np.tile(w_new, (n_b, 1))]))
    attributed = np.array([0.0 if lab == "unattributed" else 1.0 for lab in s.pool_labels])

    # deployment: the fitted growth rule and its cap, from the monthly history known at the start
    fwd = np.asarray(s.monthly_forward_reward_ratio, dtype=float)
    if fwd.size != np.asarray(s.monthly_hashprice_usd_per_th_day).size:
        fwd = np.ones(np.asarray(s.monthly_hashprice_usd_per_th_day).size)
    signal_hist = np.asarray(s.monthly_hashprice_usd_per_th_day, dtype=float) * fwd
    dep = fit_deployment(s.monthly_hashrate_ths, signal_hist, s.monthly_new_efficiency_j_per_th, sc.pue,
                         sc.power_price_median_usd_per_kwh,
                         int(round(sc.deploy_fit_window_years * 12)), E.DEP_LAG_MAX)
    if sc.deploy_growth_intercept_per_month is not None:
        dep["intercept"] = sc.deploy_growth_intercept_per_month
    if sc.deploy_growth_slope_per_month is not None:
        dep["slope"] = sc.deploy_growth_slope_per_month
    if sc.deploy_lag_months is not None:
        dep["lag_months"] = int(round(sc.deploy_lag_months))
    cap_year = sc.deploy_growth_cap_log_per_year
    if cap_year is None:
        cap_year = s.growth_cap_log_per_year if math.isfinite(s.growth_cap_log_per_year) else 1.0
    lag = int(dep["lag_months"])
    # the kernel's start: the lagged signals of the last intervals, then the last interval's hashprice
    hp_hist = np.asarray(s.monthly_hashprice_usd_per_th_day, dtype=float)
    sig_past = np.full(E.DEP_LAG_MAX, hp0)
    if signal_hist.size > 1:
        take = signal_hist[:-1][-E.DEP_LAG_MAX:]
        sig_past[E.DEP_LAG_MAX - take.size:] = take
    hp_past = np.append(sig_past[E.DEP_LAG_MAX - lag:] if lag else np.empty(0),
                        hp_hist[-1] if hp_hist.size else hp0)

    lease, it_ratio, opex, threshold = ai_terms(sc, s)
    ai_value = lease * it_ratio * (1.0 - opex)
    asic = sc.asic_price_usd_per_th if sc.asic_price_usd_per_th is not None else s.asic_price_latest_usd_per_th
    mw0 = float((cap * eff).sum() * sc.pue * 1e-6)

    par = np.zeros(E.N_PAR)
    par[E.P_LOGP0] = math.log(s.price_usd)
    par[E.P_MU] = mu
    par[E.P_SIGMA] = sigma
    par[E.P_BOOT_SHIFT] = boot_shift
    par[E.P_LOGF0] = math.log(s.fees_btc_per_block)
    par[E.P_FEE_G] = math.log1p(sc.fee_growth_rate_per_year) / 365.0
    par[E.P_FEE_PHI] = phi
    par[E.P_FEE_SIGMA] = fee_sigma
    par[E.P_D0] = d0
    par[E.P_EPOCH_DAYS0] = s.epoch_days
    par[E.P_HP_FLOOR] = sc.hashprice_floor_usd_per_ph_day / 1e3
    par[E.P_ON_CR] = sc.on_cost_rate
    par[E.P_OFF_CR] = sc.off_cost_rate
    par[E.P_PUE] = sc.pue
    par[E.P_AI_VALUE] = ai_value
    par[E.P_AI_THRESHOLD] = threshold
    # no AI lease known at the start: no AI market to exit to
    par[E.P_AI_SUPPLY] = sc.ai_supply_mw_per_year if s.ai_leases_known > 0 else 0.0
    par[E.P_DEPLOY_SUPPLY] = sc.deploy_supply_ehs_per_year * 1e6 if sc.deploy_supply_ehs_per_year is not None \
        else 1e30
    par[E.P_PAYBACK] = sc.deploy_payback_months if sc.deploy_payback_months is not None else 1e30
    par[E.P_ASIC_PRICE] = asic
    par[E.P_FACILITY] = sc.facility_capex_usd_per_mw
    par[E.P_E_NEW0] = e_new0
    par[E.P_E_NEW_G] = math.log1p(sc.new_efficiency_change_per_year)
    par[E.P_E_FLOOR] = sc.efficiency_floor_j_per_th
    par[E.P_RETIRE] = sc.retirement_rate_per_year
    par[E.P_MW_EVER0] = mw0
    par[E.P_DEP_A] = dep["intercept"]
    par[E.P_DEP_B] = dep["slope"]
    par[E.P_DEP_GMAX] = cap_year * E.DECISION_DAYS / E.DAYS_PER_YEAR
    par[E.P_POWER_MED] = sc.power_price_median_usd_per_kwh
    par[E.P_DEP_SD] = dep["sd"] if sc.deploy_growth_sd_per_month is None else sc.deploy_growth_sd_per_month
    par[E.P_DEP_PHI] = dep["phi"]
    par[E.P_IDLE_RETIRE] = sc.idle_retirement_rate_per_year
    par[E.P_DEP_XMIN] = math.exp(dep["x_min"] if sc.deploy_margin_floor_log is None else sc.deploy_margin_floor_log)
    ipar = np.zeros(E.N_IPAR, dtype=np.int64)
    ipar[E.I_HEIGHT0] = height0
    ipar[E.I_EPOCH_BLOCKS0] = height0 % E.RETARGET_BLOCKS
    ipar[E.I_PRICE_MODEL] = 1 if sc.price_model == "bootstrap" else 0
    ipar[E.I_BLOCK_DAYS] = sc.bootstrap_block_days
    ipar[E.I_NEW0] = n_t * n_b
    ipar[E.I_DEP_LAG] = lag

    active = cap * on
    pool_h = active @ wpool
    pool_s = pool_h / pool_h.sum()
    info = {
        "start_date": s.date,
        "start_price_usd": s.price_usd,
        "start_difficulty": d0,
        "start_height": height0,
        "start_epoch_blocks": int(ipar[E.I_EPOCH_BLOCKS0]),
        "start_epoch_days": s.epoch_days,
        "start_hashrate_ehs": float(active.sum()) / 1e6,
        "start_hashprice_usd_per_ph_day": hp0 * 1e3,
        "start_fees_btc_per_block": s.fees_btc_per_block,
        "start_hhi": float(((100 * pool_s) ** 2 * attributed).sum()),
        "pool_shares_date": s.pool_date,
        "price_drift_log_per_year": mu * 365.0,
        "price_vol_log_per_year": sigma * math.sqrt(365.0),
        "fee_ar1_phi": phi,
        "fee_ar1_sigma": fee_sigma,
        "cbeci_efficiency_j_per_th": s.cbeci_efficiency_j_per_th,
        "tier_efficiency_j_per_th": dict(zip(TIERS, e_t.tolist(), strict=True)),
        "tier_share_of_running_hashrate": dict(zip(TIERS, shares_t.tolist(), strict=True)),
        "idle_capacity_share": float(1.0 - active.sum() / cap.sum()),
        "power_price_buckets_usd_per_kwh": bprice.tolist(),
        "new_machine_efficiency_j_per_th": e_new0,
        "asic_price_usd_per_th": asic,
        "ai_value_net_usd_per_grid_mw_year": ai_value,
        "ai_switch_threshold_usd_per_grid_mw_year": threshold,
        "ai_lease_usd_per_mw_year": lease,
        "ai_it_mw_per_grid_mw": it_ratio,
        "ai_opex_share": opex,
        "installed_mw": mw0,
        "cohorts": int(n_coh),
        "deploy_growth_intercept_per_month": dep["intercept"],
        "deploy_growth_slope_per_month": dep["slope"],
        "deploy_lag_months": lag,
        "deploy_fit_r2": dep["r2"],
        "deploy_margin_floor_log": float(math.log(par[E.P_DEP_XMIN])),
        "deploy_growth_sd_per_month": float(par[E.P_DEP_SD]),
        "deploy_growth_shock_ar1": float(par[E.P_DEP_PHI]),
        "deploy_fit_months": dep["n"],
        "deploy_growth_cap_log_per_year": cap_year,
        "ai_leases_known": s.ai_leases_known,
        "pools": list(s.pool_labels),
    }
    return Model(par=par, ipar=ipar, capacity_ths=cap, cost_usd_per_th_day=cost, efficiency_j_per_th=eff,
                 on=on, bucket_price_usd_per_kwh=bprice, bucket_weight=bweight, pool_weights=wpool,
                 attributed=attributed, hist_log_returns=hist, hp_past=np.ascontiguousarray(hp_past), info=info)
