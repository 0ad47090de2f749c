"""What the calibration knew on a day: the daily history, the catalog, the pool shares and the AI leases.

:class:`History` holds the raw daily arrays of the store and the dated package
tables; :meth:`History.known_on` cuts every one of them to what was known on a
day (the history up to it, the machines released by it, the pool shares and
leases announced by it), and :func:`snapshot_at` builds the calibration's
:class:`~hashpower.sim.calibrate.Snapshot` from that cut alone. Every derived
series (the 7- and 30-day hashrates, the hashprice, the CBECI efficiency) is
computed here from the cut's raw arrays with trailing windows, so no figure of
a snapshot can depend on a day after it: the backtest's no-look-ahead test
changes every value after an origin and finds the forecast unchanged.

References
----------
.. [1] Cambridge Bitcoin Electricity Consumption Index (CBECI), methodology: the best
   guess is the mean efficiency of the profitable hardware released by the day.
.. [2] Taylor, M. B. (2017), "The Evolution of Bitcoin Hardware", IEEE Computer 50(9):
   the first ASIC miners shipped in early 2013, the start of the era the deployment
   rule's growth cap looks at.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from hashpower.models import network
from hashpower.sim import engine as E
from hashpower.sim.calibrate import FEE_START_DAYS, Snapshot

__all__ = ["ASIC_ERA_START", "CBECI_POWER_PRICE_USD_PER_KWH", "History", "MONTH_DAYS", "TIER_AGE_DAYS",
           "forward_reward_ratio", "snapshot_at", "tier_efficiencies"]

#: Days of one step of the monthly series the deployment rule is fitted on (the kernel's decision interval).
MONTH_DAYS = E.DECISION_DAYS
#: First day of the ASIC era [2]_: the growth cap looks at one-year rises from here on.
ASIC_ERA_START = np.datetime64("2013-01-01")
#: Window of the growth cap [days]: one halving cycle, as the price and deployment fits.
GROWTH_CAP_DAYS = 1461
#: Power price of the CBECI profitability threshold [USD/kWh] (CBECI's default) [1]_.
CBECI_POWER_PRICE_USD_PER_KWH = 0.05
#: Tier ages [days]: "latest" = released in the 2 years before the day, "mid" 2-4 years, "old" 4-6 years.
TIER_AGE_DAYS = (0, 730, 1461, 2191)


def _d(x) -> np.ndarray:
    return np.asarray(x).astype("datetime64[D]")


@dataclass(frozen=True, eq=False)
class History:
    """The raw daily arrays (one entry per day, no gaps) and the dated tables the calibration reads."""

    dates: np.ndarray                   # datetime64[D]
    price_usd: np.ndarray
    difficulty: np.ndarray
    blocks: np.ndarray
    height_end: np.ndarray
    subsidy_btc: np.ndarray
    fees_btc: np.ndarray
    machine_release: np.ndarray         # datetime64[D]
    machine_efficiency_j_per_th: np.ndarray
    lease_announced: np.ndarray         # datetime64[D]
    lease_usd_per_mw_year: np.ndarray
    pool_dates: np.ndarray              # datetime64[D], one per day of pool shares
    pool_labels: tuple[str, ...]
    pool_shares: np.ndarray             # (pool days, labels)
    asic_price_latest_usd_per_th: float

    def __post_init__(self) -> None:
        if self.dates.size < 2 or np.any(np.diff(self.dates.astype("int64")) != 1):
            raise ValueError("the history's dates must be consecutive days")

    def index_of(self, day) -> int:
        """Index of ``day`` in :attr:`dates`, or ``ValueError`` naming the range."""
        d = _d(day)
        i = int((d - self.dates[0]).astype(int))
        if not 0 <= i < self.dates.size:
            raise ValueError(f"day {d} is outside the history ({self.dates[0]} .. {self.dates[-1]})")
        return i

    def known_on(self, day) -> History:
        """Everything as known at the end of ``day``: later days, releases, pool shares and leases dropped."""
        d = _d(day)
        n = self.index_of(d) + 1
        mk = self.machine_release <= d
        lk = self.lease_announced <= d
        pk = self.pool_dates <= d
        return dataclasses.replace(
            self, dates=self.dates[:n], price_usd=self.price_usd[:n], difficulty=self.difficulty[:n],
            blocks=self.blocks[:n], height_end=self.height_end[:n], subsidy_btc=self.subsidy_btc[:n],
            fees_btc=self.fees_btc[:n], machine_release=self.machine_release[mk],
            machine_efficiency_j_per_th=self.machine_efficiency_j_per_th[mk], lease_announced=self.lease_announced[lk],
            lease_usd_per_mw_year=self.lease_usd_per_mw_year[lk], pool_dates=self.pool_dates[pk],
            pool_shares=self.pool_shares[pk])

    # ---------------------------------------------------------------- derived daily series (trailing only)

    def hashrate_ths(self, window_days: int) -> np.ndarray:
        """Hashrate over the trailing ``window_days`` [TH/s] from difficulty and blocks; NaN before a full window."""
        return network.hashrate_from_blocks(self.difficulty, self.blocks, window_days)[0] / 1e12

    def hashprice_usd_per_th_day(self) -> np.ndarray:
        """Hashprice of each day [USD/(TH/s)/day]: the day's reward per block x price x 86,400 x 10^12 / (D 2^32)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            per_block = (self.subsidy_btc + self.fees_btc) / self.blocks
            return per_block * self.price_usd * E.HASH_K / self.difficulty

    def fees_btc_per_block(self) -> np.ndarray:
        """Fees per block of each day [BTC] (NaN on a day without blocks)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.fees_btc / self.blocks


def _trailing_mean(x: np.ndarray, w: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(np.nan_to_num(x, nan=0.0))])
    n = np.concatenate([[0], np.cumsum(np.isfinite(x))])
    out = np.full(x.size, np.nan)
    if x.size >= w:
        cnt = n[w:] - n[:-w]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[w - 1:] = np.where(cnt > 0, (c[w:] - c[:-w]) / cnt, np.nan)
    return out


def tier_efficiencies(release: np.ndarray, efficiency: np.ndarray, day) -> tuple[np.ndarray, float]:
    """Median efficiency [J/TH] of the tiers (by age at ``day``) and of the new machines (released in the last year).

    A tier without a model takes the next older one's (or the newer one's) median; the new
    machines are the models released in the 365 days before ``day``, or the three latest.
    """
    d = _d(day)
    age = (d - release).astype(int)
    e = np.asarray(efficiency, dtype=float)
    if e.size == 0:
        raise ValueError(f"no machine of the catalog was released by {d}")
    tiers = []
    for lo, hi in zip(TIER_AGE_DAYS[:-1], TIER_AGE_DAYS[1:], strict=True):
        sel = (age >= lo) & (age < hi)
        tiers.append(float(np.median(e[sel])) if sel.any() else math.nan)
    for k in range(len(tiers)):  # fill a gap from the older tier first, then the newer
        if math.isnan(tiers[k]):
            older = [t for t in tiers[k + 1:] if not math.isnan(t)]
            newer = [t for t in tiers[:k] if not math.isnan(t)]
            tiers[k] = older[0] if older else (newer[-1] if newer else float(np.median(e)))
    tier_e = np.maximum.accumulate(np.array(tiers))  # older tiers are never more efficient
    recent = age < 365
    new_e = float(np.median(e[recent])) if recent.any() else float(np.median(e[np.argsort(age)[:3]]))
    return tier_e, new_e


def forward_reward_ratio(height: int, fees_btc_per_block: float) -> float:
    """Reward per block over the next year of blocks over today's: ``(mean subsidy ahead + fees) / (subsidy + fees)``.

    The subsidy ahead is the mean of the next 52,560 blocks (a year at 144 a day), so a miner
    buying machines prices a known halving within the year; fees are held at today's.
    """
    if not math.isfinite(fees_btc_per_block):
        fees_btc_per_block = 0.0
    now = float(E.subsidy_sat_at(height)) * 1e-8
    ahead = float(E.subsidy_sum_sat(height, E.FORWARD_BLOCKS)) * 1e-8 / E.FORWARD_BLOCKS
    return (ahead + fees_btc_per_block) / (now + fees_btc_per_block) if now + fees_btc_per_block > 0 else 1.0


def _epoch_days(ends: np.ndarray, blocks: np.ndarray) -> float:
    nxt = int(ends[-1]) + 1
    done = nxt % E.RETARGET_BLOCKS
    if done == 0:
        return 0.0
    start = nxt - done
    k = int(np.searchsorted(ends, start))  # the day holding the epoch's first block
    return float((ends.size - 1 - k) + (ends[k] - start + 1) / max(blocks[k], 1.0))


def snapshot_at(history: History, day, *, reference_lease_usd_per_mw_year: float) -> Snapshot:
    """The calibration data as known at the end of ``day`` (:meth:`History.known_on`).

    ``reference_lease_usd_per_mw_year`` stands for the AI lease when no lease was known yet
    (the AI supply is then zero: see :func:`hashpower.sim.calibrate.build`).
    """
    h = history.known_on(day)
    i = h.dates.size - 1
    if i < 400:
        raise ValueError(f"day {h.dates[-1]} leaves fewer than 400 days of history before it")
    price = h.price_usd
    ok_p = np.isfinite(price) & (price > 0)
    if not ok_p[i]:
        raise ValueError(f"day {h.dates[-1]} has no price")
    fpb = h.fees_btc_per_block()
    ok_f = np.isfinite(fpb) & (fpb > 0)
    h7 = h.hashrate_ths(7)
    h30 = h.hashrate_ths(30)
    hp = h.hashprice_usd_per_th_day()
    hp30 = _trailing_mean(hp, 30)

    # CBECI best guess on the day: mean efficiency of the profitable released models [1]
    rel = h.machine_release.astype("int64").astype(float)
    bounds = network.cbeci_power_bounds(h30[i:i + 1], hp[i:i + 1], np.array([float(h.dates[i].astype("int64"))]),
                                        rel, h.machine_efficiency_j_per_th, CBECI_POWER_PRICE_USD_PER_KWH)
    cbeci_e = float(bounds["best"][0] / (h30[i] * 1.10)) if h30[i] > 0 else math.nan
    tier_e, new_e = tier_efficiencies(h.machine_release, h.machine_efficiency_j_per_th, h.dates[i])

    # monthly series for the deployment rule: 30-day means every 30 days back from the day
    idx = np.arange(i, 29, -MONTH_DAYS)[::-1]
    m_h = h30[idx]
    fee30 = _trailing_mean(np.where(ok_f, fpb, np.nan), 30)
    m_hp = hp30[idx]
    m_fwd = np.array([forward_reward_ratio(int(h.height_end[j]) + 1, float(fee30[j])) for j in idx])
    m_e = np.array([tier_efficiencies(h.machine_release, h.machine_efficiency_j_per_th, h.dates[j])[1]
                    if (h.machine_release <= h.dates[j]).any() else math.nan for j in idx])
    ok_m = np.isfinite(m_h) & (m_h > 0) & np.isfinite(m_hp) & (m_hp > 0) & np.isfinite(m_e)
    bad = np.flatnonzero(~ok_m)
    keep = slice(int(bad[-1]) + 1 if bad.size else 0, None)  # the last run of whole months
    # the growth cap: the largest one-year log rise of the 30-day hashrate over the fit window (the last
    # halving cycle, 4 years), in the ASIC era, known by the day
    era = np.flatnonzero((h.dates >= ASIC_ERA_START) & (h.dates > h.dates[i] - np.timedelta64(GROWTH_CAP_DAYS, "D")))
    rise = math.nan
    if era.size > 365:
        a = h30[era[365:]]
        b = h30[era[:-365]]
        ok = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
        if ok.any():
            rise = float(np.max(np.log(a[ok] / b[ok])))

    # pool shares: the last day of shares known by the day, else no attribution (HHI 0)
    if h.pool_dates.size:
        sh = np.asarray(h.pool_shares[-1], dtype=float)
        sel = sh > 0
        labels = tuple(lab for lab, k in zip(h.pool_labels, sel, strict=True) if k) + ("unattributed",)
        shares = np.append(sh[sel], max(0.0, 1.0 - sh[sel].sum()))
        pool_date = str(h.pool_dates[-1])
    else:
        labels, shares, pool_date = ("unattributed",), np.array([1.0]), "none known"
    n_leases = int(h.lease_usd_per_mw_year.size)
    lease = float(np.median(h.lease_usd_per_mw_year)) if n_leases else float(reference_lease_usd_per_mw_year)

    return Snapshot(
        date=str(h.dates[i]), price_usd=float(price[i]), difficulty=float(h.difficulty[i]),
        height_end=int(h.height_end[i]), epoch_days=_epoch_days(h.height_end, h.blocks),
        hashrate_ths=float(h7[i]), fees_btc_per_block=float(np.mean(fpb[ok_f][-FEE_START_DAYS:])),
        log_returns=np.diff(np.log(price[ok_p])), log_fees_per_block=np.log(fpb[ok_f]),
        cbeci_efficiency_j_per_th=cbeci_e, pool_labels=labels, pool_shares=shares, pool_date=pool_date,
        ai_lease_median_usd_per_mw_year=lease, asic_price_latest_usd_per_th=float(h.asic_price_latest_usd_per_th),
        tier_efficiency_j_per_th=tier_e, new_efficiency_j_per_th=new_e,
        monthly_hashrate_ths=m_h[keep], monthly_hashprice_usd_per_th_day=m_hp[keep],
        monthly_new_efficiency_j_per_th=m_e[keep], monthly_forward_reward_ratio=m_fwd[keep],
        growth_cap_log_per_year=rise, ai_leases_known=n_leases,
    )

