"""The numba kernel of the scenario engine: the daily step of one path, parallel over paths.

Every path is independent: it draws its shocks from its own counter-based
stream (splitmix64 keyed by the seed and the path number), so a path's numbers
depend on ``(seed, path)`` only, never on the number of threads, on chunking, or
on which machine of a Dask cluster runs it. Per path the kernel keeps a handful
of scalars and arrays of length ``cohorts`` (and ``pools`` at year ends) and
writes one row of outputs per simulated year; it never holds days x cohorts.

The model (every equation and parameter source) is in ``docs/simulation.md``;
:mod:`hashpower.sim.reference` is the same daily step in plain Python, the
oracle of the tests.

Everything the kernel calls is in this one file on purpose: numba's on-disk
cache (``cache=True``) is invalidated by changes to the file of the cached
function only, not by changes to functions it calls from other modules.

References
----------
.. [1] Bitcoin Core ``GetBlockSubsidy`` and ``CalculateNextWorkRequired``.
.. [2] Steele, G. L., Lea, D., Flood, C. H. (2014), "Fast splittable pseudorandom
   number generators", OOPSLA 2014 (splitmix64).
.. [3] Marsaglia, G., Tsang, W. W. (2000), "The Ziggurat Method for Generating Random
   Variables", Journal of Statistical Software 5(8); the tail by Marsaglia, G. (1964),
   "Generating a variable from the tail of the normal distribution", Technometrics 6(1).
.. [4] Hormann, W. (1993), "The transformed rejection method for generating Poisson
   random variables", Insurance: Mathematics and Economics 12(1), 39-45 (PTRS), as
   numpy implements it (``random_poisson_ptrs``, ``random_loggam``).
.. [5] Knuth, D. E., The Art of Computer Programming vol. 2, 3.4.1 (Poisson by
   multiplication of uniforms, for small means).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numba import njit, prange

__all__ = ["OUTPUTS", "advance_epoch", "retarget_difficulty", "simulate", "subsidy_sat_at", "subsidy_sum_sat"]

#: Outputs per path and simulated year (last axis of the kernel's output), in this order. Stocks are
#: the state at the end of the year's last day; flows are means over the year's 365 days.
OUTPUTS = (
    "hashrate_ehs",                  # active hashrate at year end [EH/s]
    "difficulty",                    # difficulty in force at year end [-]
    "hashprice_usd_per_ph_day",      # mean market hashprice over the year [USD/(PH/s)/day]
    "security_budget_usd_per_day",   # mean paid to miners per day: (subsidy + fees) x price + guarantee [USD/day]
    "attack_cost_hardware_usd",      # machines + facility to match the year-end hashrate [USD]
    "hhi",                           # pool concentration at year end [0-10,000]
    "ai_converted_share",            # MW converted to AI / MW ever installed, at year end [-]
    "miner_margin",                  # (revenue - power cost) / revenue over the year [-]
    "price_usd",                     # bitcoin price at year end [USD]
    "fee_share",                     # fees / (subsidy + fees) over the year [-]
    "guarantee_usd_per_day",         # mean external top-up per day [USD/day]
    "installed_capacity_ehs",        # installed hashrate, running or not, at year end [EH/s]
    "fees_btc_per_block",            # mean fees per block over the year [BTC]
    "blocks_per_day",                # mean blocks per day over the year [-]
    "active_efficiency_j_per_th",    # hashrate-weighted efficiency of the running fleet at year end [J/TH]
    "hashrate_mean_ehs",             # mean running hashrate over the period [EH/s]
    "hashprice_btc_per_ph_day",      # mean market hashprice over the period in bitcoin [BTC/(PH/s)/day]
)
N_OUT = len(OUTPUTS)

#: Days per simulated year and per decision interval (AI exits, deployment, retirement) [days].
DAYS_PER_YEAR = 365
DECISION_DAYS = 30
#: [USD/TH/day summed over an interval] x this / (J/TH x PUE) = [USD/MW/year]: 10^6 W/MW x 365 / 30.
MARGIN_K = 1e6 * DAYS_PER_YEAR / DECISION_DAYS
#: The running hashrate and power cost are summed in four partial sums, combined pairwise (``_running``).
LANES = 4

# indices of the float parameters ``par``
P_LOGP0 = 0            # log of the start price [log USD]
P_MU = 1               # daily drift of the log price [1/day]
P_SIGMA = 2            # daily sd of the log price [1/day]
P_BOOT_SHIFT = 3       # added to every bootstrapped log return [1/day]
P_LOGF0 = 4            # log of the start fees per block [log BTC]
P_FEE_G = 5            # daily log growth of the fee trend [1/day]
P_FEE_PHI = 6          # AR(1) coefficient of the log-fee deviation [-]
P_FEE_SIGMA = 7        # AR(1) innovation sd [-]
P_D0 = 8               # difficulty at the start [-]
P_EPOCH_DAYS0 = 9      # days elapsed in the current epoch at the start [days]
P_HP_FLOOR = 10        # guaranteed hashprice [USD/(TH/s)/day], 0 = none
P_ON_CR = 11           # cost rate below which an idle cohort switches on [-]
P_OFF_CR = 12          # cost rate above which a running cohort switches off [-]
P_PUE = 13             # site power usage effectiveness [-]
P_AI_VALUE = 14        # net AI lease value per MW of grid capacity [USD/MW/year]
P_AI_THRESHOLD = 15    # switching threshold [USD/MW/year]
P_AI_SUPPLY = 16       # AI leases available to miners [MW of grid capacity/year]
P_DEPLOY_SUPPLY = 17   # machine supply limit [TH/s per year]
P_PAYBACK = 18         # payback threshold for new machines [months]
P_ASIC_PRICE = 19      # price of new machines [USD per TH/s]
P_FACILITY = 20        # facility capex [USD/MW]
P_E_NEW0 = 21          # efficiency of new machines at the start [J/TH]
P_E_NEW_G = 22         # log change of new-machine efficiency [1/year]
P_E_FLOOR = 23         # floor of new-machine efficiency [J/TH]
P_RETIRE = 24          # retirement rate of installed machines [1/year]
P_MW_EVER0 = 25        # installed MW at the start [MW]
P_DEP_A = 26           # deployment: intercept of the growth rule [1/interval]
P_DEP_B = 27           # deployment: slope on the log ratio of hashprice to the new machine's power cost [1/interval]
P_DEP_GMAX = 28        # deployment: largest growth of the running hashrate per interval [1/interval]
P_POWER_MED = 29       # median power price of the sites [USD/kWh]
P_DEP_SD = 30          # deployment: sd of the growth rule's shock per interval [1/interval]
P_DEP_PHI = 31         # deployment: AR(1) coefficient of the growth shock from one interval to the next [-]
P_IDLE_RETIRE = 32     # extra retirement rate of machines idle at a decision day [1/year]
P_DEP_XMIN = 33        # deployment: the lowest ratio of the signal to the new machine's power cost it was fitted on [-]
N_PAR = 34

# indices of the integer parameters ``ipar``
I_HEIGHT0 = 0          # height of the first simulated block
I_EPOCH_BLOCKS0 = 1    # blocks of the current epoch already mined at the start
I_PRICE_MODEL = 2      # 0 = GBM, 1 = block bootstrap
I_BLOCK_DAYS = 3       # bootstrap block length [days]
I_NEW0 = 4             # index of the first new-build cohort (one per power price bucket)
I_DEP_LAG = 5          # deployment lag: intervals between the hashprice signal and the machines running
N_IPAR = 6
#: Blocks ahead over which a machine buyer averages the subsidy (a year at 144 a day) [-].
FORWARD_BLOCKS = 52_560
#: Longest deployment lag [intervals of 30 days].
DEP_LAG_MAX = 6

HALVING_INTERVAL = 210_000
RETARGET_BLOCKS = 2016
TIMESPAN_S = 1_209_600.0
#: (10^12 H per TH) x 86,400 s / 2^32: blocks per day = H[TH/s] x this / D; hashprice = reward x price x this / D.
HASH_K = 1e12 * 86400.0 / 4294967296.0

# --------------------------------------------------------------------------- random numbers

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_TWO_M53 = 2.0**-53
_M8 = np.uint64(0xFF)
_S8 = np.uint64(8)
_ONE = np.uint64(1)

#: Ziggurat of the standard normal with 256 layers: the base strip's edge ``r`` and each layer's
#: area ``v`` (Marsaglia & Tsang 2000, section 3).
ZIG_R = 3.6541528853610088
ZIG_V = 0.00492867323399


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray]:
    """Layer edges ``x[0..256]`` (``x[0] = v / f(r)``, ``x[1] = r``, ``x[256] = 0``) and ``f(x) = exp(-x^2/2)``."""
    x = [0.0] * 257
    x[0] = ZIG_V / math.exp(-0.5 * ZIG_R * ZIG_R)
    x[1] = ZIG_R
    for i in range(1, 255):
        x[i + 1] = math.sqrt(-2.0 * math.log(ZIG_V / x[i] + math.exp(-0.5 * x[i] * x[i])))
    return np.array(x), np.array([math.exp(-0.5 * v * v) for v in x])


ZIG_X, ZIG_F = _ziggurat_tables()
LOGGAM_A = np.array([8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                      -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                      6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                      -1.39243221690590e+00])


@njit(cache=True, inline="always")
def mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def path_state(seed, path):
    """The stream's start for ``(seed, path)``: ``mix(mix(seed) + (path + 1) x golden)``."""
    return mix(mix(np.uint64(seed)) + np.uint64(path + 1) * _GOLDEN)


