"""The store layer: the DuckDB file, ingest and validation, the embedded tables, the user's files, live sources.

:mod:`.db` holds the file and its readers, :mod:`.ingest` validates and writes rows (and rebuilds),
:mod:`.catalog` reads the embedded reference tables, :mod:`.files` the user's TOML files and
:mod:`.sources` fetches from the live sources. The readers are re-exported here; writing and pandas
load on first use (every name here loads its module on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Readers re-exported from :mod:`.db`, loaded on first use so that ``hashpower.store.paths`` and the
#: other light modules import without DuckDB.
_FROM_DB = frozenset({"recent", "DAILY_COLUMNS", "SCHEMA_VERSION", "DataError", "blocks", "check_date", "connect",
    "date_range", "db_path", "embedded_path", "ensure", "epochs", "history", "home",
    "imports_dir", "keep_import", "status", "transaction", "window"})
#: Re-exported from :mod:`.age`.
_FROM_FRESHNESS = frozenset({"fee_estimate", "freshness"})

__all__ = ["DAILY_COLUMNS", "SCHEMA_VERSION", "DataError", "blocks", "check_date", "connect", "date_range",
           "db_path", "embedded_path", "ensure", "epochs", "fee_estimate", "freshness", "history", "home", "import_csv",
           "imports_dir",
           "keep_import", "pools", "rebuild", "recent", "status", "transaction", "window"]


def __getattr__(name: str) -> Any:
    if name in _FROM_DB:
        return getattr(import_module("hashpower.store.db"), name)
    if name in _FROM_FRESHNESS:
        return getattr(import_module("hashpower.store.age"), name)
    raise AttributeError(f"module 'hashpower.store' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def rebuild() -> dict[str, Any]:
    """Rebuild the store from the embedded data and replay the kept imports (:func:`.imports.rebuild`)."""
    from hashpower.store.imports import rebuild as _rebuild

    return _rebuild()


def import_csv(path) -> dict[str, Any]:
    """Import a user's daily rows atomically (:func:`.ingest.import_csv`)."""
    from hashpower.store.ingest import import_csv as _import

    return _import(path)


def pools() -> dict[str, Any]:
    """The embedded pool list (:func:`.catalog.pools`)."""
    from hashpower.store.catalog import pools as _pools

    return _pools()
