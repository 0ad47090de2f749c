"""A disk cache of the commands' JSON output, keyed by everything the output depends on.

A read-only command's ``--json`` output is a function of its arguments, the store's content, the code
and (for figures that state the data's age) the day. The key hashes all four: the command line, the
store file's identity (:func:`hashpower.store.paths.version`: a refresh, import or rebuild swaps in a
new file), the size and mtime of every file of the installed package, and today's UTC date. A hit
prints the stored bytes without loading numpy, pandas or DuckDB; a miss computes as usual and keeps
the text. ``HASHPOWER_NO_CACHE=1`` turns it off. At most :data:`MAX_ENTRIES` outputs are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from hashpower.store.paths import home, version

__all__ = ["CACHEABLE", "MAX_ENTRIES", "get", "key", "put"]

#: Commands whose ``--json`` output depends only on their arguments, the store, the code and the day.
CACHEABLE = frozenset({"hashprice", "machines", "network", "index", "security", "pivot", "simulate", "brief",
                       "outlook", "backtest"})
#: Options that write files or read a user's file: a command with one of them is never cached.
_UNCACHED_OPTIONS = ("--html", "--out", "--csv", "--catalog", "--price-path", "--scheduler", "--help", "-h")
#: Most outputs kept [files]; the oldest go first.
MAX_ENTRIES = 256

_PKG = Path(__file__).resolve().parent.parent


def _code_fingerprint() -> str:
    h = hashlib.sha256()
    for root, dirs, files in os.walk(_PKG):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            if f.endswith((".py", ".parquet", ".csv", ".json")):
                st = os.stat(os.path.join(root, f))
                h.update(f"{root}/{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def key(argv: list[str]) -> str | None:
    """The cache key of a command line, or None when it must not be cached."""
    if os.environ.get("HASHPOWER_NO_CACHE") == "1" or not argv or argv[0] not in CACHEABLE:
        return None
    if "--json" not in argv or any(a.split("=", 1)[0] in _UNCACHED_OPTIONS for a in argv):
        return None
    if argv[0] in ("pivot",) and len(argv) > 1 and not argv[1].startswith("-"):
        return None  # a site file: its content is not in the key
    v = version()
    if v is None:
        return None
    material = repr((tuple(argv), v, _code_fingerprint(), dt.datetime.now(dt.UTC).date().isoformat()))
    return hashlib.sha256(material.encode()).hexdigest()


def _dir() -> Path:
    return home() / "cache"


def get(k: str) -> str | None:
    """The output kept under ``k``, if any."""
    try:
        return (_dir() / f"{k}.json").read_text()
    except OSError:
        return None


def put(k: str, text: str) -> None:
    """Keep ``text`` under ``k`` (atomically); a failure to write only costs the next run its speed."""
    d = _dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".{k}.{os.getpid()}.tmp"
        tmp.write_text(text)
        os.replace(tmp, d / f"{k}.json")
        entries = sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError:
        return
