"""The API's error details: short, without numpy reprs or filesystem paths, and a damaged store told apart.

An error detail is for the person who sent the request: it names the query parameters they gave when the
models' own message speaks of an internal quantity, it is at most :data:`MAX_DETAIL_BYTES` long, and it never
carries an array dump or a path of the server's filesystem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Longest error detail sent [bytes of UTF-8].
MAX_DETAIL_BYTES = 300
#: Longest value of one query parameter quoted in a detail [characters].
MAX_QUOTED_VALUE_CHARS = 24
#: The detail of a 503 when the store cannot be read (no path: the server's layout is not the client's business).
STORE_UNREADABLE = "the store could not be read; run 'hashpower data rebuild'"
#: Seconds a client is asked to wait before retrying a 503.
RETRY_AFTER_S = 5

_ARRAY = re.compile(r"\b(?:masked_)?array\([^)]*\)?")
_LONG_LIST = re.compile(r"\[[^\[\]]{60,}\]?")
_PATH = re.compile(r"(?<![\w.~/-])/(?:[\w.+~-]+/)+[\w.+~-]*")
_DAMAGED = "is damaged and cannot be opened"


class StoreUnavailable(Exception):  # noqa: N818 - a state, not a mistake of the caller
    """The store file could not be read (damaged, replaced by garbage, unreadable): a 503, not the client's fault."""


class Busy(Exception):  # noqa: N818 - a state, not a mistake of the caller
    """Too many heavy requests are running or queued in this process: a 503 with Retry-After."""


def is_store_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the store cannot be read: a DuckDB error, or the store layer's "damaged" DataError.

    The API layer does not import DuckDB, so its errors are told by their class's module.
    """
    if isinstance(exc, StoreUnavailable):
        return True
    for cls in type(exc).__mro__:
        if cls.__name__ == "Error" and cls.__module__.lstrip("_").split(".")[0] == "duckdb":
            return True
    return isinstance(exc, ValueError) and _DAMAGED in str(exc)


def cap(text: str, limit: int = MAX_DETAIL_BYTES) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 (ending in "..." when cut)."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "..."


def _inputs(query: Mapping[str, str] | None) -> str:
    if not query:
        return ""
    parts = []
    for k, v in query.items():
        v = v if len(v) <= MAX_QUOTED_VALUE_CHARS else v[:MAX_QUOTED_VALUE_CHARS] + "..."
        parts.append(f"{k[:MAX_QUOTED_VALUE_CHARS]}={v}")
    return ", ".join(parts)


def clean(message: object, query: Mapping[str, str] | None = None) -> str:
    """A short detail from an exception's message: numpy reprs, long lists and paths removed, capped in length.

    When the message had to be cleaned, or speaks of a value that is not finite (an internal quantity the
    client never named), the detail ends with the query parameters given, so that it says which inputs are out
    of range.
    """
    msg = " ".join(str(message).split())
    out = _PATH.sub("<path>", _LONG_LIST.sub("[...]", _ARRAY.sub("values out of range", msg)))
    if out != msg or "finite" in msg:
        given = _inputs(query)
        out = f"{out}: the inputs {given} are out of the range these models can compute" if given else out
    return cap(out)


def out_of_range(exc_name: str, query: Mapping[str, str] | None = None) -> str:
    """The detail of an ArithmeticError (overflow, division by zero) raised by the models."""
    given = _inputs(query)
    where = f" (inputs {given})" if given else ""
    return cap(f"the inputs are out of the range these models can compute ({exc_name}){where}")
