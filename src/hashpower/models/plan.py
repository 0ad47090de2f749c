"""The hourly run/curtail plan: in each hour, each machine group runs or is curtailed, exactly optimal.

A group is the units of one model at one site. They are identical, so they move together: a group is
on or off as a whole in an hour (``units_on`` is its count or 0). The site's uptime is not a split of
the group: as in :func:`hashpower.models.fleet.daily_pnl` it scales a running unit's hashrate and
draw (the expected share of the hour it hashes).

In hour t a running unit of hashrate h [TH/s] and power w [W] earns and costs

    revenue_t = h x hashprice_t / 24 x uptime x (1 - pool fee)
    cost_t    = w x PUE x uptime / 1000 x (price_t + hosting fee)

and a curtailed unit earns the demand-response credit on the energy it does not draw,

    credit_t  = credit [USD/MWh] / 1000 x w x PUE x uptime / 1000.

The plan maximises the sum over the hours of ``revenue - cost`` (hours on) plus ``credit`` (hours
off). With minimum spells of one hour this is the hour-by-hour rule: on exactly when ``revenue - cost >
credit``. With longer minimum on (``min_run_hours``) and off (``min_off_hours``) spells it is a dynamic
programme over the states (on or off, hours still required before a switch), vectorised over the
groups: :func:`schedule`. It is exact: every schedule honouring the spells is a path through these
states, and the programme keeps the best path into every state at every hour (Bellman's principle
of optimality [1]_); ``tests/test_plan.py`` checks it against all 2^n schedules of short spans.

The span's edges are free: the group is taken to have been in its state long enough before the first
hour (it may switch at once), and a spell that reaches the last hour may be shorter than the minimum
(it continues after the span). ``curtail = false`` keeps a site's groups on in every hour.

References
----------
.. [1] R. Bellman, *Dynamic Programming*, Princeton University Press, 1957, chapter III.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models import fleet as fl
from hashpower.models.checks import number

__all__ = ["MAX_ABS_PRICE_USD_PER_KWH", "Plan", "plan", "schedule", "tariff_economics"]

HOURS_PER_DAY = 24
#: Largest |hourly price| accepted [USD/kWh]: 10 x the price files' bound of 100 USD/kWh (100,000 USD/MWh, 20 x
#: ERCOT's offer cap), room for a site's adder; beyond it a price is a unit error.
MAX_ABS_PRICE_USD_PER_KWH = 1000.0


def _spells(name: str, value: ArrayLike, groups: int) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype.kind not in "iu" and not (a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a))):
        raise ValueError(f"{name} must be whole hours in [1, {fl.MAX_SPELL_HOURS}], got {value!r}")
    a = np.broadcast_to(a.astype(np.int64), (groups,)).copy()
    if a.size and (a.min() < 1 or a.max() > fl.MAX_SPELL_HOURS):
        bad = a[(a < 1) | (a > fl.MAX_SPELL_HOURS)][0]
        raise ValueError(f"{name} must be whole hours in [1, {fl.MAX_SPELL_HOURS}], got {int(bad)}")
    return a


def schedule(value_on: ArrayLike, value_off: ArrayLike, min_run_hours: ArrayLike = 1,
             min_off_hours: ArrayLike = 1) -> np.ndarray:
    """The on/off schedule of each group that maximises the sum of its hours' values.

    Parameters
    ----------
    value_on : array_like, shape (groups, hours)
        Value of an hour on [USD] (revenue - cost), finite.
    value_off : array_like, shape (groups, hours)
        Value of an hour off [USD] (the credit), finite.
    min_run_hours, min_off_hours : int or array_like of int, shape (groups,)
        Shortest spell on and off [h], in [1, 168]; default 1 (the hour-by-hour rule).

    Returns
    -------
    numpy.ndarray of bool, shape (groups, hours)
        True where the group runs. Every spell that touches neither edge of the span lasts at least
        its minimum (see the module's notes on the edges).

    Notes
    -----
    State ``(on, c)``: on, and ``c`` more hours on before a switch is allowed (``c = 0``: free).
    Switching on enters ``(on, min_run_hours - 1)``; each hour on takes ``c`` down by one, to 0;
    only ``(on, 0)`` may switch off; likewise off. ``V_t(s) = value_t(s) + max over the
    predecessors of V_{t-1}``, with both free states allowed at the first hour; the schedule is read
    back from the best final state. Cost: O(hours x groups x (min_run + min_off)) time, two bytes per
    group and hour of memory.
    """
    v1 = np.asarray(value_on, dtype=float)
    v0 = np.asarray(value_off, dtype=float)
    if v1.ndim != 2 or v1.shape != v0.shape:
        raise ValueError(f"value_on and value_off must be arrays of the same shape (groups, hours), got "
                         f"{v1.shape} and {v0.shape}")
    if not (np.all(np.isfinite(v1)) and np.all(np.isfinite(v0))):
        raise ValueError("value_on and value_off must be finite")
    g, n = v1.shape
    run = _spells("min_run_hours", min_run_hours, g)
    off = _spells("min_off_hours", min_off_hours, g)
    out = v1 > v0
    hard = np.flatnonzero((run > 1) | (off > 1))
    if hard.size and n > 1:
        out[hard] = _dp(v1[hard], v0[hard], run[hard], off[hard])
    return out


def _dp(v1: np.ndarray, v0: np.ndarray, run: np.ndarray, off: np.ndarray) -> np.ndarray:
    g, n = v1.shape
    r_max, f_max = int(run.max()), int(off.max())
    neg = -np.inf
    a_on = np.full((g, r_max + 1), neg)  # one spare column of -inf: the shift's source past the last state
    a_off = np.full((g, f_max + 1), neg)
    a_on[:, 0], a_off[:, 0] = v1[:, 0], v0[:, 0]
    enter_on = np.flatnonzero(run > 1)  # groups whose switch on enters (on, run - 1) with run - 1 >= 1
    enter_off = np.flatnonzero(off > 1)
    col_on, col_off = run[enter_on] - 1, off[enter_off] - 1
    free_on, free_off = run == 1, off == 1  # a switch enters the free state directly
    ch_on = np.zeros((n, g), dtype=np.int8)  # predecessor of (on, 0): 0 (on, 0), 1 (on, 1), 2 (off, 0)
    ch_off = np.zeros((n, g), dtype=np.int8)
    b_on, b_off = np.empty_like(a_on), np.empty_like(a_off)
    for t in range(1, n):
        on0, on1, off0, off1 = a_on[:, 0], a_on[:, 1], a_off[:, 0], a_off[:, 1]
        sw_on = np.where(free_on, off0, neg)
        sw_off = np.where(free_off, on0, neg)
        stay_on = np.maximum(on0, on1)
        stay_off = np.maximum(off0, off1)
        c = (on1 > on0).astype(np.int8)
        c[sw_on > stay_on] = 2
        ch_on[t] = c
        c = (off1 > off0).astype(np.int8)
        c[sw_off > stay_off] = 2
        ch_off[t] = c
        b_on[:, 1:r_max] = a_on[:, 2:r_max + 1]
        b_on[:, r_max] = neg
        b_off[:, 1:f_max] = a_off[:, 2:f_max + 1]
        b_off[:, f_max] = neg
        b_on[enter_on, col_on] = off0[enter_on]
        b_off[enter_off, col_off] = on0[enter_off]
        b_on[:, 0] = np.maximum(stay_on, sw_on)
        b_off[:, 0] = np.maximum(stay_off, sw_off)
        b_on += v1[:, t, None]
        b_off += v0[:, t, None]
        a_on, b_on = b_on, a_on
        a_off, b_off = b_off, a_off
    # read back from the best final state
    best_on, best_off = a_on.max(axis=1), a_off.max(axis=1)
    is_on = best_on >= best_off
    c = np.where(is_on, a_on.argmax(axis=1), a_off.argmax(axis=1))
    out = np.empty((g, n), dtype=bool)
    rows = np.arange(g)
    for t in range(n - 1, 0, -1):
        out[:, t] = is_on
        spell = np.where(is_on, run, off)
        at0 = c == 0
        code = np.where(is_on, ch_on[t], ch_off[t])
        entered = ~at0 & (c == spell - 1)  # the first hour of a spell: the previous hour was free, other state
        nxt_on = np.where(at0, np.where(code == 2, ~is_on, is_on), np.where(entered, ~is_on, is_on))
        nxt_c = np.where(at0, np.where(code == 1, 1, 0), np.where(entered, 0, c + 1))
        is_on, c = nxt_on, nxt_c
    out[rows, 0] = is_on
    return out


@dataclass(frozen=True)
class Plan:
    """A fleet's hourly plan: the schedule and the per-unit figures each group's money is made of.

    The money and energy arrays (properties) are per group and hour, for the whole group [USD, MWh].
    """

    on: np.ndarray  # (groups, hours) bool
    count: np.ndarray  # (groups,) units
    kwh_per_unit_hour: np.ndarray  # (groups,) energy of a running unit in an hour [kWh]
    revenue_per_unit_hour: np.ndarray  # (groups, hours) [USD]
    power_cost_per_unit_hour: np.ndarray  # (groups, hours) [USD], the hosting fee included
    credit_per_unit_hour: np.ndarray  # (groups,) [USD] earned by a curtailed unit

    def _on(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.on, x * self.count[:, None], 0.0)

    @property
    def units_on(self) -> np.ndarray:
        """Units running [-], (groups, hours)."""
        return np.where(self.on, self.count[:, None], 0)

    @property
    def energy_mwh(self) -> np.ndarray:
        """Energy drawn [MWh], (groups, hours)."""
        return self._on(np.broadcast_to(self.kwh_per_unit_hour[:, None] / 1000.0, self.on.shape))

    @property
    def revenue_usd(self) -> np.ndarray:
        """Revenue [USD], (groups, hours)."""
        return self._on(self.revenue_per_unit_hour)

    @property
    def power_cost_usd(self) -> np.ndarray:
        """Power cost, the hosting fee included [USD], (groups, hours)."""
        return self._on(self.power_cost_per_unit_hour)

    @property
    def credit_usd(self) -> np.ndarray:
        """Curtailment credit [USD], (groups, hours)."""
        return np.where(self.on, 0.0, (self.credit_per_unit_hour * self.count)[:, None])

    @property
    def margin_usd(self) -> np.ndarray:
        """Revenue - power cost + credit [USD], (groups, hours)."""
        return self.revenue_usd - self.power_cost_usd + self.credit_usd

    @property
    def always_on_energy_mwh(self) -> np.ndarray:
        """Energy if always on [MWh], (groups, hours)."""
        return np.broadcast_to((self.kwh_per_unit_hour * self.count / 1000.0)[:, None], self.on.shape)

    @property
    def always_on_revenue_usd(self) -> np.ndarray:
        """Revenue if always on [USD], (groups, hours)."""
        return self.revenue_per_unit_hour * self.count[:, None]

    @property
    def always_on_power_cost_usd(self) -> np.ndarray:
        """Power cost if always on [USD], (groups, hours)."""
        return self.power_cost_per_unit_hour * self.count[:, None]


def plan(fleet: fl.Fleet, price_usd_per_kwh: ArrayLike, hashprice_usd_per_th_day: ArrayLike) -> Plan:
    """The hourly run/curtail plan of every machine group of a fleet (the method: the module's notes).

    Parameters
    ----------
    fleet : Fleet
        Sites (their PUE, pool fee, hosting fee, uptime, curtail, curtailment credit and minimum
        spells) and machine groups.
    price_usd_per_kwh : array_like, shape (sites, hours)
        Each site's power price in each hour [USD/kWh], finite, |price| <= 1000; negative prices
        are allowed (running then earns on the power too).
    hashprice_usd_per_th_day : array_like, shape (hours,)
        The hashprice in force in each hour [USD/(TH/s)/day], >= 0 (a day's value in each of its hours).

    Returns
    -------
    Plan
        The schedule and the figures of every group and hour.
    """
    price = np.asarray(price_usd_per_kwh, dtype=float)
    n_sites = len(fleet.sites)
    if price.ndim != 2 or price.shape[0] != n_sites:
        raise ValueError(f"price_usd_per_kwh must have shape (sites={n_sites}, hours), got {price.shape}")
    number("price_usd_per_kwh", price, lo=-MAX_ABS_PRICE_USD_PER_KWH, hi=MAX_ABS_PRICE_USD_PER_KWH)
    hp = number("hashprice_usd_per_th_day", hashprice_usd_per_th_day)
    if hp.ndim != 1 or hp.size != price.shape[1]:
        raise ValueError(f"hashprice_usd_per_th_day must have shape (hours={price.shape[1]},), got {hp.shape}")
    s = fleet.group_site
    pue = np.array([x.pue for x in fleet.sites])[s]
    up = np.array([x.uptime for x in fleet.sites])[s]
    keep = 1.0 - np.array([x.pool_fee_rate for x in fleet.sites])[s]
    host = np.array([x.hosting_fee_usd_per_kwh for x in fleet.sites])[s]
    credit_kwh = np.array([x.curtailment_credit_usd_per_mwh for x in fleet.sites])[s] / 1000.0
    kwh = fleet.group_power_w * pue * up / 1000.0
    rev = (fleet.group_hashrate_ths * up * keep / HOURS_PER_DAY)[:, None] * hp[None, :]
    cost = kwh[:, None] * (price[s] + host[:, None])
    credit = credit_kwh * kwh
    curtail = np.array([x.curtail for x in fleet.sites], dtype=bool)[s]
    on = np.ones(rev.shape, dtype=bool)
    k = np.flatnonzero(curtail)
    if k.size:
        run = np.array([x.min_run_hours for x in fleet.sites])[s[k]]
        off = np.array([x.min_off_hours for x in fleet.sites])[s[k]]
        on[k] = schedule(rev[k] - cost[k], np.broadcast_to(credit[k, None], (k.size, rev.shape[1])), run, off)
    return Plan(on, fleet.group_count.astype(np.int64), kwh, rev, cost, credit)


def tariff_economics(hashrate_ths: ArrayLike, power_w: ArrayLike, hashprice_usd_per_th_day: float,
                     price_usd_per_kwh: ArrayLike, *, pue: float = 1.0, pool_fee_rate: float = 0.0,
                     hosting_fee_usd_per_kwh: float = 0.0, uptime: float = 1.0) -> dict[str, np.ndarray]:
    """One unit of each model under an hourly tariff, curtailed in the hours it would run at a loss.

    Parameters
    ----------
    hashrate_ths, power_w : array_like, shape (models,)
        Hashrate [TH/s] and power [W] of each model, >= 0.
    hashprice_usd_per_th_day : float
        Hashprice [USD/(TH/s)/day], >= 0, the same in every hour.
    price_usd_per_kwh : array_like, shape (hours,)
        The tariff's hours [USD/kWh]: 24 for a daily shape, or a series of whole days.
    pue, pool_fee_rate, hosting_fee_usd_per_kwh, uptime : float
        As in :func:`hashpower.models.machines.cost_rate` (PUE >= 1, rates as decimals).

    Returns
    -------
    dict of numpy.ndarray, shape (models,)
        Per day (the hours' sums x 24 / hours): ``revenue_usd_per_day``, ``hours_on_per_day`` [h],
        ``energy_kwh_per_day``, ``power_cost_usd_per_day`` (the hosting fee included),
        ``margin_usd_per_day``, and ``effective_power_price_usd_per_kwh``: the mean tariff price of the
        hours run (NaN when it never runs), comparable with the tariff's mean.

    Notes
    -----
    The hour-by-hour rule of :func:`plan` without credit: on in hour t exactly when
    ``h x hashprice / 24 x uptime x (1 - fee) > w x PUE x uptime / 1000 x (price_t + hosting)``.
    """
    ths = number("hashrate_ths", hashrate_ths)
    w = number("power_w", power_w)
    hp = float(number("hashprice_usd_per_th_day", hashprice_usd_per_th_day))
    p = number("price_usd_per_kwh", price_usd_per_kwh, lo=-MAX_ABS_PRICE_USD_PER_KWH, hi=MAX_ABS_PRICE_USD_PER_KWH)
    if p.ndim != 1 or p.size == 0 or p.size % HOURS_PER_DAY:
        raise ValueError(f"price_usd_per_kwh must be whole days of hours (24, 48, ...), got {p.size}")
    u = float(number("pue", pue, lo=1.0))
    fee = float(number("pool_fee_rate", pool_fee_rate, hi=1.0))
    host = float(number("hosting_fee_usd_per_kwh", hosting_fee_usd_per_kwh))
    up = float(number("uptime", uptime, hi=1.0))
    kwh = w * u * up / 1000.0  # (models,)
    rev_h = ths * hp / HOURS_PER_DAY * up * (1.0 - fee)
    on = rev_h[:, None] > kwh[:, None] * (p[None, :] + host)
    per_day = HOURS_PER_DAY / p.size
    hours = on.sum(axis=1)
    paid = np.where(on, p[None, :], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(hours > 0, paid / np.maximum(hours, 1), np.nan)
    cost = kwh * (paid + host * hours) * per_day
    revenue = rev_h * hours * per_day
    return {"revenue_usd_per_day": revenue, "hours_on_per_day": hours * per_day,
            "energy_kwh_per_day": kwh * hours * per_day, "power_cost_usd_per_day": cost,
            "margin_usd_per_day": revenue - cost, "effective_power_price_usd_per_kwh": eff}
