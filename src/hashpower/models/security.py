"""Security: the security budget, attack costs, double-spend odds and pool concentration.

Pure numpy. Inputs carry their units in their names; costs are never negative.

References
----------
.. [1] Nakamoto, S. (2008), "Bitcoin: A Peer-to-Peer Electronic Cash System", section 11.
.. [2] Rosenfeld, M. (2014), "Analysis of Hashrate-Based Double Spending", arXiv:1402.2009, eq. (1).
.. [3] Budish, E. (2018, rev. 2022), "The Economic Limits of Bitcoin and the Blockchain", NBER WP 24717:
   an attack pays when V_attack > A x (N c) x t, the attacker's relative hash A times the flow
   payment to miners times the attack's duration.
.. [4] crypto51.app, "PoW 51% Attack Cost": the cost of renting the network's hashrate for an hour.
.. [5] Carlsten, M., Kalodner, H., Weinberg, S. M., Narayanan, A. (2016), "On the Instability of
   Bitcoin Without the Block Reward", ACM CCS 2016.
.. [6] Rhoades, S. A. (1993), "The Herfindahl-Hirschman Index", Federal Reserve Bulletin 79, 188-189:
   HHI = sum of squared percentage shares.
.. [7] Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical inference",
   JASA 22, 209-212: the score interval for a binomial proportion.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.checks import number

__all__ = [
    "budish_breakeven_value_usd",
    "concentration",
    "double_spend_probability",
    "hardware_attack_cost_usd",
    "hhi",
    "nakamoto_coefficient",
    "rental_attack_cost_usd_per_hour",
    "top_and_rest",
    "security_budget_projection",
    "wilson_interval",
]

HOURS_PER_DAY = 24.0




# --------------------------------------------------------------------------- double spending


def _check_qz(q: ArrayLike, z: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    qa = np.asarray(q, dtype=float)
    za = np.asarray(z)
    if not np.all(np.isfinite(qa)) or np.any(qa < 0) or np.any(qa >= 1):
        raise ValueError(f"q (the attacker's share of hashrate) must be in [0, 1), got {q!r}")
    if not np.issubdtype(za.dtype, np.integer):
        zf = np.asarray(za, dtype=float)
        if not np.all(np.isfinite(zf)) or np.any(zf != np.floor(zf)):
            raise ValueError(f"z (confirmations) must be a whole number >= 0, got {z!r}")
        za = zf.astype(np.int64)
    if np.any(za < 0):
        raise ValueError(f"z (confirmations) must be >= 0, got {z!r}")
    if np.any(za > 10_000):
        raise ValueError(f"z (confirmations) must be <= 10000, got {z!r}")
    return np.broadcast_arrays(qa, za)


def double_spend_probability(q: ArrayLike, z: ArrayLike, method: str = "rosenfeld") -> np.ndarray:
    """Probability that an attacker with hashrate share q reverses a payment after z confirmations.

    Parameters
    ----------
    q : array_like
        The attacker's share of the network hashrate [-], in [0, 1).
    z : array_like of int
        Confirmations the merchant waits for [blocks], >= 0.
    method : {"rosenfeld", "nakamoto"}
        ``"nakamoto"``: the whitepaper's formula [1]_, which models the
        attacker's progress as Poisson with mean z q/p. ``"rosenfeld"``: the
        exact formula [2]_, with the attacker's blocks negative binomial.

    Returns
    -------
    numpy.ndarray
        Probability [-]; 1 when q >= 1/2.

    Notes
    -----
    Nakamoto: ``1 - sum_{k=0}^{z} Poisson(k; z q/p) (1 - (q/p)^(z-k))``.
    Rosenfeld: ``1 - sum_{m=0}^{z} C(m+z-1, m) (p^z q^m - q^z p^m)`` for z >= 1.

    References
    ----------
    .. [1] Nakamoto (2008), section 11.
    .. [2] Rosenfeld (2014), eq. (1).

    Examples
    --------
    >>> round(float(double_spend_probability(0.1, 5, "nakamoto")), 7)
    0.0009137
    """
    if method not in ("rosenfeld", "nakamoto"):
        raise ValueError(f"method must be 'rosenfeld' or 'nakamoto', got {method!r}")
    qa, za = _check_qz(q, z)
    out = np.empty(qa.shape, dtype=float)
    for idx in np.ndindex(qa.shape):
        out[idx] = _ds(float(qa[idx]), int(za[idx]), method)
    return out if out.ndim else out[()]


def _ds(q: float, z: int, method: str) -> float:
    p = 1.0 - q
    if q >= p:
        return 1.0
    if q == 0:
        return 1.0 if z == 0 and method == "rosenfeld" else (0.0 if z > 0 else 1.0)
    if method == "nakamoto":
        lam = z * q / p
        s = 1.0
        log_pk = -lam  # log Poisson(0)
        for k in range(z + 1):
            if k:
                log_pk += math.log(lam) - math.log(k)
            s -= math.exp(log_pk) * (1 - (q / p) ** (z - k))
        return min(max(s, 0.0), 1.0)
    if z == 0:
        return 1.0
    s = 1.0
    log_c = 0.0  # log C(m+z-1, m), m = 0
    for m in range(z + 1):
        if m:
            log_c += math.log(m + z - 1) - math.log(m)
        s -= math.exp(log_c + z * math.log(p) + m * math.log(q)) - math.exp(log_c + z * math.log(q) + m * math.log(p))
    return min(max(s, 0.0), 1.0)


# --------------------------------------------------------------------------- attack costs


def rental_attack_cost_usd_per_hour(
    hashrate_ths: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    rental_premium_rate: ArrayLike = 0.10,
) -> dict[str, np.ndarray]:
    """Cost per hour of renting hashrate equal to the network's, gross and net of block rewards.

    Parameters
    ----------
    hashrate_ths : array_like
        The honest network's hashrate [TH/s], >= 0; the attacker rents as much.
    hashprice_usd_per_th_day : array_like
        Hashprice [USD/(TH/s)/day], >= 0.
    rental_premium_rate : array_like, default 0.10
        Rental price over hashprice [-], >= 0. The default is an assumption: a
        rental market prices hashrate near its expected revenue plus a margin.

    Returns
    -------
    dict
        ``gross`` = H x hashprice x (1 + premium) / 24 and ``net`` = gross minus the
        rewards the attacker's chain earns, H x hashprice / 24 (with equal
        hashrate it finds blocks at the network's pace) [USD/hour].

    Notes
    -----
    crypto51 [4]_ reports the gross cost of renting the whole network for an
    hour from rental-market prices; it ignores that the attacker's blocks pay
    rewards when its chain wins, and mixes per-day prices with hourly
    attacks. Here both are explicit: prices per TH/s per day, costs per hour,
    rewards netted.

    References
    ----------
    .. [4] crypto51.app.
    """
    h = number("hashrate_ths", hashrate_ths)
    hp = number("hashprice_usd_per_th_day", hashprice_usd_per_th_day)
    prem = number("rental_premium_rate", rental_premium_rate)
    rewards = h * hp / HOURS_PER_DAY
    return {"gross": rewards * (1 + prem), "net": rewards * prem, "rewards": rewards}


def hardware_attack_cost_usd(
    hashrate_ths: ArrayLike,
    asic_price_usd_per_th: ArrayLike,
    efficiency_j_per_th: ArrayLike,
    *,
    facility_capex_usd_per_mw: ArrayLike = 400_000.0,
    power_price_usd_per_kwh: ArrayLike = 0.05,
    pue: ArrayLike = 1.1,
) -> dict[str, np.ndarray]:
    """Capital to out-hash the honest network with new machines, and the energy per hour to run them.

    Parameters
    ----------
    hashrate_ths : array_like
        Hashrate to match [TH/s], >= 0.
    asic_price_usd_per_th : array_like
        Machine price [USD per TH/s], >= 0.
    efficiency_j_per_th : array_like
        Efficiency of the machines bought [J/TH], > 0.
    facility_capex_usd_per_mw : array_like, default 400,000
        Facility build cost per MW of load [USD/MW], >= 0. The default is an
        assumption at the middle of the 300-500 k$/MW that public miners report.
    power_price_usd_per_kwh : array_like, default 0.05
        Electricity price [USD/kWh], >= 0 (CBECI's default).
    pue : array_like, default 1.1
        Site overhead [-], >= 1 (CBECI's best-guess PUE).

    Returns
    -------
    dict
        ``hardware_usd`` (machines + facility), ``machines_usd``, ``facility_usd``,
        ``power_mw`` and ``energy_usd_per_hour``.

    References
    ----------
    .. [3] Budish (2018): the stock cost of an attack by buying hardware.
    """
    h = number("hashrate_ths", hashrate_ths)
    price = number("asic_price_usd_per_th", asic_price_usd_per_th)
    e = number("efficiency_j_per_th", efficiency_j_per_th, strict=True)
    fac = number("facility_capex_usd_per_mw", facility_capex_usd_per_mw)
    c = number("power_price_usd_per_kwh", power_price_usd_per_kwh)
    u = np.asarray(pue, dtype=float)
    if not np.all(np.isfinite(u)) or np.any(u < 1):
        raise ValueError(f"pue must be >= 1, got {pue!r}")
    mw = h * e * u / 1e6
    machines = h * price
    facility = mw * fac
    return {"hardware_usd": machines + facility, "machines_usd": machines, "facility_usd": facility,
            "power_mw": mw, "energy_usd_per_hour": mw * 1000.0 * c}


def budish_breakeven_value_usd(
    flow_payment_usd_per_hour: ArrayLike, duration_hours: ArrayLike, attacker_relative_hashrate: ArrayLike = 1.0
) -> np.ndarray:
    """The value at stake above which a majority attack of a given duration pays (Budish's condition).

    Parameters
    ----------
    flow_payment_usd_per_hour : array_like
        What miners are paid per hour, subsidy + fees [USD/hour], >= 0; in
        equilibrium it equals the honest network's running cost N c.
    duration_hours : array_like
        How long the attack lasts [h], >= 0 (6 blocks take about one hour).
    attacker_relative_hashrate : array_like, default 1.0
        The attacker's hashrate relative to the honest network's (Budish's A) [-], >= 0;
        A >= 1 is needed for a majority.

    Returns
    -------
    numpy.ndarray
        [USD] = A x flow payment x duration [3]_.

    References
    ----------
    .. [3] Budish (2018, 2022), the incentive-compatibility condition.
    """
    f = number("flow_payment_usd_per_hour", flow_payment_usd_per_hour)
    t = number("duration_hours", duration_hours)
    a = number("attacker_relative_hashrate", attacker_relative_hashrate)
    return a * f * t


def security_budget_projection(
    height_now: int,
    fees_btc_per_block_now: float,
    price_usd: float,
    years: int = 12,
    fee_growth_rate: float = 0.0,
    price_growth_rate: float = 0.0,
    blocks_per_day: float = 144.0,
) -> dict[str, np.ndarray]:
    """The security budget year by year across the coming halvings.

    Parameters
    ----------
    height_now : int
        Current height [block], >= 0.
    fees_btc_per_block_now : float
        Fees per block now [BTC], >= 0.
    price_usd : float
        Price now [USD/BTC], > 0.
    years : int, default 12
        Years projected, >= 1 (12 covers three halvings).
    fee_growth_rate, price_growth_rate : float, default 0
        Yearly growth of fees per block (in BTC) and of the price [-], > -1.
    blocks_per_day : float, default 144
        Blocks a day [blocks/day], the 600 s target.

    Returns
    -------
    dict of numpy.ndarray, one entry per year from 0
        ``year``, ``height``, ``subsidy_btc_per_block`` (mean over the year, the
        schedule by height), ``fees_btc_per_block``, ``price_usd``,
        ``budget_usd_per_day`` and ``fee_share``.

    Notes
    -----
    Whether fees alone can carry security is the question of Carlsten et al.
    [5]_: without the subsidy, fee variance makes undercutting and selfish
    behaviour profitable; the projection shows how soon fees must carry it.

    References
    ----------
    .. [5] Carlsten et al. (2016).
    """
    from hashpower.models import chain

    if int(years) != years or years < 1 or years > 200:
        raise ValueError(f"years must be a whole number in [1, 200], got {years!r}")
    for name, v in (("fee_growth_rate", fee_growth_rate), ("price_growth_rate", price_growth_rate)):
        if not np.isfinite(v) or v <= -1:
            raise ValueError(f"{name} must be > -1, got {v!r}")
    fees0 = float(number("fees_btc_per_block_now", fees_btc_per_block_now))
    price0 = float(number("price_usd", price_usd, strict=True))
    bpd = float(number("blocks_per_day", blocks_per_day, strict=True))
    if int(height_now) != height_now or height_now < 0:
        raise ValueError(f"height_now must be a whole number >= 0, got {height_now!r}")
    yr = np.arange(int(years) + 1)
    per_year = int(round(bpd * 365.25))
    heights = int(height_now) + yr * per_year
    subsidy = np.array([chain.subsidy_sat(np.arange(h, h + per_year)).mean() / 1e8 for h in heights])
    fees = fees0 * (1 + fee_growth_rate) ** yr
    price = price0 * (1 + price_growth_rate) ** yr
    budget = (subsidy + fees) * bpd * price
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(subsidy + fees > 0, fees / (subsidy + fees), np.nan)
    return {"year": yr, "height": heights, "subsidy_btc_per_block": subsidy, "fees_btc_per_block": fees,
            "price_usd": price, "budget_usd_per_day": budget, "fee_share": share}


# --------------------------------------------------------------------------- concentration


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions (a pool's share of blocks) [7]_.

    Parameters
    ----------
    successes : array_like
        Blocks by the pool [-], >= 0.
    trials : array_like
        Blocks in the window [-], >= successes.
    confidence : float, default 0.95
        Two-sided level [-].

    References
    ----------
    .. [7] Wilson (1927).
    """
    from hashpower.models.network import _z

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must be in [0, trials]")
    z = _z(1 - (1 - confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def hhi(shares: ArrayLike) -> np.ndarray:
    """Herfindahl-Hirschman index, sum of (100 x share)^2 over the last axis [0-10,000] [6]_.

    References
    ----------
    .. [6] Rhoades (1993).
    """
    s = np.asarray(shares, dtype=float)
    return np.sum((100 * s) ** 2, axis=-1)


def nakamoto_coefficient(shares: ArrayLike) -> np.ndarray:
    """The fewest pools whose combined share exceeds 50 % (over the last axis); 0 if none does.

    Parameters
    ----------
    shares : array_like
        Pool shares [-] (rows may sum to less than 1 when blocks are unattributed).
    """
    s = -np.sort(-np.asarray(shares, dtype=float), axis=-1)
    cum = np.cumsum(s, axis=-1)
    over = cum > 0.5
    return np.where(over.any(axis=-1), np.argmax(over, axis=-1) + 1, 0)


def concentration(
    day: ArrayLike, pool: ArrayLike, window_days: int = 7, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """Pool shares, intervals, HHI and Nakamoto coefficient over trailing windows, for every day.

    Parameters
    ----------
    day : array_like of int, shape (blocks,)
        Each block's UTC day (e.g. days since 1970-01-01), non-decreasing.
    pool : array_like of int, shape (blocks,)
        Each block's pool code in [0, n_pools); code -1 marks an unattributed block,
        counted in the total but in no pool's share.
    window_days : int, default 7
        Window length [days], >= 1.
    confidence : float, default 0.95
        Level of the share intervals [-].

    Returns
    -------
    dict of numpy.ndarray
        ``days`` (the window's last day, one per day from the first full
        window), ``blocks`` (in the window), ``counts`` (days, pools),
        ``shares``, ``lower``, ``upper`` (Wilson intervals), ``hhi``,
        ``nakamoto_coefficient``.
    """
    d = np.asarray(day, dtype=np.int64)
    p = np.asarray(pool, dtype=np.int64)
    if d.shape != p.shape or d.ndim != 1 or d.size == 0:
        raise ValueError("day and pool must be 1-D arrays of the same, non-zero length")
    if int(window_days) != window_days or window_days < 1:
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    w = int(window_days)
    first, last = int(d.min()), int(d.max())
    n_days = last - first + 1
    if w > n_days:
        raise ValueError(f"window_days {w} is longer than the block data ({n_days} days)")
    n_pools = int(p.max()) + 1 if p.size else 0
    daily = np.zeros((n_days, n_pools + 1))
    np.add.at(daily, (d - first, np.where(p >= 0, p, n_pools)), 1.0)
    c = np.concatenate([np.zeros((1, n_pools + 1)), np.cumsum(daily, axis=0)])
    win = c[w:] - c[:-w]  # windows ending on day index w-1 ..
    total = win.sum(axis=1)
    counts = win[:, :n_pools]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, counts / total[:, None], 0.0)
    lo, hi = wilson_interval(counts, np.maximum(total, 1)[:, None], confidence)
    return {"days": np.arange(first + w - 1, last + 1), "blocks": total, "counts": counts, "shares": shares,
            "lower": lo, "upper": hi, "hhi": hhi(shares), "nakamoto_coefficient": nakamoto_coefficient(shares)}


def top_and_rest(counts: ArrayLike, unattributed_blocks: int = 0, top: int = 10) -> dict[str, object]:
    """The ``top`` pools by blocks, the rest as one "others" and the unattributed blocks: shares that sum to 1.

    Parameters
    ----------
    counts : array_like, shape (pools,)
        Blocks of each pool in the window [-], whole numbers >= 0.
    unattributed_blocks : int, default 0
        Blocks of the window attributed to no pool [-], >= 0 (mempool's "Unknown").
    top : int, default 10
        Pools shown by name [-], a whole number >= 1.

    Returns
    -------
    dict
        ``blocks`` (all blocks of the window), ``order`` (indices of the top pools with blocks, most
        first), ``shares`` (every pool's share of all blocks), ``others_blocks``, ``others_pools`` (pools
        with blocks outside the top), ``others_share`` and ``unattributed_share``. The top shares, the
        others' and the unattributed share sum to 1 (0 when the window has no blocks).
    """
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.floor(c)):
        raise ValueError("counts must be a 1-D array of whole numbers >= 0")
    if int(unattributed_blocks) != unattributed_blocks or unattributed_blocks < 0:
        raise ValueError(f"unattributed_blocks must be a whole number >= 0, got {unattributed_blocks!r}")
    if isinstance(top, bool) or int(top) != top or top < 1:
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    total = float(c.sum()) + float(unattributed_blocks)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, c / total, 0.0) if c.size else c
    order = np.argsort(-shares)
    order = order[shares[order] > 0]
    shown, rest = order[: int(top)], order[int(top):]
    others = float(c[rest].sum())
    return {"blocks": int(total), "order": shown, "shares": shares, "others_blocks": int(others),
            "others_pools": int(rest.size), "others_share": others / total if total else 0.0,
            "unattributed_share": float(unattributed_blocks) / total if total else 0.0}
