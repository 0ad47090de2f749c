"""Least-squares Monte Carlo: Longstaff & Schwartz (2001) Table 1, Black-Scholes, exact switch problems, bad inputs."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from hashpower.models import lsmc

K, R = 40.0, 0.06  # Table 1 of Longstaff & Schwartz (2001): strike and rate of every row

# Longstaff & Schwartz (2001), Table 1 (American put, K = 40, r = 0.06, 50 exercise dates a year, 100,000 paths of
# which 50,000 antithetic, basis: a constant and the first three weighted Laguerre polynomials). Columns used:
# S, sigma, T, closed-form European, finite-difference American, simulated (LSM) American, its s.e.
# Checked against the transcription of the whole table in github.com/ptamarov/lsmc_py, data.csv (commit 88b8c2d), and,
# for the finite-difference column, against tests that quote it in other public repositories (4.478, 4.840, 3.250,
# 5.312). Two values differ from what the brief quoted from memory: the (40, 0.40, 1) row is 5.312 / 5.308 (s.e.
# 0.018), not 7.319 / 7.317 (no row of the table has those values), and the LSM value of (44, 0.20, 2) is 1.675, not
# 1.683.
TABLE_1 = [
    # (S, sigma, T, European, FD American, LSM American, s.e.)
    (36.0, 0.20, 1.0, 3.844, 4.478, 4.472, 0.010),
    (36.0, 0.20, 2.0, 3.763, 4.840, 4.821, 0.012),
    (38.0, 0.20, 1.0, 2.852, 3.250, 3.244, 0.009),
    (40.0, 0.40, 1.0, 5.060, 5.312, 5.308, 0.018),
    (44.0, 0.20, 2.0, 1.429, 1.690, 1.675, 0.009),
]
ROW_IDS = [f"S{s:g}-sigma{v:g}-T{t:g}" for s, v, t, *_ in TABLE_1]


def _norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _bs_put(s: float, k: float, r: float, sigma: float, t: float) -> float:
    """Black-Scholes European put."""
    d1 = (math.log(s / k) + (r + 0.5 * sigma**2) * t) / (sigma * math.sqrt(t))
    d2 = d1 - sigma * math.sqrt(t)
    return k * math.exp(-r * t) * _norm_cdf(-d2) - s * _norm_cdf(-d1)


@cache
def _put(s: float, sigma: float, t: float) -> lsmc.AmericanPutResult:
    """One seeded valuation per Table 1 row, shared by the tests (100,000 paths, 50 dates a year, as the paper)."""
    seed = 20010101 + int(100 * s + 10 * sigma + t)
    return lsmc.american_put(s, K, R, sigma, t, steps_per_year=50, n_paths=100_000, seed=seed)


# ---------------------------------------------------------------- Table 1


@pytest.mark.parametrize(("s", "sigma", "t", "euro", "fd", "lsm_paper", "se_paper"), TABLE_1, ids=ROW_IDS)
def test_american_put_matches_longstaff_schwartz_table_1(s, sigma, t, euro, fd, lsm_paper, se_paper):
    res = _put(s, sigma, t)
    assert res.std_error == pytest.approx(se_paper, rel=0.25)  # same paths and payoff, so the same noise
    # Against the finite-difference value (continuous exercise, the true American value). LSM with 50 dates a year
    # is biased low: the estimated rule is sub-optimal (a few cents with this basis) and a Bermudan put with 50
    # dates a year is worth slightly less than the American one; the paper's own LSM column sits 0.001-0.025 below
    # the FD column, within 0.02 + 3 of its s.e. everywhere. So: 0.02 of bias + 3 s.e. of noise.
    tol = max(3 * res.std_error, 0.02 + 3 * res.std_error)
    assert abs(res.value - fd) <= tol, (res.value, res.std_error, fd)
    # Against the paper's own LSM value: same estimator, independent draws, so the difference has sd
    # sqrt(se^2 + se_paper^2); 3 sd.
    assert abs(res.value - lsm_paper) <= 3 * math.hypot(res.std_error, se_paper)
    assert res.value >= res.european_value  # the right to exercise early is worth something


@pytest.mark.parametrize(("s", "sigma", "t", "euro", "fd", "lsm_paper", "se_paper"), TABLE_1, ids=ROW_IDS)
def test_european_on_the_same_paths_matches_black_scholes(s, sigma, t, euro, fd, lsm_paper, se_paper):
    bs = _bs_put(s, K, R, sigma, t)
    assert bs == pytest.approx(euro, abs=5e-4)  # our closed form reproduces the paper's European column
    res = _put(s, sigma, t)
    # the naive s.e. over antithetic paths overstates the true one (pairs of a monotone payoff are negatively
    # correlated), so 3 s.e. is if anything generous on the safe side
    assert abs(res.european_value - bs) <= 3 * res.european_std_error


def test_polynomial_basis_and_two_feature_state_agree_with_the_table():
    """The engine called directly, with the put written as a generic stopping problem and a 2-feature state."""
    s0, sigma, t, fd = 36.0, 0.20, 1.0, 4.478
    steps = 50
    paths = lsmc.gbm_paths(s0, R, sigma, t, steps, 100_000, np.random.default_rng(11))
    payoff = np.maximum(K - paths, 0.0)
    state = np.stack([paths / K, np.log(paths / K)], axis=-1)
    res = lsmc.lsmc_stop(payoff, None, math.exp(-R * t / steps), state, 2, itm_only=True)
    assert abs(res.value - fd) <= 0.02 + 3 * res.std_error  # tolerance as in the Table 1 test
    assert np.all(np.isnan(res.boundary))  # no boundary for a state of more than one feature
    poly = lsmc.american_put(s0, K, R, sigma, t, seed=12, basis="polynomial")
    assert abs(poly.value - fd) <= 0.02 + 3 * poly.std_error


# ---------------------------------------------------------------- the exercise rule


def test_put_boundary_rises_toward_the_strike():
    res = _put(36.0, 0.20, 1.0)
    b = res.boundary
    assert b.shape == (51,)
    assert np.isnan(b[0]) and np.isnan(b[-1])  # one state at date 0; no regression at expiry
    inner = b[1:-1]
    ok = np.isfinite(inner)  # NaN only where the fit sees no crossing (the first date or two, sparse tails)
    assert ok.mean() >= 0.9
    assert np.all((inner[ok] > 25.0) & (inner[ok] < K))
    # increasing in t: LSM boundaries are noisy from date to date (a few tens of cents), so test the trend:
    # Spearman rank correlation with time, and the last five dates well above the first five
    rank = np.argsort(np.argsort(inner[ok]))
    assert np.corrcoef(rank, np.flatnonzero(ok))[0, 1] > 0.8
    assert np.nanmean(inner[-5:]) > np.nanmean(inner[:5]) + 1.5
    # the date-0 convention: S0 = 36 < K, but continuing is worth more than 4, so no path is exercised at date 0
    idx = res.lsmc.exercise_index
    assert 0.3 < res.lsmc.exercised_fraction < 0.9
    assert not np.any(idx == 0)


def test_put_boundary_one_date_before_expiry_is_the_exact_bermudan_one():
    """With one date left, exercise iff K - S > one-step Black-Scholes put: solve for the critical S by bisection.

    A rich basis (polynomial of degree 8) recovers it to within 0.25 (seeds 0-5 gave 0.01-0.14); the paper's
    four-term Laguerre basis cannot bend sharply enough near the strike and puts it about 1.4 lower, at no visible
    cost in value.
    """
    dt = 1.0 / 50
    lo, hi = 30.0, K
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if K - mid > _bs_put(mid, K, R, 0.2, dt) else (lo, mid)
    exact = 0.5 * (lo + hi)
    assert exact == pytest.approx(38.48, abs=0.01)
    res = lsmc.american_put(36.0, K, R, 0.20, 1.0, seed=5, basis="polynomial", basis_degree=8)
    assert res.boundary[-2] == pytest.approx(exact, abs=0.25)


def test_deep_in_the_money_put_is_exercised_at_once():
    res = lsmc.american_put(20.0, K, R, 0.20, 1.0, n_paths=20_000, seed=3)
    assert res.value == pytest.approx(K - 20.0, abs=1e-12)
    assert res.std_error == 0.0
    assert np.all(res.lsmc.exercise_index == 0) and res.lsmc.exercised_fraction == 1.0


# ---------------------------------------------------------------- the switch


def _switch_problem(scale: np.ndarray, switch_value: float, dates: int = 41):
    """Mining margin a_i x 12 x 0.93^t a quarter (t >= 1, paid at the end of the quarter), switch value fixed."""
    t = np.arange(dates)
    margin = scale[:, None] * 12.0 * 0.93**t[None, :]
    margin[:, 0] = 0.0
    exercise = np.full(margin.shape, switch_value)
    d = math.exp(-0.05 * 0.25)  # 5% a year, quarterly dates
    # present value of switching at tau: margins of quarters 1..tau, then the switch value at tau
    disc = d**t
    pv = np.cumsum(margin * disc, axis=1) + switch_value * disc
    never = (margin * disc).sum(axis=1)
    return margin, exercise, d, pv, never


@pytest.mark.parametrize(("switch_value", "expected_tau"), [(150.0, 25), (1000.0, 0), (-5.0, -1)])
def test_switch_with_no_uncertainty_is_the_best_deterministic_date(switch_value, expected_tau):
    """Zero volatility: every path is the same, so the rule is a fixed date and the value max_tau PV(tau) exactly.

    Switching at tau (the margin of quarter t paid at t, switch value A at tau) is worth
    PV(tau) = sum_{t=1}^{tau} d^t m_t + d^tau A. With m_t = 12 x 0.93^t and A = 150, waiting one more quarter pays
    while d (m_{t+1} + A) > A, i.e. m_{t+1} > A (1/d - 1) = 1.887: up to t = 25. A = 1000: switch at once.
    A < 0 (switching destroys value): never switch, and the value is the sum of the margins.
    """
    margin, exercise, d, pv, never = _switch_problem(np.ones(6), switch_value)
    res = lsmc.lsmc_stop(exercise, margin, d, margin)
    best = max(pv[0].max(), never[0])
    assert res.value == pytest.approx(best, rel=1e-12)
    assert res.std_error == pytest.approx(0.0, abs=1e-9)
    assert np.all(res.exercise_index == expected_tau)
    if expected_tau >= 0:
        assert int(np.argmax(pv[0])) == expected_tau
        assert res.exercised_fraction == 1.0
    else:
        assert res.exercised_fraction == 0.0 and res.value == pytest.approx(never[0], rel=1e-12)


def test_switch_regression_across_known_deterministic_paths():
    """Paths that differ only in a scale known from the state: the regression has to learn the rule.

    Each path's best value is max_tau PV_i(tau); the rule is feasible on every path, so its value can only fall
    short of the mean of those maxima, and with a cubic in the standardised margin it should fall short by < 0.5%.
    """
    scale = np.linspace(0.5, 2.0, 2_000)
    margin, exercise, d, pv, never = _switch_problem(scale, 150.0)
    best = np.maximum(pv.max(axis=1), never)
    res = lsmc.lsmc_stop(exercise, margin, d, margin)
    assert np.all(res.path_values <= best + 1e-9)
    assert res.value == pytest.approx(best.mean(), rel=5e-3)
    # richer sites switch later: the critical margin is the same on all paths (the switch value does not depend on
    # the scale), about A (1/d - 1) / 0.93 = 2.03 a quarter
    assert np.all(np.diff(res.exercise_index) >= 0)
    inner = res.boundary[1:-1]
    assert np.nanmedian(inner) == pytest.approx(150.0 * (1 / d - 1) / 0.93, rel=0.1)


def test_switch_under_uncertainty_beats_every_fixed_date():
    """A stochastic hashprice: the LSM rule should beat switching at once, never, and any fixed date on the same paths.

    Those are all feasible rules, and the rule found by LSM can adapt to the path; 3 s.e. of slack for the
    in-sample noise of the comparison (the same paths, so in practice the margin is far larger).
    """
    rng = np.random.default_rng(2140)
    dates, dt, rate = 41, 0.25, 0.05
    hashprice = lsmc.gbm_paths(1.0, -0.20, 0.60, dt * (dates - 1), dates - 1, 20_000, rng)  # drift: rising difficulty
    margin = 10.0 * hashprice - 3.0  # revenue minus power, can turn negative
    margin[:, 0] = 0.0
    switch_value = 60.0
    exercise = np.full(margin.shape, switch_value)
    d = math.exp(-rate * dt)
    res = lsmc.lsmc_stop(exercise, margin, d, hashprice)
    disc = d ** np.arange(dates)
    fixed = (np.cumsum(margin * disc, axis=1) + switch_value * disc).mean(axis=0)
    never = (margin * disc).sum(axis=1).mean()
    assert res.value >= max(fixed.max(), never) - 3 * res.std_error
    assert res.value > fixed.max() + 0.5  # flexibility is worth something real here
    # every path switches by the horizon (the switch value is positive there), most before it, when the hashprice is
    # low: the boundary is below the starting hashprice
    assert res.exercised_fraction == 1.0
    assert 0.5 < np.mean(res.exercise_index < dates - 1) < 1.0
    assert np.nanmedian(res.boundary[20:-1]) < 1.0


# ---------------------------------------------------------------- paths


def test_gbm_paths_are_exact_martingales_with_antithetic_pairs():
    s0, r, sigma, t, steps, n = 36.0, 0.06, 0.2, 1.0, 10, 20_001
    s = lsmc.gbm_paths(s0, r, sigma, t, steps, n, np.random.default_rng(1))
    assert s.shape == (n, steps + 1) and np.all(s[:, 0] == s0)
    half = (n + 1) // 2
    times = np.linspace(0, t, steps + 1)
    drift = (r - 0.5 * sigma**2) * times
    pair = np.log(s[: n - half] / s0) + np.log(s[half:] / s0)  # the Brownian parts cancel
    assert np.allclose(pair, 2 * drift, atol=1e-9)
    disc = s[:, -1] * math.exp(-r * t)
    assert abs(disc.mean() - s0) <= 3 * disc.std(ddof=1) / math.sqrt(n)
    flat = lsmc.gbm_paths(s0, r, 0.0, t, steps, 4, np.random.default_rng(1), antithetic=False)
    assert np.allclose(flat, s0 * np.exp(r * times))


def test_gbm_paths_are_reproducible_from_the_generator():
    a = lsmc.gbm_paths(1.0, 0.0, 0.5, 1.0, 5, 100, np.random.default_rng(9))
    b = lsmc.gbm_paths(1.0, 0.0, 0.5, 1.0, 5, 100, np.random.default_rng(9))
    assert np.array_equal(a, b)


# ---------------------------------------------------------------- bad inputs


def _gbm_args(**kw):
    args = dict(s0=36.0, r=0.06, sigma=0.2, t_years=1.0, steps=50, n_paths=100, rng=np.random.default_rng(0))
    args.update(kw)
    return args


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("s0", 0.0), ("s0", math.nan), ("r", math.inf), ("sigma", -0.1), ("sigma", math.nan),
        ("t_years", 0.0), ("t_years", -1.0), ("steps", 0), ("steps", 2.5), ("n_paths", 1), ("n_paths", True),
    ],
)
def test_gbm_paths_bad_inputs_name_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        lsmc.gbm_paths(**_gbm_args(**{name: value}))


def test_gbm_paths_needs_a_generator():
    with pytest.raises(TypeError, match="rng"):
        lsmc.gbm_paths(**_gbm_args(rng=42))


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("strike", {"strike": 0.0}),
        ("sigma", {"sigma": -0.2}),
        ("t_years", {"t_years": math.nan}),
        ("steps_per_year", {"steps_per_year": 0.1}),  # rounds to no exercise date
        ("steps_per_year", {"steps_per_year": -50}),
        ("n_paths", {"n_paths": 1}),
        ("seed", {"seed": -1}),
        ("basis", {"basis": "hermite"}),
        ("basis_degree", {"basis_degree": 0}),
    ],
)
def test_american_put_bad_inputs_name_the_parameter(name, kw):
    args = dict(s0=36.0, strike=K, r=R, sigma=0.2, t_years=1.0, n_paths=100)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        lsmc.american_put(**args)


def test_lsmc_stop_bad_inputs_name_the_parameter():
    e = np.ones((10, 5))
    x = np.ones((10, 5))
    with pytest.raises(ValueError, match="exercise_value"):
        lsmc.lsmc_stop(np.where(np.eye(10, 5) > 0, np.nan, e), None, 0.99, x)
    with pytest.raises(ValueError, match="exercise_value"):
        lsmc.lsmc_stop(np.ones(10), None, 0.99, x)
    with pytest.raises(ValueError, match="n_paths"):
        lsmc.lsmc_stop(np.ones((1, 5)), None, 0.99, np.ones((1, 5)))
    with pytest.raises(ValueError, match="dates"):
        lsmc.lsmc_stop(np.ones((10, 1)), None, 0.99, np.ones((10, 1)))
    with pytest.raises(ValueError, match="cashflow"):
        lsmc.lsmc_stop(e, np.ones((10, 4)), 0.99, x)
    with pytest.raises(ValueError, match="cashflow"):
        lsmc.lsmc_stop(e, np.full((10, 5), np.inf), 0.99, x)
    with pytest.raises(ValueError, match="discount_per_step"):
        lsmc.lsmc_stop(e, None, 0.0, x)
    with pytest.raises(ValueError, match="discount_per_step"):
        lsmc.lsmc_stop(e, None, math.nan, x)
    with pytest.raises(ValueError, match="state"):
        lsmc.lsmc_stop(e, None, 0.99, np.ones((10, 4)))
    with pytest.raises(ValueError, match="state"):
        lsmc.lsmc_stop(e, None, 0.99, np.full((10, 5), np.nan))
    with pytest.raises(ValueError, match="basis_degree"):
        lsmc.lsmc_stop(e, None, 0.99, x, 0)
    with pytest.raises(ValueError, match="basis"):
        lsmc.lsmc_stop(e, None, 0.99, x, basis="chebyshev")
    with pytest.raises(ValueError, match="laguerre"):
        lsmc.lsmc_stop(e, None, 0.99, np.ones((10, 5, 2)), basis="laguerre")


def test_public_names():
    assert set(lsmc.__all__) == {"AmericanPutResult", "LSMCResult", "american_put", "gbm_paths", "lsmc_stop"}
