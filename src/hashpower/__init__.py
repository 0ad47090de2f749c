"""hashpower — an open, reproducible engine for Bitcoin mining economics and network security.

The public API, for notebooks and scripts:

- the data: :func:`history`, :func:`blocks`, :func:`epochs`, :func:`status` (the local DuckDB store),
  :func:`catalog` (the ASIC catalog), :func:`lease_table` (the AI lease deals), :func:`load_fleet`
  and :func:`load_site` (your TOML files);
- the models, pure numpy, as modules (:mod:`units`, :mod:`chain`, :mod:`hashprice`, :mod:`machines`,
  :mod:`fleet`, :mod:`network`, :mod:`index`, :mod:`security`, :mod:`pivot`, :mod:`lsmc`) and their
  most used functions by name (``hashpower.cost_rate``, ``hashpower.subsidy_sat``, ...);
- the composed figures: :func:`brief` (the briefing as a dict);
- the derived daily series as pandas DataFrames (:func:`hashprice_daily`, :func:`index_daily`,
  :func:`hashrate_daily`, :func:`drawdowns`, :func:`power_daily`, :func:`concentration_daily`,
  :func:`pool_shares_daily`, :func:`indicators_daily`) and the Monte Carlo runs (:func:`simulate`,
  :func:`outlook`, :func:`backtest`: the commands' dicts with ``.to_frame()``), described in
  ``docs/notebooks.md``.

Every name loads on first use, so that ``import hashpower`` and the command line start fast. The
layers behind these names are mapped in ``docs/architecture.md``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: public name -> (module, attribute); an attribute of None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    # the data
    "history": ("hashpower.store", "history"),
    "blocks": ("hashpower.store", "blocks"),
    "epochs": ("hashpower.store", "epochs"),
    "status": ("hashpower.store", "status"),
    "catalog": ("hashpower.store.catalog", "catalog"),
    "lease_table": ("hashpower.store.catalog", "lease_table"),
    "load_fleet": ("hashpower.store.files", "load_fleet"),
    "load_site": ("hashpower.store.files", "load_site"),
    # the models, as modules
    **{m: (f"hashpower.models.{m}", None) for m in ("units", "chain", "hashprice", "machines", "fleet", "network",
                                                     "index", "security", "pivot", "lsmc")},
    # the models' most used functions
    "parse_hashrate": ("hashpower.models.units", "parse_hashrate"),
    "to_ths": ("hashpower.models.units", "to_ths"),
    "to_ehs": ("hashpower.models.units", "to_ehs"),
    "subsidy_sat": ("hashpower.models.chain", "subsidy_sat"),
    "difficulty_from_bits": ("hashpower.models.chain", "difficulty_from_bits"),
    "estimate_next_adjustment": ("hashpower.models.chain", "estimate_next_adjustment"),
    "usd_per_th_day": ("hashpower.models.hashprice", "usd_per_th_day"),
    "btc_per_th_day": ("hashpower.models.hashprice", "btc_per_th_day"),
    "cost_rate": ("hashpower.models.machines", "cost_rate"),
    "breakeven_power_price": ("hashpower.models.machines", "breakeven_power_price"),
    "breakeven_hashprice": ("hashpower.models.machines", "breakeven_hashprice"),
    "shutdown_price_usd": ("hashpower.models.machines", "shutdown_price_usd"),
    "hashrate_from_blocks": ("hashpower.models.network", "hashrate_from_blocks"),
    "drawdown_episodes": ("hashpower.models.network", "drawdown_episodes"),
    "cbeci_power_bounds": ("hashpower.models.network", "cbeci_power_bounds"),
    "sustainability_index": ("hashpower.models.index", "sustainability_index"),
    "double_spend_probability": ("hashpower.models.security", "double_spend_probability"),
    "hhi": ("hashpower.models.security", "hhi"),
    "nakamoto_coefficient": ("hashpower.models.security", "nakamoto_coefficient"),
    "rental_attack_cost_usd_per_hour": ("hashpower.models.security", "rental_attack_cost_usd_per_hour"),
    "hardware_attack_cost_usd": ("hashpower.models.security", "hardware_attack_cost_usd"),
    "Site": ("hashpower.models.pivot", "Site"),
    "npv": ("hashpower.models.pivot", "npv"),
    "irr": ("hashpower.models.pivot", "irr"),
    # the composed figures
    "brief": ("hashpower.figures.brief", "brief_figures"),
    # the derived daily series as DataFrames (docs/notebooks.md)
    **{f: ("hashpower.figures.frames", f) for f in ("hashprice_daily", "index_daily", "hashrate_daily", "drawdowns",
                                                     "power_daily", "concentration_daily", "pool_shares_daily",
                                                     "indicators_daily")},
    # the Monte Carlo runs: the commands' dicts with .to_frame() (docs/notebooks.md)
    **{f: ("hashpower.figures.runs", f) for f in ("simulate", "outlook", "backtest")},
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = import_module(module) if attr is None else getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hashpower' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
