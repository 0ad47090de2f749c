"""The user's own files: a fleet TOML and a site TOML, read and handed to the models' parsers.

Every failure (no such file, unreadable, not TOML, a bad key) raises ``ValueError`` naming the file.
"""

from __future__ import annotations

from pathlib import Path

from hashpower.models import fleet as fl
from hashpower.models.pivot import Site
from hashpower.store.bounded import load_toml
from hashpower.store.catalog import catalog

__all__ = ["load_fleet", "load_site"]

def load_fleet(path: str | Path) -> fl.Fleet:
    """Read a fleet TOML file (the format is in :mod:`hashpower.models.fleet`)."""
    p = Path(path)
    doc = load_toml(p, "fleet")
    extra = doc.get("machines_csv")
    if extra is not None and not isinstance(extra, str):
        raise ValueError(f"{p}: machines_csv must be a path")
    cat = catalog((p.parent / extra) if extra else None)
    return fl.parse(doc, cat, origin=str(p))


def load_site(path: str | Path) -> Site:
    """A site from a TOML file whose keys are the fields of :class:`hashpower.models.pivot.Site`."""
    p = Path(path)
    return Site.from_dict(load_toml(p, "site"), origin=str(p))