@njit(cache=True, inline="always")
def uniform(state):
    """Next splitmix64 output as a double in (0, 1): ``((z >> 11) + 0.5) / 2^53`` [2]."""
    state = state + _GOLDEN
    return state, (np.float64(mix(state) >> _S11) + 0.5) * _TWO_M53


@njit(cache=True, inline="always")
def normal(state):
    """A standard normal by the ziggurat of Marsaglia & Tsang (256 layers) [3].

    One stream output gives the layer (low 8 bits), the sign (bit 8) and the abscissa
    (top 53 bits); about 99% of draws end at the first comparison. The tail beyond
    ``r`` uses Marsaglia's (1964) exponential method.
    """
    while True:
        state = state + _GOLDEN
        z = mix(state)
        i = np.int64(z & _M8)
        neg = ((z >> _S8) & _ONE) == _ONE
        x = np.float64(z >> _S11) * _TWO_M53 * ZIG_X[i]
        if x < ZIG_X[i + 1]:
            return state, -x if neg else x
        if i == 0:
            while True:
                state, u1 = uniform(state)
                state, u2 = uniform(state)
                a = -math.log(u1) / ZIG_R
                b = -math.log(u2)
                if b + b > a * a:
                    break
            x = ZIG_R + a
            return state, -x if neg else x
        state, u = uniform(state)
        if ZIG_F[i] + u * (ZIG_F[i + 1] - ZIG_F[i]) < math.exp(-0.5 * x * x):
            return state, -x if neg else x


