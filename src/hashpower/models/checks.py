"""Input checks shared by the numeric core: one message shape, naming the parameter."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def number(
    name: str, value: ArrayLike, *, lo: float = 0.0, strict: bool = False, hi: float | None = None
) -> np.ndarray:
    """``value`` as a float array, checked finite and in ``[lo, hi]`` (``(lo, hi]`` when ``strict``).

    Raises
    ------
    ValueError
        Naming ``name`` and the offending value.
    """
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {_first(a, ~np.isfinite(a))}")
    low = (a < lo) | (a == lo) if strict else a < lo
    if np.any(low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {lo:g}, got {_first(a, low)}")
    if hi is not None and np.any(a > hi):
        raise ValueError(f"{name} must be <= {hi:g}, got {_first(a, a > hi)}")
    return a


def _first(a: np.ndarray, bad: np.ndarray) -> str:
    """The first offending value as plain text (``-1``, ``inf``), and how many more, never an array repr."""
    flat, mask = a.reshape(-1), np.asarray(bad).reshape(-1)
    i = int(np.flatnonzero(mask)[0])
    more = int(mask.sum()) - 1
    text = repr(float(flat[i])) if a.ndim == 0 else f"{float(flat[i])!r} (element {i}"
    if a.ndim == 0:
        return text
    return text + (f", and {more} more)" if more else ")")
