"""The user's own files: a fleet TOML and a site TOML, read and handed to the models' parsers.

Every failure (no such file, unreadable, not TOML, a bad key) raises ``ValueError`` naming the file.
A fleet can also come as a document (the API's request body): it may then refer only to the
embedded hourly prices, never to a file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from hashpower.models import fleet as fl
from hashpower.models.pivot import Site
from hashpower.store.bounded import load_toml
from hashpower.store.catalog import catalog

__all__ = ["fleet_from_doc", "load_fleet", "load_site", "with_hourly_prices"]


def with_hourly_prices(f: fl.Fleet, base: Path | None, origin: str) -> fl.Fleet:
    """``f`` with the hourly prices of its sites read.

    ``base`` is the folder that file paths are relative to; None refuses files and allows only the
    embedded series.
    """
    sites = []
    for s in f.sites:
        if s.hourly_prices_ref is None:
            sites.append(s)
            continue
        from hashpower.store import prices

        try:
            hp = prices.resolve(s.hourly_prices_ref, base)
        except ValueError as exc:
            raise ValueError(f"{origin}: site {s.name!r}: hourly_prices: {exc}") from None
        usd = hp.usd_per_kwh + s.price_adder_usd_per_kwh
        hp = fl.HourlyPrices(hp.start, usd, hp.source)
        hour = (hp.hours.astype("datetime64[h]").astype(np.int64) % 24).astype(np.int64)
        shape = np.bincount(hour, weights=usd, minlength=24) / np.maximum(np.bincount(hour, minlength=24), 1)
        sites.append(dataclasses.replace(s, hourly=hp, tariff_usd_per_kwh=shape))
    return dataclasses.replace(f, sites=tuple(sites))


def load_fleet(path: str | Path) -> fl.Fleet:
    """Read a fleet TOML file (the format is in :mod:`hashpower.models.fleet`)."""
    p = Path(path)
    doc = load_toml(p, "fleet")
    extra = doc.get("machines_csv")
    if extra is not None and not isinstance(extra, str):
        raise ValueError(f"{p}: machines_csv must be a path")
    cat = catalog((p.parent / extra) if extra else None)
    return with_hourly_prices(fl.parse(doc, cat, origin=str(p)), p.parent, str(p))


def fleet_from_doc(doc: Any, origin: str = "fleet") -> fl.Fleet:
    """A fleet from a parsed document (a request body): the embedded catalog and prices only, no files."""
    if not isinstance(doc, dict):
        raise ValueError(f"{origin}: must be a table (a TOML document or a JSON object)")
    if "machines_csv" in doc:
        raise ValueError(f"{origin}: machines_csv (a file) is not allowed here; use the catalog's models")
    return with_hourly_prices(fl.parse(doc, catalog(None), origin=origin), None, origin)


def load_site(path: str | Path) -> Site:
    """A site from a TOML file whose keys are the fields of :class:`hashpower.models.pivot.Site`."""
    p = Path(path)
    return Site.from_dict(load_toml(p, "site"), origin=str(p))
