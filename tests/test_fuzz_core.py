"""Property tests over the numeric core: any finite or non-finite input gives a result or a ValueError."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashpower.models import chain, hashprice, network, pivot, security
from hashpower.models import machines as mc

anyfloat = st.floats(allow_nan=True, allow_infinity=True, width=64)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_value_error(fn, *args, **kw):
    """Call fn; a ValueError is fine, any other exception fails; returns the result or None."""
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kw)
    except ValueError:
        return None


def _finite_nonneg(x):
    a = np.asarray(x, dtype=float)
    assert np.all(np.isfinite(a) | np.isinf(a)) and np.all(a[np.isfinite(a)] >= 0)


@SETTINGS
@given(anyfloat, anyfloat, anyfloat, anyfloat)
def test_hashprice_any_input(d, p, s, f):
    out = only_value_error(hashprice.usd_per_th_day, d, p, s, f)
    if out is not None:
        assert all(math.isfinite(v) and v > 0 for v in (d, p)) and s >= 0 and f >= 0
        _finite_nonneg(out)


@SETTINGS
@given(anyfloat, anyfloat, anyfloat, anyfloat, anyfloat, anyfloat)
def test_unit_economics_any_input(e, c, hp, pue, fee, host):
    out = only_value_error(mc.cost_rate, e, c, hp, pue=pue, pool_fee_rate=fee, hosting_fee_usd_per_kwh=host)
    if out is not None:
        _finite_nonneg(out)
    be = only_value_error(mc.breakeven_power_price, e, hp, pue=pue, pool_fee_rate=fee)
    if be is not None:
        assert np.all(np.isfinite(be) | np.isinf(be))
    only_value_error(mc.power_cost_usd_per_day, e, c, pue=pue, uptime=fee, hosting_fee_usd_per_kwh=host)
    only_value_error(mc.payback_months, c, e, hp, difficulty_growth_rate_per_month=fee)


@SETTINGS
@given(st.floats(min_value=1, max_value=200), st.floats(min_value=1, max_value=200),
       st.floats(min_value=1e-4, max_value=1), st.floats(min_value=0.001, max_value=0.5))
def test_cost_rate_monotone_in_efficiency(e1, e2, hp, c):
    lo, hi = sorted((e1, e2))
    assert mc.cost_rate(lo, c, hp) <= mc.cost_rate(hi, c, hp)
    assert mc.breakeven_power_price(lo, hp) >= mc.breakeven_power_price(hi, hp)


@SETTINGS
@given(st.one_of(anyfloat, st.integers(min_value=-10**12, max_value=10**12)))
def test_subsidy_any_height(h):
    out = only_value_error(chain.subsidy_sat, h)
    if out is not None:
        assert 0 <= int(out) <= 50 * 10**8


@SETTINGS
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_bits_any_value(bits):
    t = only_value_error(chain.target_from_bits, bits)
    if t is not None and t > 0:
        assert chain.difficulty_from_target(t) > 0


@SETTINGS
@given(anyfloat, st.one_of(anyfloat, st.integers(min_value=-5, max_value=200)))
def test_double_spend_any_input(q, z):
    for method in ("nakamoto", "rosenfeld"):
        out = only_value_error(security.double_spend_probability, q, z, method)
        if out is not None:
            assert 0 <= float(out) <= 1


@SETTINGS
@given(st.floats(min_value=0.0, max_value=0.49), st.integers(min_value=0, max_value=60))
def test_double_spend_falls_with_confirmations(q, z):
    a = security.double_spend_probability(q, z)
    b = security.double_spend_probability(q, z + 1)
    assert b <= a + 1e-12


@SETTINGS
@given(anyfloat, anyfloat, anyfloat, anyfloat, anyfloat)
def test_attack_costs_never_negative(h, hp, prem, price, eff):
    r = only_value_error(security.rental_attack_cost_usd_per_hour, h, hp, prem)
    if r is not None:
        for v in r.values():
            _finite_nonneg(v)
    hw = only_value_error(security.hardware_attack_cost_usd, h, price, eff)
    if hw is not None:
        for v in hw.values():
            _finite_nonneg(v)


@SETTINGS
@given(anyfloat, st.floats(min_value=0.01, max_value=0.99))
def test_poisson_interval_any_count(n, conf):
    out = only_value_error(network.poisson_interval, n, conf)
    if out is not None:
        lo, hi = out
        assert 0 <= lo <= max(n, 0) + 1e-9 <= hi + 1e-9


@SETTINGS
@given(st.dictionaries(st.sampled_from(["grid_mw", "power_price_usd_per_kwh", "efficiency_j_per_th", "pue",
                                        "discount_rate", "term_years", "lead_time_months", "capex_usd_per_mw_it",
                                        "it_to_grid_ratio", "escalator_rate"]),
                       st.one_of(anyfloat, st.integers(-10, 10**6), st.text(max_size=5), st.booleans())))
def test_site_any_values(kw):
    only_value_error(pivot.Site, **kw)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0, 0.0])
def test_hashrate_from_blocks_bad_difficulty(bad):
    with pytest.raises(ValueError):
        network.hashrate_from_blocks([bad, 1.0], [1.0, 1.0], 1)
