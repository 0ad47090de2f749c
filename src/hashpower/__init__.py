"""hashpower — an open, reproducible engine for Bitcoin mining economics and network security.

The public API is re-exported here; heavy libraries (pandas, DuckDB) load on
first use so that ``import hashpower`` and the command line start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "blocks", "epochs", "history", "status"]

_LAZY = {"history": "store", "blocks": "store", "epochs": "store", "status": "store"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"hashpower.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'hashpower' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
