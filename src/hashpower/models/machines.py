"""The ASIC catalog and the unit economics of a mining machine.

The catalog (``data/machines.csv``, a source per row, see ``data/SOURCES.md``)
lists SHA-256 ASICs 2014-2025 with nameplate hashrate and power; users can add
or override models from their own CSV. Unit economics follow the cost-rate
convention of the Hashrate Index: power cost per day over revenue per day.

All economics functions take array-likes and broadcast, so one call covers a
whole history (days) against a whole catalog (models).

References
----------
.. [1] Luxor Hashrate Index, "Bitcoin mining cost rate" and hashprice
   methodology (hashrateindex.com).
.. [2] Cambridge Bitcoin Electricity Consumption Index, methodology
   (profitability threshold of hardware), ccaf.io/cbnsi/cbeci/methodology.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.checks import number

__all__ = [
    "GENERATIONS",
    "GENERATION_EDGES_J_PER_TH",
    "Catalog",
    "breakeven_hashprice",
    "breakeven_power_price",
    "build_catalog",
    "cost_rate",
    "generation",
    "payback_months",
    "power_cost_usd_per_day",
    "revenue_usd_per_day",
    "shutdown_price_usd",
]

#: Efficiency tiers [J/TH]: latest < 19 <= mid < 25 <= old <= 38 < obsolete, the tiers the
#: Hashrate Index uses for its ASIC price index and cost rates ("under 19 J/TH", "19-25",
#: "25-38", "over 38") [1].
GENERATION_EDGES_J_PER_TH = (19.0, 25.0, 38.0)
GENERATIONS = ("latest", "mid", "old", "obsolete")
HOURS_PER_DAY = 24.0

_REQUIRED = ("manufacturer", "model", "hashrate_ths", "power_w")
_OPTIONAL = ("release", "release_date", "efficiency_j_per_th", "cooling", "generation", "source")
_COOLING = ("air", "hydro", "immersion")




def generation(efficiency_j_per_th: ArrayLike) -> np.ndarray:
    """The generation tier of machines by efficiency.

    Parameters
    ----------
    efficiency_j_per_th : array_like
        Machine efficiency [J/TH], > 0.

    Returns
    -------
    numpy.ndarray of str
        "latest" (< 19 J/TH), "mid" (19-25), "old" (25-38) or "obsolete" (> 38) [1]_.

    References
    ----------
    .. [1] Luxor Hashrate Index, ASIC price index efficiency tiers.
    """
    e = number("efficiency_j_per_th", efficiency_j_per_th, strict=True)
    lo, mid, hi = GENERATION_EDGES_J_PER_TH
    idx = np.where(e < lo, 0, np.where(e < mid, 1, np.where(e <= hi, 2, 3)))
    return np.asarray(GENERATIONS, dtype=object)[idx]


def power_cost_usd_per_day(
    power_w: ArrayLike,
    power_price_usd_per_kwh: ArrayLike,
    *,
    pue: ArrayLike = 1.0,
    uptime: ArrayLike = 1.0,
    hosting_fee_usd_per_kwh: ArrayLike = 0.0,
) -> np.ndarray:
    """Electricity (and hosting) cost of running a machine for a day.

    Parameters
    ----------
    power_w : array_like
        Machine power at the wall [W], >= 0.
    power_price_usd_per_kwh : array_like
        Electricity price [USD/kWh], >= 0.
    pue : array_like, default 1.0
        Power usage effectiveness of the site (cooling and other overhead) [-], >= 1.
        The default 1.0 counts the machine alone, the convention of the published cost rates [1]_.
    uptime : array_like, default 1.0
        Share of the day the machine runs [-], in [0, 1].
    hosting_fee_usd_per_kwh : array_like, default 0
        A hosting fee charged per kWh on top of the power price [USD/kWh], >= 0.

    Returns
    -------
    numpy.ndarray
        [USD/day] = power_w x pue x 24 h x uptime / 1000 x (price + hosting fee).

    References
    ----------
    .. [1] Luxor Hashrate Index, cost rate methodology.
    """
    p = number("power_w", power_w)
    c = number("power_price_usd_per_kwh", power_price_usd_per_kwh)
    u = number("pue", pue, lo=1.0)
    up = number("uptime", uptime, hi=1.0)
    h = number("hosting_fee_usd_per_kwh", hosting_fee_usd_per_kwh)
    return p * u * HOURS_PER_DAY * up / 1000.0 * (c + h)


def revenue_usd_per_day(
    hashrate_ths: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    *,
    uptime: ArrayLike = 1.0,
    pool_fee_rate: ArrayLike = 0.0,
) -> np.ndarray:
    """Mining revenue of a machine for a day.

    Parameters
    ----------
    hashrate_ths : array_like
        Machine hashrate [TH/s], >= 0.
    hashprice_usd_per_th_day : array_like
        Hashprice [USD/(TH/s)/day], >= 0 (see :mod:`hashpower.models.hashprice`).
    uptime : array_like, default 1.0
        Share of the day the machine runs [-], in [0, 1].
    pool_fee_rate : array_like, default 0.0
        The pool's fee as a decimal [-], in [0, 1). Default 0: the published cost
        rates are gross of pool fees [1]_.

    Returns
    -------
    numpy.ndarray
        [USD/day] = hashrate x hashprice x uptime x (1 - pool fee).

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice and cost rate methodology.
    """
    t = number("hashrate_ths", hashrate_ths)
    hp = number("hashprice_usd_per_th_day", hashprice_usd_per_th_day)
    up = number("uptime", uptime, hi=1.0)
    f = number("pool_fee_rate", pool_fee_rate, hi=1.0)
    if np.any(f >= 1):
        raise ValueError(f"pool_fee_rate must be < 1, got {pool_fee_rate!r}")
    return t * hp * up * (1.0 - f)


def cost_rate(
    efficiency_j_per_th: ArrayLike,
    power_price_usd_per_kwh: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    *,
    pue: ArrayLike = 1.0,
    pool_fee_rate: ArrayLike = 0.0,
    hosting_fee_usd_per_kwh: ArrayLike = 0.0,
) -> np.ndarray:
    """Power cost rate: the share of mining revenue spent on power.

    Parameters
    ----------
    efficiency_j_per_th : array_like
        Machine efficiency [J/TH] (= W per TH/s), > 0.
    power_price_usd_per_kwh : array_like
        Electricity price [USD/kWh], >= 0.
    hashprice_usd_per_th_day : array_like
        Hashprice [USD/(TH/s)/day], > 0.
    pue : array_like, default 1.0
        Site power usage effectiveness [-], >= 1.
    pool_fee_rate : array_like, default 0.0
        Pool fee [-], in [0, 1).
    hosting_fee_usd_per_kwh : array_like, default 0
        Hosting fee per kWh [USD/kWh], >= 0.

    Returns
    -------
    numpy.ndarray
        Cost rate [-] as a decimal (0.52 = 52 %); above 1 the machine loses money.

    Notes
    -----
    Power cost per TH/s per day = J/TH x 24 h x $/kWh / 1000 [1]_; the cost rate
    is that over hashprice. Uptime cancels out.

    References
    ----------
    .. [1] Luxor Hashrate Index, "cost rate" = power cost / revenue.

    Examples
    --------
    The seed's newest machines, at $0.06/kWh and $0.034 per TH/s per day:

    >>> round(float(cost_rate(12.3, 0.06, 0.034)), 2)
    0.52
    """
    e = number("efficiency_j_per_th", efficiency_j_per_th, strict=True)
    hp = number("hashprice_usd_per_th_day", hashprice_usd_per_th_day, strict=True)
    cost = power_cost_usd_per_day(e, power_price_usd_per_kwh, pue=pue, hosting_fee_usd_per_kwh=hosting_fee_usd_per_kwh)
    return cost / revenue_usd_per_day(1.0, hp, pool_fee_rate=pool_fee_rate)


def breakeven_power_price(
    efficiency_j_per_th: ArrayLike,
    hashprice_usd_per_th_day: ArrayLike,
    *,
    pue: ArrayLike = 1.0,
    pool_fee_rate: ArrayLike = 0.0,
    hosting_fee_usd_per_kwh: ArrayLike = 0.0,
) -> np.ndarray:
    """The power price at which a machine's cost rate is exactly 1 [USD/kWh].

    Parameters
    ----------
    efficiency_j_per_th : array_like
        Machine efficiency [J/TH], > 0.
    hashprice_usd_per_th_day : array_like
        Hashprice [USD/(TH/s)/day], >= 0.
    pue, pool_fee_rate, hosting_fee_usd_per_kwh : array_like
        As in :func:`cost_rate`.

    Returns
    -------
    numpy.ndarray
        [USD/kWh] = hashprice x (1 - fee) x 1000 / (J/TH x PUE x 24) - hosting fee;
        negative when the hosting fee alone exceeds revenue.

    References
    ----------
    .. [1] Cambridge CBECI, profitability threshold: a machine is profitable while
       its power cost is below revenue.
    """
    e = number("efficiency_j_per_th", efficiency_j_per_th, strict=True)
    u = number("pue", pue, lo=1.0)
    h = number("hosting_fee_usd_per_kwh", hosting_fee_usd_per_kwh)
    rev = revenue_usd_per_day(1.0, hashprice_usd_per_th_day, pool_fee_rate=pool_fee_rate)
    return rev * 1000.0 / (e * u * HOURS_PER_DAY) - h


def breakeven_hashprice(
    efficiency_j_per_th: ArrayLike,
    power_price_usd_per_kwh: ArrayLike,
    *,
    pue: ArrayLike = 1.0,
    pool_fee_rate: ArrayLike = 0.0,
    hosting_fee_usd_per_kwh: ArrayLike = 0.0,
) -> np.ndarray:
    """The hashprice at which a machine's cost rate is exactly 1 [USD/(TH/s)/day].

    Parameters
    ----------
    efficiency_j_per_th : array_like
        Machine efficiency [J/TH], > 0.
    power_price_usd_per_kwh : array_like
        Electricity price [USD/kWh], >= 0.
    pue, pool_fee_rate, hosting_fee_usd_per_kwh : array_like
        As in :func:`cost_rate`.

    References
    ----------
    .. [1] Luxor Hashrate Index, cost rate methodology.
    """
    e = number("efficiency_j_per_th", efficiency_j_per_th, strict=True)
    cost = power_cost_usd_per_day(e, power_price_usd_per_kwh, pue=pue, hosting_fee_usd_per_kwh=hosting_fee_usd_per_kwh)
    return cost / revenue_usd_per_day(1.0, 1.0, pool_fee_rate=pool_fee_rate)


def shutdown_price_usd(price_usd: ArrayLike, cost_rate_now: ArrayLike) -> np.ndarray:
    """The bitcoin price at which a machine stops covering its power cost [USD/BTC].

    Parameters
    ----------
    price_usd : array_like
        Bitcoin price now [USD/BTC], > 0.
    cost_rate_now : array_like
        The machine's cost rate now [-], >= 0 (see :func:`cost_rate`).

    Returns
    -------
    numpy.ndarray
        [USD/BTC] = price x cost rate: hashprice is proportional to the price at
        a given difficulty and reward, so revenue falls to the power cost when
        the price falls by the factor cost rate [1]_.

    References
    ----------
    .. [1] Luxor Hashrate Index, hashprice methodology (hashprice = BTC reward per
       hash x price).
    """
    p = number("price_usd", price_usd, strict=True)
    r = number("cost_rate_now", cost_rate_now)
    return p * r


def payback_months(
    capex_usd: ArrayLike,
    margin0_usd_per_day: ArrayLike,
    revenue0_usd_per_day: ArrayLike,
    *,
    difficulty_growth_rate_per_month: ArrayLike = 0.0,
    horizon_months: int = 120,
) -> np.ndarray:
    """Months until a machine's cumulative margin repays its price, or ``inf`` if never.

    Parameters
    ----------
    capex_usd : array_like
        Price of the machine, delivered and installed [USD], >= 0.
    margin0_usd_per_day : array_like
        Margin today: revenue - power and hosting cost [USD/day].
    revenue0_usd_per_day : array_like
        Revenue today [USD/day], >= 0.
    difficulty_growth_rate_per_month : array_like, default 0
        Monthly growth of difficulty [-], > -1; revenue scales as
        ``1 / (1 + g)^m`` at a constant price and reward.
    horizon_months : int, default 120
        Months considered; a machine that has not paid back by then never does.

    Returns
    -------
    numpy.ndarray
        Months [month, 30.4375 days] with linear interpolation inside the last
        month; ``inf`` when the cumulative margin never reaches the price (the
        machine is switched off once its monthly margin turns negative).

    Notes
    -----
    Month m (from 0) earns ``R0 / (1+g)^m x 30.4375 - C x 30.4375`` where
    ``C = R0 - margin0`` is the running cost.

    References
    ----------
    .. [1] The payback convention of mining profitability calculators (e.g. the
       Hashrate Index ASIC ROI), extended with a difficulty growth rate.
    """
    capex = number("capex_usd", capex_usd)
    m0 = np.asarray(margin0_usd_per_day, dtype=float)
    if not np.all(np.isfinite(m0)):
        raise ValueError(f"margin0_usd_per_day must be finite, got {margin0_usd_per_day!r}")
    r0 = number("revenue0_usd_per_day", revenue0_usd_per_day)
    g = np.asarray(difficulty_growth_rate_per_month, dtype=float)
    if not np.all(np.isfinite(g)) or np.any(g <= -1):
        raise ValueError(f"difficulty_growth_rate_per_month must be > -1, got {difficulty_growth_rate_per_month!r}")
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be >= 1, got {horizon_months!r}")
    capex, m0, r0, g = np.broadcast_arrays(capex, m0, r0, g)
    days = 365.25 / 12
    months = np.arange(horizon_months)
    decay = (1.0 + g[..., None]) ** (-months)
    monthly = (r0[..., None] * decay - (r0 - m0)[..., None]) * days
    monthly = np.where(np.cumsum(monthly < 0, axis=-1) > 0, 0.0, monthly)  # switched off for good
    cum = np.cumsum(monthly, axis=-1)
    reached = cum >= capex[..., None]
    first = np.argmax(reached, axis=-1)
    ok = reached.any(axis=-1)
    before = np.take_along_axis(cum, np.maximum(first - 1, 0)[..., None], -1)[..., 0]
    before = np.where(first == 0, 0.0, before)
    step = np.take_along_axis(monthly, first[..., None], -1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(step > 0, (capex - before) / step, 0.0)
    out = np.where(ok, first + frac, np.inf)
    return out if out.ndim else out[()]


# --------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Catalog:
    """ASIC models as parallel arrays (one entry per model)."""

    manufacturer: np.ndarray
    model: np.ndarray
    release: np.ndarray
    release_date: np.ndarray  # datetime64[D], first day of the release month or quarter
    hashrate_ths: np.ndarray
    power_w: np.ndarray
    efficiency_j_per_th: np.ndarray
    cooling: np.ndarray
    generation: np.ndarray
    source: np.ndarray

    def __len__(self) -> int:
        return len(self.model)

    def index(self, model: str) -> int:
        """Position of a model by name (case-insensitive); ``ValueError`` with close matches if absent."""
        names = [m.lower() for m in self.model]
        key = model.strip().lower()
        if key in names:
            return names.index(key)
        close = difflib.get_close_matches(model, list(self.model), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"model {model!r} is not in the catalog{hint}")

    def records(self) -> list[dict[str, object]]:
        """One dict per model (plain Python values)."""
        out = []
        for i in range(len(self)):
            out.append({
                "manufacturer": str(self.manufacturer[i]), "model": str(self.model[i]),
                "release": str(self.release[i]), "hashrate_ths": float(self.hashrate_ths[i]),
                "power_w": float(self.power_w[i]), "efficiency_j_per_th": float(self.efficiency_j_per_th[i]),
                "cooling": str(self.cooling[i]), "generation": str(self.generation[i]),
                "source": str(self.source[i]),
            })
        return out


def parse_rows(text: str, origin: str) -> list[dict[str, object]]:
    reader = csv.DictReader(io.StringIO(text))
    cols = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in cols]
    unknown = [c for c in cols if c not in _REQUIRED + _OPTIONAL]
    if missing or unknown:
        raise ValueError(f"{origin}: machine CSV needs columns {', '.join(_REQUIRED)}"
                         + (f"; missing {missing}" if missing else "") + (f"; unknown {unknown}" if unknown else ""))
    rows = []
    for n, raw in enumerate(reader, start=2):
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not r["manufacturer"] or not r["model"]:
            raise ValueError(f"{origin}: line {n}: manufacturer and model must not be empty")
        try:
            ths, w = float(r["hashrate_ths"]), float(r["power_w"])
        except ValueError:
            raise ValueError(f"{origin}: line {n}: hashrate_ths and power_w must be numbers") from None
        if not (np.isfinite(ths) and np.isfinite(w) and ths > 0 and w > 0):
            raise ValueError(f"{origin}: line {n}: hashrate_ths and power_w must be > 0, got {ths}, {w}")
        cooling = r.get("cooling") or "air"
        if cooling not in _COOLING:
            raise ValueError(f"{origin}: line {n}: cooling must be one of {', '.join(_COOLING)}, got {cooling!r}")
        release = r.get("release") or ""
        release_date = r.get("release_date") or (f"{release}-01" if len(release) == 7 and "Q" not in release else "")
        if not release_date and "-Q" in release:
            y, q = release.split("-Q")
            release_date = f"{y}-{3 * (int(q) - 1) + 1:02d}-01"
        try:
            rd = np.datetime64(release_date or "1970-01-01", "D")
        except ValueError:
            raise ValueError(f"{origin}: line {n}: release {release!r} is not YYYY-MM or YYYY-Qn") from None
        rows.append({"manufacturer": r["manufacturer"], "model": r["model"], "release": release,
                     "release_date": rd, "hashrate_ths": ths, "power_w": w, "efficiency_j_per_th": w / ths,
                     "cooling": cooling, "source": r.get("source") or origin})
    return rows


def build_catalog(rows: list[dict[str, object]]) -> Catalog:
    rows.sort(key=lambda r: (r["release_date"], r["manufacturer"], r["model"]))
    eff = np.array([r["efficiency_j_per_th"] for r in rows], dtype=float)

    def col(k: str, dtype: object = object) -> np.ndarray:
        return np.array([r[k] for r in rows], dtype=dtype)

    return Catalog(
        manufacturer=col("manufacturer"), model=col("model"), release=col("release"),
        release_date=np.array([r["release_date"] for r in rows], dtype="datetime64[D]"),
        hashrate_ths=col("hashrate_ths", float), power_w=col("power_w", float), efficiency_j_per_th=eff,
        cooling=col("cooling"), generation=generation(eff), source=col("source"),
    )
