"""The daily step of the scenario engine in plain Python: the oracle of the numba kernel.

Written separately from :mod:`hashpower.sim.engine`, line for line the same
model: the same random stream (splitmix64 with Python integers), the same
Poisson and normal draws, the same order of floating-point operations, so that
on the same ``(seed, path)`` it returns the kernel's numbers. It is slow
(about a microsecond per cohort and day) and only meant for small cases: the
tests compare it with the kernel and the benchmark measures the kernel's
speed-up over it. It redoes every sum every day, where the kernel skips the
days on which no cohort changes state.
"""

from __future__ import annotations

import math

import numpy as np

from hashpower.sim import engine as E

__all__ = ["simulate_reference"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TWO_M53 = 2.0**-53
_LOGGAM_A = [float(x) for x in E.LOGGAM_A]
_ZIG_X = [float(x) for x in E.ZIG_X]
_ZIG_F = [float(x) for x in E.ZIG_F]


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


class _Stream:
    """splitmix64 keyed by (seed, path), as the kernel's ``_path_state`` and ``_uniform``."""

    def __init__(self, seed: int, path: int) -> None:
        self.state = _mix((_mix(seed) + ((path + 1) * _GOLDEN & _MASK)) & _MASK)

    def uniform(self) -> float:
        self.state = (self.state + _GOLDEN) & _MASK
        return ((_mix(self.state) >> 11) + 0.5) * _TWO_M53

    def normal(self) -> float:
        """Ziggurat, as :func:`hashpower.sim.engine.normal`."""
        while True:
            self.state = (self.state + _GOLDEN) & _MASK
            z = _mix(self.state)
            i = z & 0xFF
            neg = (z >> 8) & 1
            x = (z >> 11) * _TWO_M53 * _ZIG_X[i]
            if x < _ZIG_X[i + 1]:
                return -x if neg else x
            if i == 0:
                while True:
                    a = -math.log(self.uniform()) / E.ZIG_R
                    b = -math.log(self.uniform())
                    if b + b > a * a:
                        break
                x = E.ZIG_R + a
                return -x if neg else x
            u = self.uniform()
            if _ZIG_F[i] + u * (_ZIG_F[i + 1] - _ZIG_F[i]) < math.exp(-0.5 * x * x):
                return -x if neg else x

    def normal_pair(self) -> tuple[float, float]:
        z1 = self.normal()
        return z1, self.normal()

    def poisson(self, lam: float) -> int:
        if lam < 10.0:
            if lam <= 0.0:
                return 0
            enlam = math.exp(-lam)
            k = 0
            prod = 1.0
            while True:
                prod = prod * self.uniform()
                if prod <= enlam:
                    return k
                k += 1
        b = 0.931 + 2.53 * math.sqrt(lam)
        a = -0.059 + 0.02483 * b
        vr = 0.9277 - 3.6224 / (b - 2.0)
        while True:
            u = self.uniform() - 0.5
            v = self.uniform()
            us = 0.5 - abs(u)
            k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0.0 or (us < 0.013 and v > us):
                continue
            invalpha = 1.1239 + 1.1328 / (b - 3.4)
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * math.log(lam) - _loggam(k + 1.0)):
                return k