@njit(cache=True, inline="always")
def normal_pair(state):
    """Two independent standard normals (two :func:`normal` draws)."""
    state, z1 = normal(state)
    state, z2 = normal(state)
    return state, z1, z2


@njit(cache=True, inline="always")
def loggam(x):
    """Return log Gamma(x) for x >= 1, numpy's ``random_loggam`` (Stirling series after shifting x to >= 7)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = 0
    if x < 7.0:
        n = int(7.0 - x)
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = LOGGAM_A[9]
    for k in range(8, -1, -1):
        gl0 = gl0 * x2
        gl0 = gl0 + LOGGAM_A[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * math.log(x0) - x0
    for _ in range(n):
        gl = gl - math.log(x0 - 1.0)
        x0 = x0 - 1.0
    return gl


#: log k! for k < 2048 (blocks per day), from ``loggam`` in Python, shared with the reference.
LOGFACT = np.array([loggam.py_func(k + 1.0) for k in range(2048)])


@njit(cache=True, inline="always")
def poisson_setup(lam):
    """The constants of PTRS for a mean ``lam`` >= 10: ``(b, a, vr, log lam, log invalpha)`` [4]."""
    b = 0.931 + 2.53 * math.sqrt(lam)
    return (b, -0.059 + 0.02483 * b, 0.9277 - 3.6224 / (b - 2.0), math.log(lam),
            math.log(1.1239 + 1.1328 / (b - 3.4)))


@njit(cache=True, inline="always")
def log_factorial(k):
    """Return log k! from the table below 2048, else ``loggam(k + 1)``."""
    if k < LOGFACT.size:
        return LOGFACT[k]
    return loggam(k + 1.0)


@njit(cache=True, inline="always")
def poisson_ptrs(state, lam, b, a, vr, loglam, log_invalpha):
    """A Poisson(lam) draw for lam >= 10 by Hormann's transformed rejection (PTRS) [4]."""
    while True:
        state, u = uniform(state)
        u = u - 0.5
        state, v = uniform(state)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return state, int(k)
        if k < 0.0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + log_invalpha - math.log(a / (us * us) + b) <= -lam + k * loglam - log_factorial(int(k)):
            return state, int(k)


