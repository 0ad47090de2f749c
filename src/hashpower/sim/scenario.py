"""Scenario parameters and the four presets: a baseline and the three futures of the seed.

Each parameter carries its unit and its source (or says it is an assumption) in
the field's metadata; ``docs/simulation.md`` prints the same table. Parameters
left at ``None`` are calibrated on the embedded data when a run starts (see
:mod:`hashpower.sim.calibrate`).

References
----------
.. [1] Neumueller, A., Pieters, G., Mohaddes, K., Rousseau, V., Zhang, B. (2025),
   "Cambridge Digital Mining Industry Report", Cambridge Centre for Alternative
   Finance: median delivered electricity cost of surveyed miners about $45/MWh.
.. [2] Cambridge Bitcoin Electricity Consumption Index (CBECI), methodology: PUE 1.10 best guess.
.. [3] Carlsten, M., Kalodner, H., Weinberg, S. M., Narayanan, A. (2016), "On the
   Instability of Bitcoin Without the Block Reward", ACM CCS 2016.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_PATHS", "MAX_YEARS", "PRESETS", "Scenario", "check_run_size", "get_preset", "parameter_table"]

#: Bounds of a run: paths in [1, MAX_PATHS], years in [1, MAX_YEARS].
MAX_PATHS = 100_000
MAX_YEARS = 30
MAX_SEED = 2**63 - 1


def _p(default: Any, unit: str, source: str, lo: float | None = None, hi: float | None = None) -> Any:
    return field(default=default, metadata={"unit": unit, "source": source, "lo": lo, "hi": hi})


@dataclass(frozen=True)
class Scenario:
    """One scenario: every parameter of the simulator, with its unit and source in the field metadata."""

    name: str = field(default="custom", metadata={"unit": "-", "source": "label"})
    rationale: str = field(default="", metadata={"unit": "-", "source": "label"})
    # bitcoin price
    price_model: str = _p("gbm", "-", "'gbm' (geometric Brownian motion) or 'bootstrap' (blocks of historical "
                          "daily log returns)")
    price_window_years: float = _p(4.0, "year", "history window for the GBM fit and the bootstrap pool: one "
                                   "halving cycle (2022-06 .. 2026-06 in the embedded data)", 0.5, 15.0)
    price_drift_log_per_year: float | None = _p(None, "1/year", "None: mean daily log return over the window "
                                                "x 365 (calibrated)", -2.0, 2.0)
    price_vol_log_per_year: float | None = _p(None, "1/year", "None: sd of daily log returns over the window x "
                                              "sqrt(365) (calibrated)", 0.0, 3.0)
    bootstrap_block_days: int = _p(30, "day", "assumption: a month keeps the clustering of volatility", 1, 365)
    # fees
    fee_window_years: float = _p(2.0, "year", "history window of the AR(1) fit of log fees per block", 0.5, 15.0)
    fee_growth_rate_per_year: float = _p(0.0, "1/year", "growth of the median fees per block in BTC (decimal)",
                                         -0.9, 2.0)
    # miners
    power_price_median_usd_per_kwh: float = _p(0.045, "USD/kWh", "median delivered electricity cost of surveyed "
                                               "miners, $45/MWh (CCAF Digital Mining Industry Report 2025)",
                                               0.001, 1.0)
    power_price_log_sd: float = _p(0.4, "-", "assumption: sd of log power price across grid-powered sites "
                                   "(7 quantile buckets of a lognormal; 0.4 puts the middle 75% within 0.63x-1.58x "
                                   "the median)",
                                   0.0, 2.0)
    stranded_power_share: float = _p(0.03, "-", "assumption: share of sites on stranded energy (flared gas, "
                                     "curtailed renewables, heat reuse) that mine whatever the hashprice; the "
                                     "first of the 8 power buckets", 0.0, 0.5)
    stranded_power_price_usd_per_kwh: float = _p(0.005, "USD/kWh", "assumption: marginal power cost of those "
                                                 "sites", 0.0, 1.0)
    pue: float = _p(1.1, "-", "CBECI best-guess power usage effectiveness", 1.0, 3.0)
    on_cost_rate: float = _p(0.95, "-", "assumption: an idle cohort switches on below this cost rate "
                             "(hysteresis)", 0.0, 5.0)
    off_cost_rate: float = _p(1.05, "-", "assumption: a running cohort switches off above this cost rate "
                              "(hysteresis)", 0.0, 5.0)
    retirement_rate_per_year: float = _p(0.10, "1/year", "assumption: installed machines failing or sold off "
                                         "each year", 0.0, 1.0)
    idle_retirement_rate_per_year: float = _p(0.5, "1/year", "assumption: machines idle at a decision day are "
                                              "sold to cheaper power or scrapped at this extra rate (half a year's "
                                              "idle stock a year), so no idle overhang builds up", 0.0, 12.0)
    deploy_margin_floor_log: float | None = _p(None, "-", "None: the lowest log(signal / new machine's power "
                                               "cost) the deployment rule was fitted on: below it nothing is built "
                                               "(the rule is not extrapolated); a number: that floor (0 = down to "
                                               "the power cost)", -5.0, 5.0)
    # AI exits
    ai_lease_usd_per_mw_year: float | None = _p(None, "USD/MW IT/year", "None: median usd_per_mw_year of "
                                                "data/ai_leases.csv ($1.65M; hashpower.models.pivot.Site().lease_rate)",
                                                0.0, 1e8)
    ai_it_mw_per_grid_mw: float | None = _p(None, "-", "None: hashpower.models.pivot.Site().it_to_grid_ratio (0.70, an "
                                            "AI hall at PUE about 1.4; assumption there)", 0.01, 1.0)
    ai_opex_share: float | None = _p(None, "-", "None: 1 - hashpower.models.pivot.Site().operating_margin_rate (0.20; "
                                     "assumption there)", 0.0, 1.0)
    ai_switch_threshold_usd_per_mw_year: float | None = _p(None, "USD/MW/year", "None: the pivot model's conversion "
                                                           "capex per grid MW ($9M per MW of IT x 0.70) x capital "
                                                           "recovery factor at its 10% over its 15-year term "
                                                           "(0.1315) = $828k", 0.0, 1e8)
    ai_supply_mw_per_year: float = _p(1_200.0, "MW/year", "AI leases open to miners, in MW of grid capacity: "
                                      "the 1,245 MW of IT load of data/ai_leases.csv over 2024-06..2025-12 "
                                      "= 830 MW IT/year, / 0.70", 0.0, 1e6)
    # new machines
    deploy_fit_window_years: float = _p(4.0, "year", "history window of the deployment rule's fit (one halving "
                                        "cycle, as the price window)", 1.0, 15.0)
    deploy_growth_intercept_per_month: float | None = _p(None, "1/month", "None: fitted at the start "
                                                         "(hashpower.sim.calibrate.fit_deployment): growth of the "
                                                         "running hashrate per 30 days at a zero log margin", -1.0, 1.0)
    deploy_growth_slope_per_month: float | None = _p(None, "1/month", "None: fitted at the start: growth per 30 "
                                                     "days per unit of log(hashprice / new machine's power cost)",
                                                     0.0, 1.0)
    deploy_growth_sd_per_month: float | None = _p(None, "1/month", "None: the residual sd of the fit: the "
                                                  "growth shock of each 30 days (bans, supply, financing)", 0.0, 1.0)
    deploy_lag_months: float | None = _p(None, "month", "None: fitted at the start, 0-6 steps of 30 days between "
                                         "the hashprice signal and the machines running", 0.0, 6.0)
    deploy_growth_cap_log_per_year: float | None = _p(None, "1/year", "None: the largest one-year log rise of the "
                                                      "30-day hashrate known at the start (ASIC era, from 2013)",
                                                      0.0, 5.0)
    deploy_payback_months: float | None = _p(None, "month", "None: no payback gate; a number: machines are "
                                             "bought only where they pay back within it at the trailing 30-day "
                                             "hashprice and asic_price_usd_per_th (assumption)", 0.0, 240.0)
    deploy_supply_ehs_per_year: float | None = _p(None, "EH/s/year", "None: no absolute supply limit (the growth "
                                                  "cap bounds the build-out); a number: machines shipped per year",
                                                  0.0, 1e5)
    asic_price_usd_per_th: float | None = _p(None, "USD/(TH/s)", "None: latest tier of data/asic_prices.csv "
                                             "($16, an assumption for 2026 marked in the file)", 0.0, 1e4)
    facility_capex_usd_per_mw: float = _p(400_000.0, "USD/MW", "assumption: middle of the $300-500k/MW public "
                                          "miners report (as hashpower.models.security)", 0.0, 1e8)
    new_efficiency_change_per_year: float = _p(-0.10, "1/year", "assumption: half the pace of the catalog's "
                                               "best efficiency 2019-2025 (about -21%/year)", -0.9, 1.0)
    efficiency_floor_j_per_th: float = _p(5.0, "J/TH", "assumption: floor of new-machine efficiency", 0.1, 100.0)
    # pools
    pool_tilt: float = _p(0.3, "-", "assumption: cheap-power (industrial) cohorts lean to the large pools: "
                          "cohort pool weights ~ share^(1 + tilt x z), z the standard normal score of cheapness",
                          0.0, 0.9)
    new_capacity_pool_exponent: float = _p(1.0, "-", "new machines join pools in proportion to share^exponent "
                                           "(1 = as today; > 1 the largest grow fastest)", 0.0, 5.0)
    # external guarantee
    hashprice_floor_usd_per_ph_day: float = _p(0.0, "USD/(PH/s)/day", "guaranteed hashprice paid on running "
                                               "hashrate; 0 = none", 0.0, 1e4)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes``; unknown names or values out of range raise ``ValueError``."""
        known = {f.name for f in dataclasses.fields(self)} - {"name", "rationale"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown scenario parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return dataclasses.replace(self, **{k: _coerce(self, k, v) for k, v in changes.items()}).validated()

    def validated(self) -> Scenario:
        """``self`` if every parameter is in range, else ``ValueError`` naming the first that is not."""
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if f.name == "price_model":
                if v not in ("gbm", "bootstrap"):
                    raise ValueError(f"price_model must be 'gbm' or 'bootstrap', got {v!r}")
                continue
            if lo is None or v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not lo <= v <= hi:
                unit = f.metadata["unit"]
                unit = "" if unit in ("-", "") else f" {unit}"
                raise ValueError(f"{f.name} must be a number in [{lo:g}, {hi:g}]{unit}, got {v!r}")
        if self.on_cost_rate > self.off_cost_rate:
            raise ValueError(f"on_cost_rate ({self.on_cost_rate}) must be <= off_cost_rate ({self.off_cost_rate})")
        return self

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain dict."""
        return dataclasses.asdict(self)


def _coerce(s: Scenario, name: str, value: Any) -> Any:
    f = next(f for f in dataclasses.fields(s) if f.name == name)
    if name in ("name", "rationale", "price_model"):
        return str(value)
    if value is None:
        if getattr(Scenario(), name) is None:
            return None
        raise ValueError(f"{name} cannot be None")
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number [{f.metadata['unit']}], got {value!r}") from None
    if name == "bootstrap_block_days":
        if float(value) != int(value):
            raise ValueError(f"bootstrap_block_days must be a whole number of days, got {value!r}")
        return int(value)
    return float(value)


def parameter_table() -> list[dict[str, Any]]:
    """Every parameter with its default, unit and source (for the docs and ``--json``)."""
    return [{"name": f.name, "default": f.default, "unit": f.metadata["unit"], "source": f.metadata["source"]}
            for f in dataclasses.fields(Scenario) if f.name not in ("name", "rationale")]


#: The presets: frozen, each with its rationale: today's industry carried forward, and the three possible
#: futures the project studies (consolidation, fee-driven security, an external guarantee; docs/simulation.md).
PRESETS: dict[str, Scenario] = {
    "baseline": Scenario(
        name="baseline",
        rationale=("Today's industry carried forward: the price follows a GBM calibrated on the last halving "
                   "cycle, fees per block stay flat in BTC around their last 30-day mean, AI leases come at "
                   "the pace announced in 2024-25 (data/ai_leases.csv), machines arrive at the pace the last "
                   "four years' build-out shows for their margin (fitted at the start; docs/backtest.md scores "
                   "it against history)."),
    ),
    "consolidation": Scenario(
        name="consolidation",
        rationale=("The seed's first future: the price stops rising (no log drift), AI leases are plentiful "
                   "(3x today's pace), so the small and high-cost miners switch off or convert for good and "
                   "what remains, and what is built, gathers in the largest pools (new capacity joins pools "
                   "in proportion to share^1.5)."),
        price_drift_log_per_year=0.0,
        ai_supply_mw_per_year=3_600.0,
        new_capacity_pool_exponent=1.5,
    ),
    "fee-driven": Scenario(
        name="fee-driven",
        rationale=("The seed's second future: fees per block grow 25% a year in BTC, so after the 2028 and "
                   "2032 halvings the fee share carries the security budget. A stylised assumption; Carlsten "
                   "et al. (CCS 2016) show that a fee-only regime invites undercutting and selfish mining, "
                   "which this model does not represent."),
        fee_growth_rate_per_year=0.25,
    ),
    "external-guarantee": Scenario(
        name="external-guarantee",
        rationale=("The seed's third future: an outside party (a sovereign or strategic buyer, or a hashrate "
                   "guarantee) tops miners' revenue up to a hashprice of $40 per PH/s per day, about the median "
                   "of the last 365 days of the embedded data (2025-06 .. 2026-06), on all running hashrate. "
                   "A stylised assumption: the guarantor's cost is reported as guarantee_usd_per_day."),
        hashprice_floor_usd_per_ph_day=40.0,
    ),
}


def get_preset(name: str) -> Scenario:
    """The preset called ``name``, or ``ValueError`` listing the presets."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def check_run_size(paths: Any, years: Any, seed: Any) -> tuple[int, int, int]:
    """``(paths, years, seed)`` as ints, or ``ValueError`` saying the bound."""
    out = []
    for name, v, lo, hi in (("paths", paths, 1, MAX_PATHS), ("years", years, 1, MAX_YEARS),
                            ("seed", seed, 0, MAX_SEED)):
        iv = None
        if not isinstance(v, bool):
            try:
                iv = operator.index(v)
            except TypeError:
                if isinstance(v, float) and v.is_integer():
                    iv = int(v)
        if iv is None:
            raise ValueError(f"{name} must be a whole number in [{lo:,}, {hi:,}], got {v!r}")
        if not lo <= iv <= hi:
            raise ValueError(f"{name} must be in [{lo:,}, {hi:,}], got {iv:,}")
        out.append(iv)
    return out[0], out[1], out[2]
