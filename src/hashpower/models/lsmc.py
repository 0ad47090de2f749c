"""Least-squares Monte Carlo (LSMC) for optimal stopping: American options and irreversible switches.

One engine, :func:`lsmc_stop`, values the right to stop a stream of cash flows
once, at the best of a set of dates, by the algorithm of Longstaff & Schwartz
[1]_: simulate paths, then step backwards regressing the realised discounted
value of continuing on functions of the state, and stop where the immediate
value beats the fitted continuation value. Two uses:

* an American (Bermudan) put: the exercise value is ``max(K - S, 0)`` and
  nothing is received while waiting (:func:`american_put`);
* an irreversible switch of a mining site to AI hosting: while the site mines
  it earns the mining margin each step (the running cash flow), and switching
  pays the value of the hosting business net of the conversion cost.

Pure numpy, vectorised across paths with a loop over the dates only.
Randomness is explicit: :func:`gbm_paths` takes a ``numpy.random.Generator``.

References
----------
.. [1] Longstaff, F. A. & Schwartz, E. S. (2001), "Valuing American Options by
   Simulation: A Simple Least-Squares Approach", Review of Financial Studies
   14(1), 113-147: the algorithm, the weighted Laguerre basis, regression on
   in-the-money paths, and Table 1 (American put, K = 40, r = 0.06, 50
   exercise dates a year, 100,000 paths, half of them antithetic).
.. [2] Glasserman, P. (2004), Monte Carlo Methods in Financial Engineering,
   Springer: exact simulation of geometric Brownian motion (ch. 3),
   antithetic variates (ch. 4), regression methods for American options (ch. 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.paths import _finite_array, _real, _whole, gbm_paths

__all__ = ["AmericanPutResult", "LSMCResult", "american_put", "gbm_paths", "lsmc_stop"]

Basis = Literal["polynomial", "laguerre"]
_BASES = ("polynomial", "laguerre")
_GRID_POINTS = 401  # grid of the state on which the exercise boundary is located
_GRID_SAMPLE = 4096  # at most this many paths interpolate the exercise value onto that grid


# ---------------------------------------------------------------- regression


@dataclass(frozen=True, eq=False)
class _Fit:
    """A fitted continuation function: basis, state scaling and coefficients."""

    basis: str  # "constant", "polynomial" or "laguerre"
    degree: int
    center: np.ndarray
    scale: np.ndarray
    active: np.ndarray  # features that vary across the regression sample
    coef: np.ndarray

    def design(self, x: np.ndarray) -> np.ndarray:
        """Basis functions of the state ``x`` (shape (n, k)) as the columns of a (n, p) matrix."""
        n = x.shape[0]
        if self.basis == "constant":
            return np.ones((n, 1))
        if self.basis == "laguerre":
            u = x[:, 0]
            w = np.exp(-0.5 * u)
            cols = [np.ones(n), w]
            lag_prev, lag = np.ones(n), 1.0 - u  # L_0 and L_1
            for j in range(1, self.degree):
                cols.append(w * lag)
                lag_prev, lag = lag, ((2 * j + 1 - u) * lag - j * lag_prev) / (j + 1)
            return np.column_stack(cols)
        z = (x[:, self.active] - self.center) / self.scale
        cols = [np.ones(n)]
        for p in range(1, self.degree + 1):
            for combo in combinations_with_replacement(range(z.shape[1]), p):
                col = z[:, combo[0]].copy()
                for i in combo[1:]:
                    col *= z[:, i]
                cols.append(col)
        return np.column_stack(cols)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.design(x) @ self.coef


def _fit(x: np.ndarray, y: np.ndarray, basis: str, degree: int) -> tuple[_Fit, np.ndarray] | None:
    """Least-squares fit of ``y`` on the basis of ``x``; the fit and its fitted values, or None if too few paths."""
    center = x.mean(axis=0)
    spread = x.std(axis=0)
    active = spread > 1e-12 * np.maximum(1.0, np.abs(center))
    if not active.any():  # the same state on every path (date 0): the fit is the sample mean
        kind = "constant"
    else:
        kind = basis
    n_basis = {"constant": 1, "laguerre": degree + 1}.get(kind, math.comb(int(active.sum()) + degree, degree))
    if x.shape[0] <= n_basis:
        return None
    design = _Fit(kind, degree, center[active], spread[active], active, np.empty(0)).design(x)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)  # SVD-based: robust to a near-collinear basis
    return _Fit(kind, degree, center[active], spread[active], active, coef), design @ coef


def _crossing(fit: _Fit, x: np.ndarray, e: np.ndarray) -> float:
    """State at which the exercise value crosses the fitted continuation value (1-D state), NaN if none.

    The exercise value is interpolated onto a grid spanning the regression
    sample from about ``_GRID_SAMPLE`` of its paths (and its extremes), which is
    exact when it is a piecewise-linear function of the state (a put, a
    constant). With several crossings (a fit wiggling in a sparse tail) the one
    nearest the sample median is taken.
    """
    step = max(1, x.size // _GRID_SAMPLE)
    pick = np.concatenate([np.arange(0, x.size, step), [np.argmin(x), np.argmax(x)]])
    xs, es = x[pick], e[pick]
    order = np.argsort(xs, kind="stable")
    xs, es = xs[order], es[order]
    if xs[-1] <= xs[0]:
        return math.nan
    grid = np.linspace(xs[0], xs[-1], _GRID_POINTS)
    diff = np.interp(grid, xs, es) - fit(grid[:, None])
    pos = diff > 0
    j = np.flatnonzero(pos[1:] != pos[:-1])
    if j.size == 0:
        return math.nan
    roots = grid[j] - diff[j] * (grid[j + 1] - grid[j]) / (diff[j + 1] - diff[j])
    return float(roots[np.argmin(np.abs(roots - xs[xs.size // 2]))])


# ---------------------------------------------------------------- the engine


@dataclass(frozen=True, eq=False)
class LSMCResult:
    """Value of an optimal-stopping problem by least-squares Monte Carlo.

    Attributes
    ----------
    value : float
        Mean over paths of the discounted cash flows under the estimated rule [money at date 0].
    std_error : float
        Standard error of ``value``, ``sd(path_values) / sqrt(n_paths)`` [money at date 0].
    exercise_index : numpy.ndarray of int, shape (n_paths,)
        Date at which each path stops [-], 0 ... dates - 1; -1 where it never stops.
    exercised_fraction : float
        Share of paths that stop at some date [-].
    boundary : numpy.ndarray, shape (dates,)
        Critical state at each date [state units], where the exercise value
        crosses the fitted continuation value; NaN where there is no crossing,
        where the state is not 1-D, at the last date (no regression) and where
        the state is the same on every path (usually date 0).
    path_values : numpy.ndarray, shape (n_paths,)
        Discounted cash flows of each path under the rule [money at date 0].
    """

    value: float
    std_error: float
    exercise_index: np.ndarray
    exercised_fraction: float
    boundary: np.ndarray
    path_values: np.ndarray


def lsmc_stop(
    exercise_value: ArrayLike,
    cashflow: ArrayLike | None,
    discount_per_step: float,
    state: ArrayLike,
    basis_degree: int = 3,
    *,
    basis: Basis = "polynomial",
    itm_only: bool = False,
) -> LSMCResult:
    """Value the right to stop once, at the best of a set of dates, by least-squares Monte Carlo.

    Parameters
    ----------
    exercise_value : array_like, shape (n_paths, dates)
        ``E[i, t]``: what stopping at date ``t`` pays on path ``i`` [money at date t].
        The last column is the value of stopping at the horizon; put any salvage
        value of the continuing business there.
    cashflow : array_like, shape (n_paths, dates), or None
        ``C[i, t]``: cash received at date ``t`` by a path that has not stopped
        at an earlier date (for a mining site, the margin of the step ending at
        ``t``) [money at date t]. ``C[:, 0]`` is received on every path. None
        for no running cash flow (an option).
    discount_per_step : float
        Discount factor from one date to the previous one [-], > 0
        (``exp(-r dt)``).
    state : array_like, shape (n_paths, dates) or (n_paths, dates, k)
        Regression state ``X[i, t]``: what the holder knows at date ``t`` (a
        price, or ``k`` features).
    basis_degree : int, default 3
        Degree of the basis [-], >= 1. Polynomial: all monomials of total
        degree <= ``basis_degree`` in the standardised features. Laguerre: the
        constant and the first ``basis_degree`` weighted Laguerre polynomials
        (1-D state only).
    basis : {"polynomial", "laguerre"}, default "polynomial"
        ``"polynomial"``: powers of the state standardised to mean 0 and sd 1
        over the regression sample at each date, which keeps the least-squares
        problem well conditioned whatever the units. ``"laguerre"``:
        ``exp(-X/2) L_j(X)``, ``j = 0 ... basis_degree - 1``, plus a constant,
        as in [1]_; scale the state to order one first (a price over the
        strike).
    itm_only : bool, default False
        Regress, and consider stopping, only on paths whose exercise value is
        positive at that date, as [1]_ does for the put. Leave False for a
        switch, where the exercise value is not a payoff floored at zero.

    Returns
    -------
    LSMCResult
        Value, standard error, stopping date of each path, share stopped,
        exercise boundary (1-D state) and the value of each path.

    Raises
    ------
    ValueError
        If a shape does not match, an input is not finite, ``n_paths < 2``,
        ``dates < 2``, ``discount_per_step <= 0``, ``basis_degree < 1``, or
        ``basis`` is unknown or Laguerre with a multi-dimensional state.

    Notes
    -----
    Backward induction [1]_: at the last date ``T`` a path stops if
    ``E[T] > 0``; its realised value is ``V_T = max(E[T], 0)``. For
    ``t = T-1, ..., 0`` the realised value of continuing is
    ``Y_t = d (C[t+1] + V_{t+1})``; it is regressed on the basis functions of
    ``X[t]`` over the sample (all paths, or those with ``E[t] > 0``), a path of
    the sample stops if ``E[t]`` exceeds its fitted value ``c(X[t])``, and
    ``V_t = E[t]`` where it stops, ``Y_t`` elsewhere. The regression only picks
    the rule; the value uses realised cash flows, so it is an estimate of the
    value of a feasible (hence sub-optimal) rule, biased low by the rule's
    imperfection (a few cents on the puts of [1]_, Table 1). The path value is
    ``C[0] + V_0``, i.e. ``sum_{t <= tau} d^t C[t] + d^tau E[tau]`` (all
    the ``C`` and no ``E`` on a path that never stops).

    Date 0 follows the paper's convention: the state is usually the same on
    every path there, so the fit is the sample mean of ``Y_0``, and stopping
    at once happens only if ``E[0]`` beats that estimate of the continuation
    value. A date whose sample has no more paths than basis functions is
    skipped (nobody stops there). The standard error treats the paths as
    independent; with antithetic pairs of a monotone payoff that overstates it.

    References
    ----------
    .. [1] Longstaff & Schwartz (2001).
    """
    e = np.asfortranarray(_finite_array("exercise_value", exercise_value))  # a date is a contiguous column
    if e.ndim != 2:
        raise ValueError(f"exercise_value must be 2-D (n_paths, dates), got shape {e.shape}")
    n, m = e.shape
    if n < 2:
        raise ValueError(f"n_paths (rows of exercise_value) must be >= 2, got {n}")
    if m < 2:
        raise ValueError(f"dates (columns of exercise_value) must be >= 2, got {m}")
    c = None
    if cashflow is not None:
        c = np.asfortranarray(_finite_array("cashflow", cashflow))
        if c.shape != e.shape:
            raise ValueError(f"cashflow must have the shape of exercise_value {e.shape}, got {c.shape}")
    d = _real("discount_per_step", discount_per_step, minimum=0.0, strict=True)
    x = _finite_array("state", state)
    if x.ndim == 2:
        x = x[:, :, None]
    x = np.asfortranarray(x)
    if x.ndim != 3 or x.shape[:2] != e.shape:
        raise ValueError(f"state must have shape {e.shape} or {e.shape + ('k',)}, got {x.shape}")
    degree = _whole("basis_degree", basis_degree, 1)
    if basis not in _BASES:
        raise ValueError(f"basis must be one of {_BASES}, got {basis!r}")
    if basis == "laguerre" and x.shape[2] != 1:
        raise ValueError(f"basis 'laguerre' needs a 1-D state, got {x.shape[2]} features")

    last = e[:, -1]
    stop = last > 0
    value = np.where(stop, last, 0.0)
    tau = np.where(stop, m - 1, -1)
    boundary = np.full(m, math.nan)
    for t in range(m - 2, -1, -1):
        y = value if c is None else value + c[:, t + 1]
        y = y * d
        et = e[:, t]
        xt = x[:, t, :]
        if itm_only:
            idx = np.flatnonzero(et > 0)
            xs, ys, es = xt[idx], y[idx], et[idx]
        else:
            idx, xs, ys, es = None, xt, y, et
        fitted = _fit(xs, ys, basis, degree) if es.size else None
        if fitted is not None:
            fit, cont = fitted
            go = np.flatnonzero(es > cont)
            if idx is not None:
                go = idx[go]
            y[go] = et[go]
            tau[go] = t
            if x.shape[2] == 1 and fit.basis != "constant":
                boundary[t] = _crossing(fit, xs[:, 0], es)
        value = y
    path_values = value if c is None else value + c[:, 0]
    return LSMCResult(
        value=float(path_values.mean()),
        std_error=float(path_values.std(ddof=1) / math.sqrt(n)),
        exercise_index=tau,
        exercised_fraction=float(np.mean(tau >= 0)),
        boundary=boundary,
        path_values=path_values,
    )


# ---------------------------------------------------------------- the American put


@dataclass(frozen=True, eq=False)
class AmericanPutResult:
    """An American put by least-squares Monte Carlo, with the European put on the same paths.

    Attributes
    ----------
    value, std_error : float
        American (Bermudan, ``steps_per_year`` dates a year) put value and its standard error [price units].
    european_value, european_std_error : float
        ``exp(-r T) max(K - S_T, 0)`` averaged over the same paths, and its standard error [price units].
    boundary : numpy.ndarray, shape (steps + 1,)
        Critical stock price at each date [price units]: exercise below it. NaN at dates 0 and T.
    lsmc : LSMCResult
        The engine's full result (state = stock price / strike).
    """

    value: float
    std_error: float
    european_value: float
    european_std_error: float
    boundary: np.ndarray
    lsmc: LSMCResult


def american_put(
    s0: float,
    strike: float,
    r: float,
    sigma: float,
    t_years: float,
    steps_per_year: float = 50,
    n_paths: int = 100_000,
    seed: int | np.random.Generator = 0,
    *,
    antithetic: bool = True,
    basis: Basis = "laguerre",
    basis_degree: int = 3,
) -> AmericanPutResult:
    """American put on a non-dividend stock by least-squares Monte Carlo, the setting of [1]_ Table 1.

    Parameters
    ----------
    s0 : float
        Stock price at time 0 [price units], > 0.
    strike : float
        Strike [price units], > 0.
    r : float
        Continuously compounded risk-free rate [1/year] (0.06 for 6%).
    sigma : float
        Volatility [1/sqrt(year)], >= 0.
    t_years : float
        Time to expiry [years], > 0.
    steps_per_year : float, default 50
        Exercise dates per year [1/year], > 0; ``round(steps_per_year x t_years)``
        dates after time 0, the last at expiry (50 in [1]_).
    n_paths : int, default 100_000
        Paths [-], >= 2 (half antithetic by default, as in [1]_).
    seed : int or numpy.random.Generator, default 0
        Seed of, or, the random generator.
    antithetic : bool, default True
        Antithetic pairs of paths.
    basis : {"laguerre", "polynomial"}, default "laguerre"
        Regression basis on the state ``S / K``: [1]_ uses a constant and the
        first three weighted Laguerre polynomials.
    basis_degree : int, default 3
        See :func:`lsmc_stop`.

    Returns
    -------
    AmericanPutResult
        Value and standard error, the European value on the same paths, the exercise boundary.

    References
    ----------
    .. [1] Longstaff & Schwartz (2001), Table 1.
    """
    strike = _real("strike", strike, minimum=0.0, strict=True)
    steps_per_year = _real("steps_per_year", steps_per_year, minimum=0.0, strict=True)
    t_years = _real("t_years", t_years, minimum=0.0, strict=True)
    r = _real("r", r)
    steps = round(steps_per_year * t_years)
    if steps < 1:
        raise ValueError(f"steps_per_year x t_years must round to >= 1 date, got {steps_per_year * t_years!r}")
    if isinstance(seed, np.random.Generator):
        rng = seed
    else:
        rng = np.random.default_rng(_whole("seed", seed, 0))
    s = gbm_paths(s0, r, sigma, t_years, steps, n_paths, rng, antithetic)
    payoff = np.subtract(strike, s)
    np.maximum(payoff, 0.0, out=payoff)
    s /= strike  # the regression state, of order one for the Laguerre basis
    res = lsmc_stop(payoff, None, math.exp(-r * t_years / steps), s, basis_degree, basis=basis, itm_only=True)
    euro = payoff[:, -1] * math.exp(-r * t_years)
    return AmericanPutResult(
        value=res.value,
        std_error=res.std_error,
        european_value=float(euro.mean()),
        european_std_error=float(euro.std(ddof=1) / math.sqrt(euro.size)),
        boundary=res.boundary * strike,
        lsmc=res,
    )
