"""The recorded backtest (``src/hashpower/data/backtest.json``, shown by the outlook and docs/backtest.md) is
what a fresh default backtest gives on the embedded data, and the engine's forward tails stay within the
bound the backtest's conditional mode explains (docs/backtest.md, "The targets")."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from hashpower.figures.backtest import backtest, history
from hashpower.figures.simulate import snapshot
from hashpower.sim import calibrate, scenario, stress


@pytest.fixture(scope="module")
def home(built_store):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(built_store.parent))
        yield built_store.parent


@pytest.fixture(scope="module")
def fresh(home):
    return backtest()


def test_the_recorded_summary_is_a_fresh_run(fresh):
    # Same data, same seed, same kernel: the numbers agree to rounding (the kernel is deterministic per
    # (seed, path); only the order of float sums over cases could differ, hence rtol 1e-9).
    rec = json.loads((resources.files("hashpower") / "data" / "backtest.json").read_text())
    assert rec["origins"] == fresh["origins"] and rec["horizons_months"] == fresh["horizons_months"]
    assert rec["paths"] == fresh["paths"] and rec["seed"] == fresh["seed"]
    for name, per_h in fresh["metrics"].items():
        for h, m in per_h.items():
            for k, v in m.items():
                r = rec["metrics"][name][h][k]
                if isinstance(v, float):
                    assert r == pytest.approx(v, rel=1e-9), (name, h, k)
                else:
                    assert r == v, (name, h, k)


def test_the_conditional_mode_beats_the_naive_forecasts(fresh):
    # The targets of docs/backtest.md that the default model meets, asserted on the fresh run.
    m = fresh["metrics"]["hashrate_ehs"]
    for h in ("3", "6", "12"):
        assert m[h]["mae_log"] < m[h]["mae_log_persistence"]
    for h in ("6", "12"):
        assert m[h]["mae_log"] < m[h]["mae_log_trend"]
        assert 0.80 <= m[h]["coverage_90"] <= 0.97
        assert 0.35 <= m[h]["coverage_50"] <= 0.65
        assert m[h]["crps"] <= m[h]["crps_random_walk"]


def test_no_preset_falls_deeper_than_a_real_price_path_explains(home):
    # The bound: the deepest one-year fall of the conditional mode under every real 12-month price path
    # replayed from today's start. The presets' p5 over 2,000 paths: its sampling error is about
    # sqrt(0.05 x 0.95 / 2000) = 0.005 in probability, a few points of fall at most; the margins below
    # (>= 3 points) are wider than that.
    snap = snapshot()
    bound = stress.price_path_stress(calibrate.build(scenario.PRESETS["baseline"], snap), history())
    assert -0.95 < bound["deepest_fall"] < -0.3
    for name, sc in scenario.PRESETS.items():
        worst = float(np.min(stress.one_year_changes(calibrate.build(sc, snap), paths=2000, years=5, seed=0)))
        if name == "consolidation":
            # recorded as missed in docs/backtest.md (its year 2 holds the 2028 halving, no replayed window
            # does): the figure is checked to stay where the page says, so that a change shows there
            assert worst < bound["deepest_fall"] - 0.05, (name, worst, bound["deepest_fall"])
        else:
            assert worst > bound["deepest_fall"], (name, worst, bound["deepest_fall"])