def _loggam(x: float) -> float:
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7.0 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _LOGGAM_A[9]
    for k in range(8, -1, -1):
        gl0 = gl0 * x2
        gl0 = gl0 + _LOGGAM_A[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * math.log(x0) - x0
    for _ in range(n):
        gl = gl - math.log(x0 - 1.0)
        x0 = x0 - 1.0
    return gl


def _subsidy_sat(height: int) -> int:
    halvings = height // 210_000
    return 0 if halvings >= 64 else 5_000_000_000 >> halvings


def _subsidy_sum_sat(height: int, n: int) -> int:
    """Subsidy of the blocks ``height .. height + n - 1``, split at each halving they cross."""
    total = 0
    while n > 0:
        take = min(n, (height // 210_000 + 1) * 210_000 - height)
        total += take * _subsidy_sat(height)
        height += take
        n -= take
    return total


def _retarget(d: float, elapsed_days: float) -> float:
    actual = elapsed_days * 86400.0 * 2015.0 / 2016.0
    actual = min(max(actual, E.TIMESPAN_S / 4.0), E.TIMESPAN_S * 4.0)
    return d * E.TIMESPAN_S / actual


def _running(on: list[float], cap: list[float], cost: list[float]) -> tuple[float, float]:
    h = [0.0] * E.LANES
    k = [0.0] * E.LANES
    for c in range(len(on)):
        a = on[c] * cap[c]
        h[c % E.LANES] += a
        k[c % E.LANES] += a * cost[c]
    return (h[0] + h[1]) + (h[2] + h[3]), (k[0] + k[1]) + (k[2] + k[3])


def _path(model, seed: int, path: int, ends: list[int], out: np.ndarray, gprice: list[float],  # noqa: C901
          gfee: list[float]) -> None:
    par = [float(x) for x in model.par]
    ip = [int(x) for x in model.ipar]
    cap = [float(x) for x in model.capacity_ths]
    cost = [float(x) for x in model.cost_usd_per_th_day]
    eff = [float(x) for x in model.efficiency_j_per_th]
    on = [float(x) for x in model.on]
    bprice = [float(x) for x in model.bucket_price_usd_per_kwh]
    bweight = [float(x) for x in model.bucket_weight]
    wpool = [[float(x) for x in row] for row in model.pool_weights]
    attributed = [float(x) for x in model.attributed]
    hist = [float(x) for x in model.hist_log_returns]
    n_coh, n_pool = len(cap), len(attributed)
    marg = [0.0] * n_coh
    rng = _Stream(seed, path)
    pue = par[E.P_PUE]
    block_days = ip[E.I_BLOCK_DAYS]
    logp = par[E.P_LOGP0]
    y = 0.0
    d = par[E.P_D0]
    height = ip[E.I_HEIGHT0]
    epoch_blocks = ip[E.I_EPOCH_BLOCKS0]
    epoch_days = par[E.P_EPOCH_DAYS0]
    converted_mw = 0.0
    mw_ever = par[E.P_MW_EVER0]
    hp_int = 0.0
    sums = dict.fromkeys(("hp", "budget", "top", "fees", "reward", "cost", "blocks"), 0.0)
    boot_start = 0
    p = math.exp(logp)
    hp_past = [float(x) for x in model.hp_past]
    lag = ip[E.I_DEP_LAG]
    sig = hp_past[len(hp_past) - 1 - lag:len(hp_past) - 1] + [0.0]
    hp_last = hp_past[-1]
    f_prev = math.exp(par[E.P_LOGF0])
    h_base = sum(o * c for o, c in zip(on, cap, strict=True))
    shock = 0.0
    n_buck = len(bprice)
    pend = [0.0] * n_buck
    pcn = [0.0] * n_buck
    pe = 0.0
    row, prev_end = 0, 0
    s_h = s_hpb = 0.0
    for t in range(ends[-1]):
        if t % E.DECISION_DAYS == 0:
            # new machines for the coming interval (the engine's rule, step by step)
            e_new = max(par[E.P_E_NEW0] * math.exp(par[E.P_E_NEW_G] * t / E.DAYS_PER_YEAR), par[E.P_E_FLOOR])
            capex = par[E.P_ASIC_PRICE] + par[E.P_FACILITY] * e_new * pue * 1e-6
            fwd = ((_subsidy_sum_sat(height, E.FORWARD_BLOCKS) * 1e-8 / E.FORWARD_BLOCKS + f_prev)
                   / (_subsidy_sat(height) * 1e-8 + f_prev))
            sig[lag] = hp_last * fwd
            signal = sig[0]
            sig = sig[1:] + [0.0]
            cn_med = e_new * pue * 24.0 * par[E.P_POWER_MED] / 1000.0
            zg = rng.normal()
            shock = par[E.P_DEP_PHI] * shock + par[E.P_DEP_SD] * math.sqrt(1.0 - par[E.P_DEP_PHI] ** 2) * zg
            g = -1.0
            if cn_med > 0.0 and signal > cn_med * par[E.P_DEP_XMIN]:
                g = par[E.P_DEP_A] + par[E.P_DEP_B] * math.log(signal / cn_med) + shock
            h_run, _ = _running(on, cap, cost)
            add_ths = 0.0
            if g > -1.0:
                add_ths = min(max(h_base * math.exp(min(g, par[E.P_DEP_GMAX])) - h_run, 0.0),
                              par[E.P_DEPLOY_SUPPLY] * E.DECISION_DAYS / E.DAYS_PER_YEAR)
            ok = []
            for bk in range(n_buck):
                cn = e_new * pue * 24.0 * bprice[bk] / 1000.0
                m = hp_last - cn
                ok.append(m > 0.0 and capex / (m * 30.4375) < par[E.P_PAYBACK])
            wsum = 0.0
            for bk in range(n_buck):
                if ok[bk]:
                    wsum += bweight[bk]
            pend = [0.0] * n_buck
            if add_ths > 0.0 and wsum > 0.0:
                for bk in range(n_buck):
                    if ok[bk]:
                        pend[bk] = add_ths * bweight[bk] / wsum / E.DECISION_DAYS
                        pcn[bk] = e_new * pue * 24.0 * bprice[bk] / 1000.0
            h_base = h_run + add_ths if wsum > 0.0 else h_run
            pe = e_new
        for bk in range(n_buck):
            add = pend[bk]
            if add > 0.0:
                c = ip[E.I_NEW0] + bk
                tot = cap[c] + add
                cost[c] = (cap[c] * cost[c] + add * pcn[bk]) / tot
                eff[c] = (cap[c] * eff[c] + add * pe) / tot
                cap[c] = tot
                mw_ever += add * pe * pue * 1e-6
        # price and fees
        z1, z2 = rng.normal_pair()
        if gprice:
            logp = gprice[t]
        elif ip[E.I_PRICE_MODEL] == 1:
            if t % block_days == 0:
                boot_start = int(rng.uniform() * len(hist))
            logp = logp + (hist[(boot_start + t % block_days) % len(hist)] + par[E.P_BOOT_SHIFT])
        else:
            logp = logp + (par[E.P_MU] + par[E.P_SIGMA] * z1)
        p = math.exp(logp)
        y = par[E.P_FEE_PHI] * y + par[E.P_FEE_SIGMA] * z2
        f = gfee[t] if gfee else math.exp(par[E.P_LOGF0] + par[E.P_FEE_G] * (t + 1) + y)
        f_prev = f
        # hashprice
        kd = E.HASH_K / d
        hp = (_subsidy_sat(height) * 1e-8 + f) * p * kd
        hpe = max(hp, par[E.P_HP_FLOOR])
        # cohorts: switch on below on_cost_rate, off above off_cost_rate, else keep the state
        lo = par[E.P_ON_CR] * hpe
        hi = par[E.P_OFF_CR] * hpe
        for c in range(n_coh):
            if cost[c] < lo:
                on[c] = 1.0
            elif cost[c] > hi:
                on[c] = 0.0
            marg[c] += on[c] * (hpe - cost[c])
        h_ths, pcost = _running(on, cap, cost)
        # blocks and rewards
        n = rng.poisson(h_ths * kd)
        sub_total = _subsidy_sum_sat(height, n)
        reward = sub_total * 1e-8 + n * f
        top = (hpe - hp) * h_ths
        budget = reward * p + top
        for k, v in (("hp", hp), ("budget", budget), ("top", top), ("fees", n * f), ("reward", reward),
                     ("cost", pcost), ("blocks", n)):
            sums[k] += v
        s_h += h_ths
        s_hpb += (_subsidy_sat(height) * 1e-8 + f) * kd
        hp_int += hpe
        height += n
        # the epoch: blocks spread evenly over the day, retarget at each 2016th
        before, pos, t_used = epoch_blocks, 0, 0.0
        while before + (n - pos) >= E.RETARGET_BLOCKS:
            pos += E.RETARGET_BLOCKS - before
            t_at = pos / n
            d = _retarget(d, epoch_days + (t_at - t_used))
            before, epoch_days, t_used = 0, 0.0, t_at
        epoch_blocks = before + (n - pos)
        epoch_days = epoch_days + (1.0 - t_used)

        day = t + 1
        if day % E.DECISION_DAYS == 0:
            keep = 1.0 - par[E.P_RETIRE] * E.DECISION_DAYS / E.DAYS_PER_YEAR
            keep_idle = keep * (1.0 - par[E.P_IDLE_RETIRE] * E.DECISION_DAYS / E.DAYS_PER_YEAR)
            cap = [x * (keep if o > 0.0 else keep_idle) for x, o in zip(cap, on, strict=True)]
            quota = par[E.P_AI_SUPPLY] * E.DECISION_DAYS / E.DAYS_PER_YEAR
            gap = []
            for c in range(n_coh):
                if cap[c] > 0.0:
                    m = marg[c] * E.MARGIN_K / (eff[c] * pue)
                    gap.append(par[E.P_AI_VALUE] - m - par[E.P_AI_THRESHOLD])
                else:
                    gap.append(-1.0)
            while quota > 0.0:
                best, bg = -1, 0.0
                for c in range(n_coh):
                    if gap[c] > bg:
                        best, bg = c, gap[c]
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
            marg = [0.0] * n_coh
            hp_last = hp_int / E.DECISION_DAYS
            hp_int = 0.0

        if day == ends[row]:
            yr = row
            span = day - prev_end
            row += 1
            prev_end = day
            act = act_e = inst = 0.0
            poolh = [0.0] * n_pool
            for c in range(n_coh):
                a = on[c] * cap[c]
                act += a
                act_e += a * eff[c]
                inst += cap[c]
                if a > 0.0:
                    for q in range(n_pool):
                        poolh[q] += a * wpool[c][q]
            tot = 0.0
            for q in range(n_pool):
                tot += poolh[q]
            hhi = 0.0
            if tot > 0.0:
                for q in range(n_pool):
                    if attributed[q] > 0.0:
                        sh = 100.0 * poolh[q] / tot
                        hhi += sh * sh
            e_att = max(par[E.P_E_NEW0] * math.exp(par[E.P_E_NEW_G] * day / E.DAYS_PER_YEAR), par[E.P_E_FLOOR])
            s = sums
            out[yr] = [
                act * 1e-6, d, s["hp"] / span * 1e3, s["budget"] / span,
                act * par[E.P_ASIC_PRICE] + act * e_att * pue / 1e6 * par[E.P_FACILITY], hhi,
                converted_mw / mw_ever if mw_ever > 0.0 else 0.0,
                (s["budget"] - s["cost"]) / s["budget"] if s["budget"] > 0.0 else 0.0,
                p, s["fees"] / s["reward"] if s["reward"] > 0.0 else 0.0, s["top"] / span, inst * 1e-6,
                s["fees"] / s["blocks"] if s["blocks"] > 0.0 else 0.0, s["blocks"] / span,
                act_e / act if act > 0.0 else 0.0, s_h / span * 1e-6, s_hpb / span * 1e3,
            ]
            sums = dict.fromkeys(sums, 0.0)
            s_h = s_hpb = 0.0


def simulate_reference(model, paths: int, years: int, seed: int, *, path0: int = 0, ends=None,
                       price_path_usd=None, fee_path_btc_per_block=None) -> np.ndarray:
    """The kernel's outputs, shape (paths, rows, len(OUTPUTS)), computed in plain Python.

    Same arguments and numbers as :func:`hashpower.sim.engine.simulate`; slow, for small cases.
    """
    e = [E.DAYS_PER_YEAR * (k + 1) for k in range(years)] if ends is None else [int(x) for x in ends]
    gp = [] if price_path_usd is None else [math.log(float(x)) for x in price_path_usd[:e[-1]]]
    gf = [] if fee_path_btc_per_block is None else [float(x) for x in fee_path_btc_per_block[:e[-1]]]
    out = np.zeros((paths, len(e), E.N_OUT))
    for i in range(paths):
        _path(model, int(seed), path0 + i, e, out[i], gp, gf)
    return out
