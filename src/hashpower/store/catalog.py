"""The embedded reference tables: the ASIC catalog, pre-ASIC hardware, ASIC prices, AI lease deals, pools.

Each reads one file of ``hashpower/data`` (sources in ``data/SOURCES.md``), parses it with the models'
parsers and caches the result; the arrays of shared results are read-only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.models.machines import Catalog, build_catalog, parse_rows
from hashpower.store.bounded import read_bounded

__all__ = ["asic_prices", "backtest_summary", "catalog", "embedded_text", "hardware", "lease_table", "pools",
           "template_groups"]


def embedded_text(name: str) -> str:
    """The text of an embedded data file (``hashpower/data/<name>``)."""
    return (resources.files("hashpower") / "data" / name).read_text()


@lru_cache(maxsize=1)
def _embedded_rows() -> list[dict[str, object]]:
    return parse_rows(embedded_text("machines.csv"), "catalog")


@lru_cache(maxsize=1)
def _embedded_catalog() -> Catalog:
    """The embedded catalog, parsed once; its arrays are read-only because every caller shares them."""
    cat = build_catalog(list(_embedded_rows()))
    for f in fields(cat):
        getattr(cat, f.name).setflags(write=False)
    return cat


def catalog(extra_csv: str | Path | None = None) -> Catalog:
    """The embedded ASIC catalog, with models from ``extra_csv`` added or overriding.

    Parameters
    ----------
    extra_csv : path, optional
        A CSV with columns ``manufacturer, model, hashrate_ths, power_w`` and
        optionally ``release`` (YYYY-MM or YYYY-Qn), ``cooling``, ``source``. A
        row whose model name matches a catalog model (case-insensitive) replaces it.

    Returns
    -------
    Catalog
        Sorted by release date; efficiency and generation computed from power and hashrate.
    """
    if extra_csv is None:
        return _embedded_catalog()
    extra = read_bounded(extra_csv, "machine CSV")
    user = parse_rows(extra, str(extra_csv))
    names = {r["model"].lower() for r in user}  # type: ignore[union-attr]
    return build_catalog([r for r in _embedded_rows() if r["model"].lower() not in names] + user)  # type: ignore[union-attr]


def hardware() -> tuple[np.ndarray, np.ndarray]:
    """Release day (days since 1970-01-01) and efficiency [J/TH] of every model, catalog and pre-ASIC classes."""
    cat = catalog()
    rows = list(csv.DictReader(io.StringIO(embedded_text("hardware_pre_asic.csv"))))
    rel = np.concatenate([np.array([r["release_date"] for r in rows], dtype="datetime64[D]"), cat.release_date])
    eff = np.concatenate([np.array([float(r["efficiency_j_per_th"]) for r in rows]), cat.efficiency_j_per_th])
    return rel.astype(np.int64), eff


def lease_table() -> list[dict[str, Any]]:
    """The reference AI/HPC lease deals (``data/ai_leases.csv``, a source per row)."""
    rows = []
    for r in csv.DictReader(io.StringIO(embedded_text("ai_leases.csv"))):
        rows.append({**r, "it_mw": float(r["it_mw"]), "term_years": float(r["term_years"]),
                     "contract_usd": float(r["contract_usd"]), "usd_per_mw_year": float(r["usd_per_mw_year"]),
                     "escalator_rate": float(r["escalator_rate"]) if r["escalator_rate"] else None})
    return rows


def asic_prices() -> dict[str, dict[str, Any]]:
    """The default ASIC price per TH/s by generation, with its source (``data/asic_prices.csv``)."""
    return {r["generation"]: {"usd_per_th": float(r["usd_per_th"]), "source": r["source"]}
            for r in csv.DictReader(io.StringIO(embedded_text("asic_prices.csv")))}


def template_groups() -> dict[str, Any]:
    """Pools known to share one block template (``data/template_groups.json``, sourced)."""
    return json.loads(embedded_text("template_groups.json"))


def pools() -> dict[str, Any]:
    """The embedded pool list: ``{"pools": [{slug, name, tags, addresses, link}], "names": {slug: name}}``."""
    return json.loads(embedded_text("pools.json"))


@lru_cache(maxsize=1)
def backtest_summary() -> dict[str, Any] | None:
    """The recorded default backtest's summary (``data/backtest.json``: config and metrics), or ``None``."""
    try:
        return json.loads(embedded_text("backtest.json"))
    except FileNotFoundError:
        return None
