"""Validation helpers of the chain functions: whole numbers, finite floats, exact scalars, times."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def _int_array(value: ArrayLike, name: str, minimum: int | None = 0) -> np.ndarray:
    """``value`` as an int64 array of whole numbers >= ``minimum``, or ValueError naming ``name``."""
    a = np.asarray(value)
    if a.dtype == np.bool_ or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"{name} must be whole numbers, got {value!r}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or not np.all(a == np.floor(a)) or np.any(np.abs(a) >= 2.0**62):
            raise ValueError(f"{name} must be whole numbers, got {value!r}")
    a = a.astype(np.int64)
    if minimum is not None and np.any(a < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return a


def _float_array(value: ArrayLike, name: str, *, positive: bool) -> np.ndarray:
    """``value`` as a finite float64 array (> 0 if ``positive``), or ValueError naming ``name``."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and np.any(a <= 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return a


def _int_scalar(value: Any, name: str, *, allow_float: bool = True) -> int:
    """One exact integer; an integral float only if ``allow_float`` (256-bit targets must be ints)."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if allow_float and isinstance(value, float | np.floating) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise ValueError(f"{name} must be an integer, got {value!r}")


def _elementwise(fn: Callable[..., Any], args: tuple[Any, ...], dtype: type | str) -> Any:
    """Apply the exact scalar ``fn`` over broadcast ``args``: a scalar for scalars, else an array of ``dtype``."""
    arrays = [np.asarray(a, dtype=object) for a in args]
    b = np.broadcast(*arrays)
    if b.nd == 0:
        return fn(*(a.item() for a in arrays))
    out = np.empty(b.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, values in enumerate(b):
        flat[i] = fn(*values)
    return out


def _single(value: Any, name: str, *, integer: bool, **kw: Any) -> Any:
    """One validated value (see ``_int_array`` / ``_float_array``) as a Python int or float."""
    a = _int_array(value, name, **kw) if integer else _float_array(value, name, **kw)
    if a.ndim != 0:
        raise ValueError(f"{name} must be a single value, got {value!r}")
    return int(a) if integer else float(a)


def _unix_seconds(value: Any, name: str) -> float:
    """A time as unix seconds: a number [s], a ``numpy.datetime64`` or a ``datetime`` (naive means UTC)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError(f"{name} must be a time, got {value!r}")
        return float((value - np.datetime64(0, "s")) / np.timedelta64(1, "s"))
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be unix seconds, a numpy.datetime64 or a datetime, got {value!r}") from None
    if not math.isfinite(t):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return t

