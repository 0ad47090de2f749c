"""Geometric Brownian motion paths and the argument checks shared by the least-squares Monte Carlo models.

Re-exported by :mod:`hashpower.models.lsmc` (``gbm_paths``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["gbm_paths"]


def _real(name: str, value: object, *, minimum: float | None = None, strict: bool = False) -> float:
    """A finite float, optionally >= (or > when ``strict``) ``minimum``; ValueError naming ``name`` otherwise."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and (x <= minimum if strict else x < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum}, got {value!r}")
    return x


def _whole(name: str, value: object, minimum: int) -> int:
    """A whole number >= ``minimum``; ValueError naming ``name`` otherwise."""
    try:
        ok = not isinstance(value, bool) and int(value) == value  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or value < minimum:  # type: ignore[operator]
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def _finite_array(name: str, value: ArrayLike) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a




def gbm_paths(
    s0: float,
    r: float,
    sigma: float,
    t_years: float,
    steps: int,
    n_paths: int,
    rng: np.random.Generator,
    antithetic: bool = True,
) -> np.ndarray:
    """Paths of geometric Brownian motion under the risk-neutral drift, sampled exactly on a uniform grid.

    Parameters
    ----------
    s0 : float
        Value at time 0 [price units], > 0.
    r : float
        Continuously compounded risk-free rate, the drift [1/year] (0.06 for 6%).
    sigma : float
        Volatility [1/sqrt(year)], >= 0.
    t_years : float
        Horizon [years], > 0.
    steps : int
        Time steps [-], >= 1; the grid is ``t_k = k t_years / steps``.
    n_paths : int
        Paths [-], >= 2.
    rng : numpy.random.Generator
        Source of the normal draws (seeded by the caller).
    antithetic : bool, default True
        Pair each draw with its negative: path ``i + ceil(n_paths / 2)`` mirrors
        path ``i`` (with an odd ``n_paths`` the last mirror is dropped).

    Returns
    -------
    numpy.ndarray, shape (n_paths, steps + 1)
        ``S[:, k] = s0 exp((r - sigma^2 / 2) t_k + sigma W(t_k))`` [price units];
        column 0 is ``s0``. The log increments are exact, so there is no
        discretisation error at the grid dates [2]_ (ch. 3).

    References
    ----------
    .. [2] Glasserman (2004), ch. 3 and 4.
    """
    s0 = _real("s0", s0, minimum=0.0, strict=True)
    r = _real("r", r)
    sigma = _real("sigma", sigma, minimum=0.0)
    t_years = _real("t_years", t_years, minimum=0.0, strict=True)
    steps = _whole("steps", steps, 1)
    n_paths = _whole("n_paths", n_paths, 2)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    dt = t_years / steps
    # built date-major and returned transposed (Fortran order): the engine reads one date at a time
    out = np.empty((steps + 1, n_paths))
    out[0] = 0.0
    if antithetic:
        half = (n_paths + 1) // 2
        z = rng.standard_normal((half, steps))
        out[1:, :half] = z.T
        np.negative(z[: n_paths - half].T, out=out[1:, half:])
        del z
    else:
        out[1:] = rng.standard_normal((n_paths, steps)).T
    inc = out[1:]
    inc *= sigma * math.sqrt(dt)
    inc += (r - 0.5 * sigma * sigma) * dt
    np.cumsum(inc, axis=0, out=inc)
    np.exp(out, out=out)
    out *= s0
    return out.T
