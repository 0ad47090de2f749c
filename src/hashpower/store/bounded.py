"""Bounded reads of the user's files: regular files only, a size cap, a nesting cap for TOML.

A read of ``/dev/zero``, a FIFO or a file of gigabytes would never end or fill the memory; a TOML
nested thousands deep would exhaust the parser's recursion. Each is refused with one line naming
the file and the limit.
"""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["MAX_FILE_BYTES", "MAX_TOML_DEPTH", "load_toml", "read_bounded"]

#: Largest fleet, site, grid or machine file [bytes]: a fleet of thousands of groups is well under 1 MB.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of tables and arrays accepted in a TOML file [-]: the formats need three.
MAX_TOML_DEPTH = 32


def read_bounded(path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most ``max_bytes``; ``ValueError`` naming the file otherwise.

    Devices, FIFOs, sockets and directories are refused before they are opened for reading (a read of
    ``/dev/zero`` or a FIFO would never end), and a file that grows past the cap while read is refused.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ValueError(f"cannot read {what} file {p}: no such file") from None
    except OSError as exc:
        raise ValueError(f"cannot read {what} file {p}: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"cannot read {what} file {p}: not a regular file")
    if st.st_size > max_bytes:
        raise ValueError(f"{what} file {p} is {st.st_size:,} bytes; the limit is {max_bytes:,} bytes")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {what} file {p}: {exc.strerror or type(exc).__name__}") from None
    if len(data) > max_bytes:
        raise ValueError(f"{what} file {p} is over the limit of {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"cannot read {what} file {p}: not UTF-8 text") from None


def _depth(obj: Any, limit: int, level: int = 0) -> int:
    if level > limit:
        return level
    if isinstance(obj, dict):
        return max((_depth(v, limit, level + 1) for v in obj.values()), default=level)
    if isinstance(obj, list):
        return max((_depth(v, limit, level + 1) for v in obj), default=level)
    return level


def load_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file as a dict: a regular file, bounded in size and nesting; ``ValueError`` naming it otherwise."""
    p = Path(path)
    text = read_bounded(p, what)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p} is not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ValueError(f"{p} is nested too deeply (more than {MAX_TOML_DEPTH} levels)") from None
    if _depth(doc, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise ValueError(f"{p} is nested too deeply (more than {MAX_TOML_DEPTH} levels)")
    return doc



