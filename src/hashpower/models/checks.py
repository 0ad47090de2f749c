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
        raise ValueError(f"{name} must be finite, got {value!r}")
    if np.any(a < lo) or (strict and np.any(a == lo)):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {lo:g}, got {value!r}")
    if hi is not None and np.any(a > hi):
        raise ValueError(f"{name} must be <= {hi:g}, got {value!r}")
    return a
