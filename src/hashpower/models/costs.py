"""The cost to mine one bitcoin: electricity, cash and fully loaded, for a site and for the network.

Three levels, each over the BTC mined the same day:

- **electricity**: the power bill of the running hours;
- **cash**: electricity + pool fee + hosting fee + the site's operating cost (staff, repairs,
  insurance, rent) per MW-year;
- **fully loaded**: cash + straight-line depreciation of the machines and of the facility + interest
  on the capital.

These are the "direct", "cash" and "full" costs of producing one bitcoin as miners and analysts
report them [1]_ [2]_. For the whole network, the electricity cost of one bitcoin is the CBECI
network power times 24 h times a power price over the BTC issued that day, CCAF's "cost of
minting" with the PUE of the power bounds included [3]_.

Pure numpy: arrays in, arrays out, ``ValueError`` naming the parameter.

Every default below names its source or says it is an assumption; they are the defaults of the
site cost keys of a fleet file (:data:`hashpower.models.fleet.COST_KEYS`).

References
----------
.. [1] Hashlabs, "How to calculate the cost of mining one bitcoin" (hashlabs.io/blog): the direct,
   cash and full cost of producing one bitcoin.
.. [2] CoinShares mining reports (e.g. Q3 2024, Q4 2024): the average cash cost per bitcoin of the
   listed miners, and the cost with depreciation and stock-based compensation.
.. [3] Cambridge Centre for Alternative Finance, CBECI "Bitcoin cost of minting": CambridgeAltFin/
   ccaf_cbeci_api (GitHub), ``api/components/bitcoin_cost_of_minting/bitcoin_cost_of_minting_service.py``:
   ``price / (3600000 x revenue per hash / efficiency)`` for the lower / estimated / upper efficiency
   of the profitable equipment, ``default_price = 0.05`` USD/kWh.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.checks import number

__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULTS",
    "FACILITY_CAPEX_USD_PER_MW",
    "FACILITY_LIFE_YEARS",
    "INTEREST_BASES",
    "INTEREST_BASIS",
    "INTEREST_RATE",
    "MACHINE_LIFE_YEARS",
    "OPEX_USD_PER_MW_YEAR",
    "SOURCES",
    "cost_to_mine",
    "electricity_usd_per_btc",
    "interest_usd_per_day",
    "network_electricity_usd_per_btc",
    "opex_usd_per_day",
    "per_btc",
    "straight_line_usd_per_day",
]

#: Days per year [d]: the Julian year, as ``hashpower.models.network.HOURS_PER_YEAR`` (8766 h).
DAYS_PER_YEAR = 365.25

#: Operating cost of a site other than power [USD/MW-year] (staff, repairs, insurance, rent, property
#: tax; per MW of machine power). Source: an industry pro-forma of a 20 MW site (1mining.ca,
#: "20 MW Bitcoin Mining Operation - Financial Pro-Forma"): "other OpEx (cooling, staff, etc.)
#: about $0.01/kWh", i.e. 0.01 x 1000 kWh x 8766 h per MW-year. An estimate, not a filing; give your own.
OPEX_USD_PER_MW_YEAR = 87_660.0
#: Facility capital [USD/MW] (buildings or containers, electrical and cooling infrastructure, per MW of
#: machine power). Source: the middle of CBRE's $250,000-$500,000 per MW for crypto-mining data
#: centres (GlobeSt, "Crypto Data Centers are Booming in the US", 2022-02-23); CleanSpark's purchase
#: of five turnkey Georgia sites in 2024 implied $430,000 per MW (TheMinerMag).
FACILITY_CAPEX_USD_PER_MW = 375_000.0
#: Facility life [years], straight line. Source: Greenidge Generation's 10-Q for Q3 2022 (SEC, CIK
#: 1844971): "miner facility infrastructure 10 years".
FACILITY_LIFE_YEARS = 10.0
#: Machine life [years], straight line. Source: Greenidge Generation's 10-Q for Q3 2022 (SEC, CIK
#: 1844971): miners 3 years (shortened from 5); Riot Platforms' 10-Q for Q2 2022 used 2 years, CCAF
#: counts a model in the network for 5 years after its release (``models.cbeci.CCAF_LIFETIME_DAYS``).
MACHINE_LIFE_YEARS = 3.0
#: Interest on the capital [decimal per year]. An assumption: the 7.5 % of the equipment financing
#: in DC Mines' example of a 1 MW deployment ("The Real Math Behind Cost Per kWh", dcmines.com);
#: miners paid in cash or by convertible notes pay less, asset-backed loans have cost more.
INTEREST_RATE = 0.075
#: Balances interest can be charged on: ``"average"`` (half the capital: the mean outstanding balance
#: of a loan repaid straight line over the asset's life) or ``"full"`` (the whole capital).
INTEREST_BASES = ("average", "full")
#: The balance interest is charged on by default: the average outstanding balance. An assumption: the
#: usual annual-cost convention for an asset depreciated straight line to zero.
INTEREST_BASIS = "average"

#: The default of each site cost key (:data:`hashpower.models.fleet.COST_KEYS`).
DEFAULTS = {
    "opex_usd_per_mw_year": OPEX_USD_PER_MW_YEAR,
    "facility_capex_usd_per_mw": FACILITY_CAPEX_USD_PER_MW,
    "facility_life_years": FACILITY_LIFE_YEARS,
    "machine_life_years": MACHINE_LIFE_YEARS,
    "interest_rate": INTEREST_RATE,
}
#: Where each default comes from, in a line.
SOURCES = {
    "opex_usd_per_mw_year": "estimate: about $0.01/kWh of other opex in a 20 MW site's pro-forma (1mining.ca)",
    "facility_capex_usd_per_mw": "middle of CBRE's $250k-$500k per MW for mining data centres (GlobeSt, 2022)",
    "facility_life_years": "Greenidge Generation 10-Q Q3 2022: miner facility infrastructure 10 years",
    "machine_life_years": "Greenidge Generation 10-Q Q3 2022: miners 3 years",
    "interest_rate": "assumption: 7.5 %/year, the equipment financing rate of DC Mines' 1 MW example",
}


def per_btc(cost_usd: ArrayLike, btc: ArrayLike) -> np.ndarray:
    """A cost per bitcoin mined [USD/BTC]; NaN where nothing was mined.

    Parameters
    ----------
    cost_usd : array_like
        The cost [USD], >= 0.
    btc : array_like
        The BTC mined over the same period [BTC], >= 0.

    Returns
    -------
    numpy.ndarray
        ``cost_usd / btc``, NaN where ``btc`` is 0.
    """
    c = number("cost_usd", cost_usd)
    b = number("btc", btc)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a vanishing btc: an infinite cost
        return np.where(b > 0, c / np.where(b > 0, b, 1.0), np.nan)


def electricity_usd_per_btc(power_price_usd_per_kwh: ArrayLike, kwh_per_th_day: ArrayLike,
                            btc_per_th_day: ArrayLike) -> np.ndarray:
    """The electricity cost of one bitcoin for a machine that runs all day [USD/BTC].

    Parameters
    ----------
    power_price_usd_per_kwh : array_like
        Power price [USD/kWh], >= 0.
    kwh_per_th_day : array_like
        Energy one TH/s draws in a day, PUE included [kWh/(TH/s)/day], >= 0: efficiency [J/TH] x
        PUE x 24 / 1000.
    btc_per_th_day : array_like
        BTC one TH/s earns in a day [BTC/(TH/s)/day], > 0
        (:func:`hashpower.models.hashprice.btc_per_th_day`).

    Returns
    -------
    numpy.ndarray
        ``price x kWh per TH-day / BTC per TH-day``.

    Notes
    -----
    Uptime cancels: a machine up a share u of the day draws u times the energy and earns u times
    the BTC. This is CCAF's cost of minting per machine (module References [3]) with the PUE in
    the energy.

    Examples
    --------
    An S21 (17.75 J/TH) at $0.05/kWh when one TH/s earns 5e-7 BTC a day:

    >>> float(electricity_usd_per_btc(0.05, 17.75 * 24 / 1000, 5e-7))
    42600.0
    """
    p = number("power_price_usd_per_kwh", power_price_usd_per_kwh)
    e = number("kwh_per_th_day", kwh_per_th_day)
    b = number("btc_per_th_day", btc_per_th_day, strict=True)
    return p * e / b


def network_electricity_usd_per_btc(power_w: ArrayLike, power_price_usd_per_kwh: ArrayLike,
                                    btc_issued: ArrayLike) -> np.ndarray:
    """The network's electricity cost of one bitcoin on a day [USD/BTC]; NaN on a day without issuance.

    Parameters
    ----------
    power_w : array_like
        Network power that day [W], >= 0 (a CBECI bound,
        :func:`hashpower.models.network.cbeci_power_bounds`, PUE included).
    power_price_usd_per_kwh : array_like
        Power price [USD/kWh], >= 0.
    btc_issued : array_like
        BTC paid to miners that day, subsidy + fees [BTC], >= 0.

    Returns
    -------
    numpy.ndarray
        ``power / 1000 [kW] x 24 h x price / BTC issued``.

    Notes
    -----
    With power = efficiency x hashrate x PUE and BTC issued = hashrate x BTC per TH/s-day, this is
    CCAF's cost of minting, ``price / (3.6e6 x revenue per hash / efficiency)`` [3]_, times the PUE:
    CCAF's counts the machines' own draw only.

    References
    ----------
    .. [3] CCAF, CBECI "Bitcoin cost of minting" (ccaf_cbeci_api).
    """
    w = number("power_w", power_w)
    p = number("power_price_usd_per_kwh", power_price_usd_per_kwh)
    return per_btc(w / 1000.0 * 24.0 * p, number("btc_issued", btc_issued))


def straight_line_usd_per_day(capital_usd: ArrayLike, life_years: ArrayLike) -> np.ndarray:
    """Straight-line depreciation to zero, per day [USD/day].

    Parameters
    ----------
    capital_usd : array_like
        Purchase price [USD], >= 0.
    life_years : array_like
        Useful life [years], > 0.

    Returns
    -------
    numpy.ndarray
        ``capital / (life x 365.25)``.
    """
    c = number("capital_usd", capital_usd)
    life = number("life_years", life_years, strict=True)
    return c / (life * DAYS_PER_YEAR)


def interest_usd_per_day(capital_usd: ArrayLike, interest_rate: ArrayLike,
                         basis: str = INTEREST_BASIS) -> np.ndarray:
    """Interest on capital, per day [USD/day].

    Parameters
    ----------
    capital_usd : array_like
        The capital [USD], >= 0.
    interest_rate : array_like
        Interest rate [decimal per year], in [0, 1].
    basis : {"average", "full"}, default "average"
        The balance charged: ``"average"`` half the capital (the mean balance of a loan repaid
        straight line to zero over the asset's life), ``"full"`` all of it.

    Returns
    -------
    numpy.ndarray
        ``rate x balance / 365.25``.
    """
    if basis not in INTEREST_BASES:
        raise ValueError(f"basis must be one of {', '.join(INTEREST_BASES)}, got {basis!r}")
    c = number("capital_usd", capital_usd)
    r = number("interest_rate", interest_rate, hi=1.0)
    share = 0.5 if basis == "average" else 1.0
    return r * c * share / DAYS_PER_YEAR


def opex_usd_per_day(capacity_mw: ArrayLike, opex_usd_per_mw_year: ArrayLike) -> np.ndarray:
    """A site's operating cost other than power, per day [USD/day]: it runs whether the machines do or not.

    Parameters
    ----------
    capacity_mw : array_like
        The site's machine power [MW], >= 0.
    opex_usd_per_mw_year : array_like
        Operating cost [USD/MW-year], >= 0.
    """
    mw = number("capacity_mw", capacity_mw)
    o = number("opex_usd_per_mw_year", opex_usd_per_mw_year)
    return mw * o / DAYS_PER_YEAR


def cost_to_mine(
    btc_mined: ArrayLike,
    price_usd: ArrayLike,
    power_cost_usd: ArrayLike,
    *,
    pool_fee_rate: ArrayLike = 0.0,
    hosting_cost_usd: ArrayLike = 0.0,
    capacity_mw: ArrayLike = 0.0,
    opex_usd_per_mw_year: ArrayLike = OPEX_USD_PER_MW_YEAR,
    machine_capex_usd: ArrayLike = 0.0,
    machine_life_years: ArrayLike = MACHINE_LIFE_YEARS,
    facility_capex_usd_per_mw: ArrayLike = FACILITY_CAPEX_USD_PER_MW,
    facility_life_years: ArrayLike = FACILITY_LIFE_YEARS,
    interest_rate: ArrayLike = INTEREST_RATE,
    interest_basis: str = INTEREST_BASIS,
) -> dict[str, np.ndarray]:
    """A site's cost of one day, by part, and per bitcoin mined: electricity, cash and fully loaded.

    Parameters
    ----------
    btc_mined : array_like
        BTC the machines mined that day before the pool fee [BTC], >= 0 (running hours only).
    price_usd : array_like
        Bitcoin price [USD/BTC], >= 0 (prices the pool fee).
    power_cost_usd : array_like
        The day's power bill [USD], >= 0.
    pool_fee_rate : array_like, default 0
        Pool fee [decimal of the BTC mined], in [0, 1].
    hosting_cost_usd : array_like, default 0
        The day's hosting fee [USD], >= 0.
    capacity_mw : array_like, default 0
        The site's machine power [MW], >= 0: the base of the operating cost and the facility capital.
    opex_usd_per_mw_year : array_like, default 87,660
        Operating cost other than power [USD/MW-year], >= 0 (:data:`OPEX_USD_PER_MW_YEAR`).
    machine_capex_usd : array_like, default 0
        Purchase price of all the site's machines [USD], >= 0.
    machine_life_years : array_like, default 3
        Machine life [years], > 0 (:data:`MACHINE_LIFE_YEARS`).
    facility_capex_usd_per_mw : array_like, default 375,000
        Facility capital [USD/MW], >= 0 (:data:`FACILITY_CAPEX_USD_PER_MW`).
    facility_life_years : array_like, default 10
        Facility life [years], > 0 (:data:`FACILITY_LIFE_YEARS`).
    interest_rate : array_like, default 0.075
        Interest on machine and facility capital [decimal per year], in [0, 1] (:data:`INTEREST_RATE`).
    interest_basis : {"average", "full"}, default "average"
        The balance charged (:func:`interest_usd_per_day`).

    Returns
    -------
    dict of numpy.ndarray
        USD per day: ``electricity_usd``, ``pool_fee_usd``, ``hosting_usd``, ``opex_usd``,
        ``machine_depreciation_usd``, ``facility_depreciation_usd``, ``interest_usd``, ``cash_usd``,
        ``fully_loaded_usd``; and each of them per BTC mined as ``<part>_usd_per_btc`` (NaN where
        nothing was mined).

    Notes
    -----
    cash = electricity + pool fee (rate x BTC mined x price) + hosting + opex; fully loaded = cash +
    machine capex / machine life + facility capex / facility life + interest on both [1]_. Depreciation,
    interest and opex run every calendar day, curtailed or not.

    References
    ----------
    .. [1] Hashlabs, "How to calculate the cost of mining one bitcoin": direct, cash and full cost.
    """
    btc = number("btc_mined", btc_mined)
    px = number("price_usd", price_usd)
    mw = number("capacity_mw", capacity_mw)
    facility = mw * number("facility_capex_usd_per_mw", facility_capex_usd_per_mw)
    machines = number("machine_capex_usd", machine_capex_usd)
    parts = {
        "electricity_usd": number("power_cost_usd", power_cost_usd),
        "pool_fee_usd": number("pool_fee_rate", pool_fee_rate, hi=1.0) * btc * px,
        "hosting_usd": number("hosting_cost_usd", hosting_cost_usd),
        "opex_usd": opex_usd_per_day(mw, opex_usd_per_mw_year),
        "machine_depreciation_usd": straight_line_usd_per_day(machines, machine_life_years),
        "facility_depreciation_usd": straight_line_usd_per_day(facility, facility_life_years),
        "interest_usd": interest_usd_per_day(machines + facility, interest_rate, interest_basis),
    }
    parts["cash_usd"] = parts["electricity_usd"] + parts["pool_fee_usd"] + parts["hosting_usd"] + parts["opex_usd"]
    parts["fully_loaded_usd"] = (parts["cash_usd"] + parts["machine_depreciation_usd"]
                                 + parts["facility_depreciation_usd"] + parts["interest_usd"])
    shape = np.broadcast(btc, *parts.values()).shape
    out = {k: np.broadcast_to(v, shape).astype(float) for k, v in parts.items()}
    for k in list(out):
        out[f"{k}_per_btc"] = per_btc(out[k], np.broadcast_to(btc, shape))
    return out
