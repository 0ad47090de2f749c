"""Where the store lives, without loading DuckDB: ``$HASHPOWER_HOME`` and the file's path and version."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["db_path", "home", "version"]


def home() -> Path:
    """The folder that holds the store: ``$HASHPOWER_HOME`` or ``~/.local/share/hashpower``."""
    env = os.environ.get("HASHPOWER_HOME")
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "hashpower"


def db_path() -> Path:
    """Path of the DuckDB file."""
    return home() / "hashpower.duckdb"


def version() -> tuple[str, int, int, int] | None:
    """The store file's identity and version (path, inode, size, mtime in ns), or None if it does not exist.

    Every change swaps in a new file (a new inode), so a change of the store always changes this.
    """
    p = db_path()
    try:
        st = p.stat()
    except OSError:
        return None
    return str(p.resolve()), st.st_ino, st.st_size, st.st_mtime_ns