@njit(cache=True, inline="always")
def poisson_small(state, lam):
    """A Poisson(lam) draw for 0 <= lam < 10 by multiplying uniforms [5]."""
    if lam <= 0.0:
        return state, 0
    enlam = math.exp(-lam)
    kk = 0
    prod = 1.0
    while True:
        state, u = uniform(state)
        prod = prod * u
        if prod <= enlam:
            return state, kk
        kk += 1


@njit(cache=True, inline="always")
def poisson(state, lam):
    """A Poisson(lam) draw: multiplication of uniforms below 10 [5], PTRS from 10 on [4]."""
    if lam < 10.0:
        return poisson_small(state, lam)
    b, a, vr, loglam, log_invalpha = poisson_setup(lam)
    return poisson_ptrs(state, lam, b, a, vr, loglam, log_invalpha)


# --------------------------------------------------------------------------- the chain


@njit(cache=True, inline="always")
def subsidy_sat_at(height):
    """Block subsidy at ``height`` [sat]: 50 BTC shifted right once per 210,000 blocks [1]."""
    halvings = height // HALVING_INTERVAL
    if halvings >= 64:
        return 0
    return np.int64(5_000_000_000) >> halvings


@njit(cache=True, inline="always")
def subsidy_sum_sat(height, n):
    """Total subsidy of the ``n`` blocks at heights ``height .. height + n - 1`` [sat], halvings included."""
    total = 0
    h = height
    left = n
    while left > 0:
        nxt = (h // HALVING_INTERVAL + 1) * HALVING_INTERVAL
        take = min(left, nxt - h)
        total += take * subsidy_sat_at(h)
        h += take
        left -= take
    return total


@njit(cache=True, inline="always")
def retarget_difficulty(difficulty, elapsed_days):
    """Difficulty after an epoch of ``elapsed_days`` (2016 blocks), by Bitcoin Core's rule with its 4x clamp [1].

    Core measures the 2015 intervals between the epoch's first and last block, so the
    measured span is ``elapsed x 2015 / 2016``; then ``new = D x 1,209,600 s / clamp(span)``,
    the span clamped to [1,209,600 / 4, 1,209,600 x 4] s (as :func:`hashpower.models.chain.next_difficulty`).
    """
    actual = elapsed_days * 86400.0 * 2015.0 / 2016.0
    actual = min(max(actual, TIMESPAN_S / 4.0), TIMESPAN_S * 4.0)
    return difficulty * TIMESPAN_S / actual


@njit(cache=True, inline="always")
def advance_epoch(difficulty, epoch_blocks, epoch_days, n):
    """One day with ``n`` blocks: count them into the epoch and retarget at every 2016-block boundary.

    Blocks are spread evenly over the day, so the boundary block comes at the
    fraction ``(2016 - blocks before) / n`` of the day; the epoch's elapsed time is
    the days before plus that fraction. Returns ``(difficulty, epoch_blocks, epoch_days)``
    at the end of the day. The day's own draw used the difficulty in force at its start.
    """
    before = epoch_blocks
    pos = 0
    t_used = 0.0
    while before + (n - pos) >= RETARGET_BLOCKS:
        pos += RETARGET_BLOCKS - before
        t_at = pos / n
        difficulty = retarget_difficulty(difficulty, epoch_days + (t_at - t_used))
        before = 0
        epoch_days = 0.0
        t_used = t_at
    return difficulty, before + (n - pos), epoch_days + (1.0 - t_used)


# --------------------------------------------------------------------------- the daily step


@njit(cache=True, inline="always")
def _running(on, cap, cost):
    """Running hashrate [TH/s] and its power cost [USD/day], as four partial sums combined pairwise."""
    h0 = 0.0
    h1 = 0.0
    h2 = 0.0
    h3 = 0.0
    k0 = 0.0
    k1 = 0.0
    k2 = 0.0
    k3 = 0.0
    for j in range(0, on.size, LANES):
        a = on[j] * cap[j]
        h0 += a
        k0 += a * cost[j]
        a = on[j + 1] * cap[j + 1]
        h1 += a
        k1 += a * cost[j + 1]
        a = on[j + 2] * cap[j + 2]
        h2 += a
        k2 += a * cost[j + 2]
        a = on[j + 3] * cap[j + 3]
        h3 += a
        k3 += a * cost[j + 3]
    return (h0 + h1) + (h2 + h3), (k0 + k1) + (k2 + k3)


@njit(cache=True)
def _simulate_path(seed, path, ends, par, ipar, cap0, cost0, eff0, on0, bprice, bweight, wpool, attributed,
                   hist, gprice, gfee, hp_past, out):
    """One path of ``ends[-1]`` days into ``out`` (one row per period ending on day ``ends[r]``, x outputs).

    ``gprice`` (log price of each day) and ``gfee`` (fees per block of each day, BTC), when
    not empty, replace the simulated price and fees: the same kernel runs on given paths
    (the shocks are still drawn, so the blocks' stream is the same as in a simulated run).
    ``hp_past`` holds the 30-day mean hashprices of the ``lag + 1`` intervals before the start
    (oldest first), the deployment rule's signal for its first intervals.

    Each day: price and fee shocks; the market hashprice (and the guaranteed one); every
    cohort's hysteresis on its cost rate and its margin; the running hashrate and power
    cost (redone only when a cohort flipped or capacities changed); the Poisson count
    of blocks, their subsidy by height and fees; the epoch and its retarget. Every 30
    days: retirement, exits to AI, new machines. Every 365 days: one row of outputs.
    """
    n_coh = cap0.size
    n_pool = attributed.size
    n_buck = bprice.size
    new0 = ipar[I_NEW0]
    cap = cap0.copy()
    cost = cost0.copy()
    eff = eff0.copy()
    on = on0.copy()
    marg = np.zeros(n_coh)
    gap = np.empty(n_coh)
    poolh = np.empty(n_pool)
    lag = ipar[I_DEP_LAG]
    sig = np.empty(lag + 1)
    for i in range(lag):
        sig[i] = hp_past[hp_past.size - 1 - lag + i]
    n_days = ends[ends.size - 1]
    row = 0
    prev_end = 0
    given_p = gprice.size > 0
    given_f = gfee.size > 0
    h_base = 0.0
    shock = 0.0
    pend = np.zeros(n_buck)
    pcn = np.zeros(n_buck)
    pe = 0.0
    hp_last = hp_past[hp_past.size - 1]
    f_prev = math.exp(par[P_LOGF0])
    for c in range(n_coh):
        h_base += on0[c] * cap0[c]

    state = path_state(seed, path)
    logp = par[P_LOGP0]
    mu = par[P_MU]
    sigma = par[P_SIGMA]
    logf0 = par[P_LOGF0]
    fee_g = par[P_FEE_G]
    phi = par[P_FEE_PHI]
    fee_sigma = par[P_FEE_SIGMA]
    floor = par[P_HP_FLOOR]
    on_cr = par[P_ON_CR]
    off_cr = par[P_OFF_CR]
    pue = par[P_PUE]
    bootstrap = ipar[I_PRICE_MODEL] == 1
    block_days = ipar[I_BLOCK_DAYS]
    n_hist = hist.size
    boot_start = 0

    y = 0.0
    d = par[P_D0]
    height = ipar[I_HEIGHT0]
    sub_sat = subsidy_sat_at(height)
    next_halving = (height // HALVING_INTERVAL + 1) * HALVING_INTERVAL
    dirty = True
    h_ths = 0.0
    pcost = 0.0
    lam_prev = -1.0
    pb = 0.0
    pa = 0.0
    pvr = 0.0
    plog = 0.0
    pinv = 0.0
    kd = HASH_K / d
    epoch_blocks = ipar[I_EPOCH_BLOCKS0]
    epoch_days = par[P_EPOCH_DAYS0]
    converted_mw = 0.0
    mw_ever = par[P_MW_EVER0]
    hp_int = 0.0
    s_hp = 0.0
    s_budget = 0.0
    s_top = 0.0
    s_fees = 0.0
    s_reward = 0.0
    s_cost = 0.0
    s_blocks = 0.0
    s_h = 0.0
    s_hpb = 0.0
    p = math.exp(logp)

    for t in range(n_days):
        if t % DECISION_DAYS == 0:
            # new machines for the coming interval: the fitted net growth of the running hashrate on the
            # hashprice signal of ``lag`` intervals before the one just ended, in the buckets where they
            # earn more than their power, arriving evenly over the interval's days
            day0 = t
            e_new = max(par[P_E_NEW0] * math.exp(par[P_E_NEW_G] * day0 / DAYS_PER_YEAR), par[P_E_FLOOR])
            capex = par[P_ASIC_PRICE] + par[P_FACILITY] * e_new * pue * 1e-6
            # the signal prices the subsidy of the year ahead (a halving within it), as the fit does
            fwd = (subsidy_sum_sat(height, FORWARD_BLOCKS) * 1e-8 / FORWARD_BLOCKS + f_prev) / (sub_sat * 1e-8 + f_prev)
            sig[lag] = hp_last * fwd
            signal = sig[0]
            for i in range(lag):
                sig[i] = sig[i + 1]
            cn_med = e_new * pue * 24.0 * par[P_POWER_MED] / 1000.0
            state, zg = normal(state)
            shock = par[P_DEP_PHI] * shock + par[P_DEP_SD] * math.sqrt(1.0 - par[P_DEP_PHI] ** 2) * zg
            g = -1.0
            if cn_med > 0.0 and signal > cn_med * par[P_DEP_XMIN]:
                # below the lowest margin the rule was fitted on nobody builds: no growth and no
                # replacement (the fitted rule is not extrapolated outside the margins it has seen)
                g = par[P_DEP_A] + par[P_DEP_B] * math.log(signal / cn_med) + shock
            # the rule is the net growth of the running hashrate (as fitted): new machines make up the gap
            # between the target and what still runs after retirements and switch-offs
            h_run, _ = _running(on, cap, cost)
            add_ths = 0.0
            if g > -1.0:
                add_ths = min(max(h_base * math.exp(min(g, par[P_DEP_GMAX])) - h_run, 0.0),
                              par[P_DEPLOY_SUPPLY] * DECISION_DAYS / DAYS_PER_YEAR)
            wsum = 0.0
            for bk in range(n_buck):
                pend[bk] = 0.0
                cn = e_new * pue * 24.0 * bprice[bk] / 1000.0
                m = hp_last - cn
                if m > 0.0 and capex / (m * 30.4375) < par[P_PAYBACK]:
                    wsum += bweight[bk]
            if add_ths > 0.0 and wsum > 0.0:
                for bk in range(n_buck):
                    cn = e_new * pue * 24.0 * bprice[bk] / 1000.0
                    m = hp_last - cn
                    if m > 0.0 and capex / (m * 30.4375) < par[P_PAYBACK]:
                        pend[bk] = add_ths * bweight[bk] / wsum / DECISION_DAYS
                        pcn[bk] = cn
            h_base = h_run + add_ths if wsum > 0.0 else h_run
            pe = e_new
        adding = False
        for bk in range(n_buck):
            add = pend[bk]
            if add > 0.0:
                c = new0 + bk
                tot = cap[c] + add
                cost[c] = (cap[c] * cost[c] + add * pcn[bk]) / tot
                eff[c] = (cap[c] * eff[c] + add * pe) / tot
                cap[c] = tot
                mw_ever += add * pe * pue * 1e-6
                adding = True
        if adding:
            dirty = True
        # price and fees
        state, z1, z2 = normal_pair(state)
        if given_p:
            logp = gprice[t]
        elif bootstrap:
            if t % block_days == 0:
                state, u = uniform(state)
                boot_start = int(u * n_hist)
            logp = logp + (hist[(boot_start + t % block_days) % n_hist] + par[P_BOOT_SHIFT])
        else:
            logp = logp + (mu + sigma * z1)
        p = math.exp(logp)
        y = phi * y + fee_sigma * z2
        f = gfee[t] if given_f else math.exp(logf0 + fee_g * (t + 1) + y)
        f_prev = f
        # hashprice of the day (market, then with the guarantee)
        hp = (sub_sat * 1e-8 + f) * p * kd
        hpe = max(hp, floor)
        # cohorts: hysteresis on the cost rate; the sums are redone only when a cohort flips
        lo = on_cr * hpe
        hi = off_cr * hpe
        flips = 0
        for c in range(n_coh):
            cc = cost[c]
            o = on[c]
            o2 = 1.0 if cc < lo else (0.0 if cc > hi else o)
            flips += (o2 != o) & (cap[c] > 0.0)
            on[c] = o2
            marg[c] += o2 * (hpe - cc)
        if flips > 0 or dirty:
            h_ths, pcost = _running(on, cap, cost)
            dirty = False
        # blocks, rewards, the chain
        lam = h_ths * kd
        if lam >= 10.0:
            if lam != lam_prev:
                pb, pa, pvr, plog, pinv = poisson_setup(lam)
                lam_prev = lam
            state, n = poisson_ptrs(state, lam, pb, pa, pvr, plog, pinv)
        else:
            state, n = poisson_small(state, lam)
        if height + n <= next_halving:
            sub_total = n * sub_sat
        else:
            sub_total = subsidy_sum_sat(height, n)
        reward = sub_total * 1e-8 + n * f
        top = (hpe - hp) * h_ths
        budget = reward * p + top
        s_hp += hp
        s_budget += budget
        s_top += top
        s_fees += n * f
        s_reward += reward
        s_cost += pcost
        s_blocks += n
        s_h += h_ths
        s_hpb += (sub_sat * 1e-8 + f) * kd
        hp_int += hpe
        height += n
        if height >= next_halving:
            sub_sat = subsidy_sat_at(height)
            next_halving = (height // HALVING_INTERVAL + 1) * HALVING_INTERVAL
        d_prev = d
        d, epoch_blocks, epoch_days = advance_epoch(d, epoch_blocks, epoch_days, n)
        if d != d_prev:
            kd = HASH_K / d

        day = t + 1
        if day % DECISION_DAYS == 0:
            # retirement of installed machines
            keep = 1.0 - par[P_RETIRE] * DECISION_DAYS / DAYS_PER_YEAR
            keep_idle = keep * (1.0 - par[P_IDLE_RETIRE] * DECISION_DAYS / DAYS_PER_YEAR)
            for c in range(n_coh):
                cap[c] = cap[c] * (keep if on[c] > 0.0 else keep_idle)
            # exits to AI: largest gap first, within the interval's lease supply
            quota = par[P_AI_SUPPLY] * DECISION_DAYS / DAYS_PER_YEAR
            for c in range(n_coh):
                if cap[c] > 0.0:
                    m = marg[c] * MARGIN_K / (eff[c] * pue)
                    gap[c] = par[P_AI_VALUE] - m - par[P_AI_THRESHOLD]
                else:
                    gap[c] = -1.0
            while quota > 0.0:
                best = -1
                bg = 0.0
                for c in range(n_coh):
                    if gap[c] > bg:
                        bg = gap[c]
                        best = c
                if best < 0:
                    break
                mw = cap[best] * eff[best] * pue * 1e-6
                if mw <= quota:
                    converted_mw += mw
                    quota -= mw
                    cap[best] = 0.0
                else:
                    cap[best] = cap[best] * (1.0 - quota / mw)
                    converted_mw += quota
                    quota = 0.0
                gap[best] = -1.0
            hp_last = hp_int / DECISION_DAYS
            for c in range(n_coh):
                marg[c] = 0.0
            hp_int = 0.0
            dirty = True

        if day == ends[row]:
            yr = row
            span = day - prev_end
            row += 1
            prev_end = day
            act = 0.0
            act_e = 0.0
            inst = 0.0
            for q in range(n_pool):
                poolh[q] = 0.0
            for c in range(n_coh):
                a = on[c] * cap[c]
                act += a
                act_e += a * eff[c]
                inst += cap[c]
                if a > 0.0:
                    for q in range(n_pool):
                        poolh[q] += a * wpool[c, q]
            tot = 0.0
            for q in range(n_pool):
                tot += poolh[q]
            hhi = 0.0
            if tot > 0.0:
                for q in range(n_pool):
                    if attributed[q] > 0.0:
                        sh = 100.0 * poolh[q] / tot
                        hhi += sh * sh
            e_att = max(par[P_E_NEW0] * math.exp(par[P_E_NEW_G] * day / DAYS_PER_YEAR), par[P_E_FLOOR])
            o = out[yr]
            o[0] = act * 1e-6
            o[1] = d
            o[2] = s_hp / span * 1e3
            o[3] = s_budget / span
            o[4] = act * par[P_ASIC_PRICE] + act * e_att * pue / 1e6 * par[P_FACILITY]
            o[5] = hhi
            o[6] = converted_mw / mw_ever if mw_ever > 0.0 else 0.0
            o[7] = (s_budget - s_cost) / s_budget if s_budget > 0.0 else 0.0
            o[8] = p
            o[9] = (s_fees / s_reward) if s_reward > 0.0 else 0.0
            o[10] = s_top / span
            o[11] = inst * 1e-6
            o[12] = s_fees / s_blocks if s_blocks > 0.0 else 0.0
            o[13] = s_blocks / span
            o[14] = act_e / act if act > 0.0 else 0.0
            o[15] = s_h / span * 1e-6
            o[16] = s_hpb / span * 1e3
            s_hp = 0.0
            s_budget = 0.0
            s_top = 0.0
            s_fees = 0.0
            s_reward = 0.0
            s_cost = 0.0
            s_blocks = 0.0
            s_h = 0.0
            s_hpb = 0.0


@njit(parallel=True, cache=True, fastmath=False)
def _kernel(seed, path0, ends, par, ipar, cap0, cost0, eff0, on0, bprice, bweight, wpool, attributed, hist,
            gprice, gfee, hp_past, out):
    for i in prange(out.shape[0]):
        _simulate_path(seed, path0 + i, ends, par, ipar, cap0, cost0, eff0, on0, bprice, bweight, wpool,
                       attributed, hist, gprice, gfee, hp_past, out[i])


# The default (workqueue) threading layer must not be entered from two threads at once.
_KERNEL_LOCK = threading.Lock()


def simulate(model, paths: int, years: int, seed: int, *, path0: int = 0, progress=None,
             chunk_paths: int | None = None, ends=None, price_path_usd=None, fee_path_btc_per_block=None
             ) -> np.ndarray:
    """Run the kernel for paths ``path0 .. path0 + paths - 1``; outputs of shape (paths, rows, len(OUTPUTS)).

    Parameters
    ----------
    model : hashpower.sim.calibrate.Model
        The calibrated scenario (arrays the kernel reads).
    paths, years : int
        Number of paths [-] and simulated years of 365 days [-] (one output row per year).
    seed : int
        Seed of the streams [-], in [0, 2^63).
    path0 : int, default 0
        Number of the first path: results depend only on (seed, path number).
    progress : callable, optional
        ``progress(done, total)`` after each chunk of paths.
    chunk_paths : int, optional
        Paths per kernel call (default: about a twentieth of the paths, at least 64).
    ends : sequence of int, optional
        Instead of years: the day (1-based, increasing) on which each output row ends; flows
        are means over the days since the previous row. ``years`` is then ignored.
    price_path_usd, fee_path_btc_per_block : sequence of float, optional
        Given daily paths (at least ``ends[-1]`` days, the first the day after the start):
        the bitcoin price [USD] and the fees per block [BTC] replace the simulated ones.
    """
    e = np.arange(1, years + 1, dtype=np.int64) * DAYS_PER_YEAR if ends is None \
        else np.ascontiguousarray(ends, dtype=np.int64)
    if e.size == 0 or e[0] < 1 or np.any(np.diff(e) <= 0):
        raise ValueError("ends must be increasing days >= 1")
    n_days = int(e[-1])
    gp = np.empty(0)
    gf = np.empty(0)
    if price_path_usd is not None:
        given = np.ascontiguousarray(price_path_usd, dtype=float)[:n_days]
        if given.size < n_days or not np.all(np.isfinite(given)) or np.any(given <= 0):
            raise ValueError(f"price_path_usd needs {n_days} positive daily prices")
        gp = np.log(given)
    if fee_path_btc_per_block is not None:
        gf = np.ascontiguousarray(fee_path_btc_per_block, dtype=float)[:n_days]
        if gf.size < n_days or not np.all(np.isfinite(gf)) or np.any(gf < 0):
            raise ValueError(f"fee_path_btc_per_block needs {n_days} non-negative daily fees")
    for name in ("par", "capacity_ths", "cost_usd_per_th_day", "efficiency_j_per_th", "hp_past"):
        if not np.all(np.isfinite(getattr(model, name))):
            raise ValueError(f"the calibrated model's {name} is not finite: the start data cannot be calibrated")
    out = np.zeros((paths, e.size, N_OUT))
    chunk = chunk_paths or max(64, -(-paths // 20))
    args = (model.par, model.ipar, model.capacity_ths, model.cost_usd_per_th_day, model.efficiency_j_per_th,
            model.on, model.bucket_price_usd_per_kwh, model.bucket_weight, model.pool_weights, model.attributed,
            model.hist_log_returns, gp, gf, model.hp_past)
    done = 0
    while done < paths:
        n = min(chunk, paths - done)
        with _KERNEL_LOCK:
            _kernel(np.uint64(seed), np.int64(path0 + done), e, *args, out[done:done + n])
        done += n
        if progress is not None:
            progress(done, paths)
    return out
