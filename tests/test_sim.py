"""The scenario engine: kernel = plain-Python oracle, determinism, chain rules, calibration, presets,
results, sweeps on Dask, the CLI contract and bad input."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import time

import numpy as np
import pytest
from click.testing import CliRunner

from hashpower.cli import simulate as cmd
from hashpower.figures.simulate import run, snapshot
from hashpower.figures.sweep import sweep
from hashpower.models import chain
from hashpower.models import security as sec
from hashpower.sim import calibrate, engine, grid, reference, results, runner, scenario
from hashpower.sim.grid import load_grid


@pytest.fixture(scope="module")
def sim_home(built_store):
    """The session's embedded store as ``$HASHPOWER_HOME`` for the module (the engine only reads it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(built_store.parent))
        yield built_store.parent


@pytest.fixture(scope="module")
def baseline_model(sim_home):
    return calibrate.build(scenario.PRESETS["baseline"], snapshot())


# --------------------------------------------------------------------------- kernel vs the oracle


@pytest.mark.parametrize("preset, overrides", [
    ("baseline", {}),
    ("consolidation", {}),
    ("fee-driven", {"price_model": "bootstrap", "bootstrap_block_days": 20}),
    ("external-guarantee", {"price_drift_log_per_year": -0.6}),  # crashes: idle cohorts, AI exits, the floor
    ("baseline", {"price_drift_log_per_year": 1.5, "deploy_payback_months": 60.0}),  # booms: new machines
])
def test_kernel_equals_the_plain_python_reference(sim_home, preset, overrides):
    # Same (seed, path) streams, same operations in the same order: the numbers agree to the bit. Three
    # years from 2026-06 cross the halving at height 1,050,000, which the reference takes block by block
    # from hashpower.models.chain.subsidy_sat.
    m = calibrate.build(scenario.PRESETS[preset].replace(**overrides), snapshot())
    fast = engine.simulate(m, 3, 3, seed=11, path0=5)
    slow = reference.simulate_reference(m, 3, 3, seed=11, path0=5)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)
    assert np.all(np.isfinite(fast))


def test_the_oracle_cases_exercise_the_model(sim_home):
    crash = calibrate.build(scenario.PRESETS["external-guarantee"].replace(price_drift_log_per_year=-0.6), snapshot())
    boom = calibrate.build(scenario.PRESETS["baseline"].replace(price_drift_log_per_year=1.5,
                                                                deploy_payback_months=60.0), snapshot())
    c = reference.simulate_reference(crash, 3, 3, seed=11, path0=5)
    b = reference.simulate_reference(boom, 3, 3, seed=11, path0=5)
    k = engine.OUTPUTS.index
    assert (c[:, :, k("guarantee_usd_per_day")] > 0).all()
    assert (c[:, -1, k("ai_converted_share")] > 0.03).all()
    assert (b[:, -1, k("installed_capacity_ehs")] > 1.4 * boom.capacity_ths.sum() / 1e6).all()
    assert (b[:, -1, k("active_efficiency_j_per_th")] < 15).all()


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_numbers_whatever_the_threads_and_chunks(baseline_model):
    import numba

    a = engine.simulate(baseline_model, 40, 2, seed=123)
    n = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        b = engine.simulate(baseline_model, 40, 2, seed=123, chunk_paths=7)
    finally:
        numba.set_num_threads(n)
    parts = np.concatenate([engine.simulate(baseline_model, 25, 2, seed=123),
                            engine.simulate(baseline_model, 15, 2, seed=123, path0=25)])
    assert np.array_equal(a, b) and np.array_equal(a, parts)


def test_run_is_reproducible_and_seeds_differ(sim_home):
    a = run("baseline", 100, 2, 5)
    b = run("baseline", 100, 2, 5)
    c = run("baseline", 100, 2, 6)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["hashrate_ehs"] != c["hashrate_ehs"]
    assert a["price_usd"]["p50"] != c["price_usd"]["p50"]


# --------------------------------------------------------------------------- the chain


@pytest.mark.parametrize("elapsed_days", [0.0, 1.0, 3.5, 3.51, 10.0, 14.0, 14.0 * 2016 / 2015, 20.0, 56.0, 80.0])
def test_retarget_is_cores_rule_with_the_4x_clamp(elapsed_days):
    d = 1.3895e14
    got = engine.retarget_difficulty(d, elapsed_days)
    # Core measures the 2015 intervals between the epoch's first and last block
    span = elapsed_days * 86400.0 * 2015.0 / 2016.0
    assert got == float(chain.next_difficulty(d, span))
    assert d / 4 <= got <= d * 4


def test_retarget_clamps_a_fast_and_a_slow_epoch():
    d = 100.0
    assert engine.retarget_difficulty(d, 1.0) == 400.0  # 2016 blocks in a day: at most x4
    assert engine.retarget_difficulty(d, 100.0) == 25.0  # in 100 days: at least / 4


def test_epoch_accounting_retargets_at_the_2016th_block():
    # 2000 blocks done in 13 days; a day of 144 blocks: the 2016th comes after 16 of them
    d, blocks, days = engine.advance_epoch(1e14, 2000, 13.0, 144)
    assert blocks == 144 - 16
    assert days == pytest.approx(1 - 16 / 144)
    assert d == engine.retarget_difficulty(1e14, 13.0 + 16 / 144)
    # no boundary: nothing but counting
    assert engine.advance_epoch(1e14, 100, 1.0, 144) == (1e14, 244, 2.0)
    # two boundaries in one day (a huge day): two retargets, each clamped at x4
    d2, b2, _ = engine.advance_epoch(1.0, 0, 0.0, 4100)
    assert b2 == 4100 - 4032 and d2 == 16.0


def test_subsidy_halves_at_the_right_height():
    for h in (0, 209_999, 210_000, 952_049, 1_049_999, 1_050_000, 1_260_000, 6_929_999, 6_930_000, 13_440_000):
        assert engine.subsidy_sat_at(h) == int(chain.subsidy_sat(h)), h
    assert engine.subsidy_sat_at(1_049_999) == 312_500_000 and engine.subsidy_sat_at(1_050_000) == 156_250_000
    for start, n in ((1_049_900, 144), (1_049_999, 1), (1_050_000, 144), (952_049, 0), (839_990, 200_000)):
        assert engine.subsidy_sum_sat(start, n) == int(chain.subsidy_sat(np.arange(start, start + n)).sum())


def test_ziggurat_normals_are_standard_normal():
    # 200,000 draws through the oracle's stream (the kernel's, to the bit): moments and tail frequencies
    rng = reference._Stream(7, 3)
    z = np.array([rng.normal() for _ in range(200_000)])
    n = z.size
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1) < 4 * math.sqrt(2 / n)
    for q, p in ((1.96, 0.05), (3.0, 0.0027)):
        assert abs((np.abs(z) > q).mean() - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_poisson_draws_have_the_poisson_moments():
    # the kernel's generator through the oracle's stream: mean and variance of 20,000 draws at lam = 144
    rng = reference._Stream(1, 0)
    x = np.array([rng.poisson(144.0) for _ in range(20_000)])
    se = math.sqrt(144 / x.size)
    assert abs(x.mean() - 144) < 4 * se
    assert x.var() == pytest.approx(144, rel=0.05)
    small = np.array([rng.poisson(3.0) for _ in range(20_000)])
    assert abs(small.mean() - 3) < 4 * math.sqrt(3 / small.size)


# --------------------------------------------------------------------------- calibration


def test_gbm_is_calibrated_on_the_history(sim_home, baseline_model):
    snap = snapshot()
    win = round(4.0 * 365.25)
    r = snap.log_returns[-win:]
    mu, sigma = calibrate.gbm_parameters(snap.log_returns, win)
    assert mu == pytest.approx(r.mean(), rel=1e-12) and sigma == pytest.approx(r.std(ddof=1), rel=1e-12)
    assert baseline_model.par[engine.P_MU] == mu and baseline_model.par[engine.P_SIGMA] == sigma
    # the simulated prices reproduce them: one year's log change over 4,000 paths
    out = engine.simulate(baseline_model, 4000, 1, seed=2)
    x = np.log(out[:, 0, engine.OUTPUTS.index("price_usd")] / snap.price_usd)
    sd_year = sigma * math.sqrt(365)
    assert abs(x.mean() - 365 * mu) < 4 * sd_year / math.sqrt(x.size)
    assert x.std(ddof=1) == pytest.approx(sd_year, rel=0.05)  # se of an sd ~ 1/sqrt(2n) = 1.1 %


def test_bootstrap_draws_from_the_window(sim_home):
    m = calibrate.build(scenario.PRESETS["baseline"].replace(price_model="bootstrap"), snapshot())
    out = engine.simulate(m, 4000, 1, seed=2)
    x = np.log(out[:, 0, engine.OUTPUTS.index("price_usd")] / math.exp(m.par[engine.P_LOGP0]))
    h = m.hist_log_returns
    assert abs(x.mean() - 365 * h.mean()) < 4 * h.std() * math.sqrt(365) / math.sqrt(x.size) * 1.5


def test_cohorts_match_the_latest_day(sim_home, baseline_model):
    from hashpower.figures import series

    m = baseline_model
    info = m.info
    h7 = series.series()["hashrate_7d"][0][-1] / 1e12
    active = m.capacity_ths * m.on
    assert m.capacity_ths.size == 32
    assert active.sum() == pytest.approx(h7, rel=1e-12)
    assert (active * m.efficiency_j_per_th).sum() / active.sum() == pytest.approx(
        snapshot().cbeci_efficiency_j_per_th, rel=1e-6)
    # every running cohort's cost rate is <= 1 at the start hashprice; idle ones are above it
    hp0 = info["start_hashprice_usd_per_ph_day"] / 1e3
    cr = m.cost_usd_per_th_day / hp0
    assert (cr[m.on == 1] <= 1).all() and (cr[(m.on == 0) & (m.capacity_ths > 0)] > 1).all()
    # pools: the running cohorts reproduce the latest 30-day shares, so the HHI starts where it is
    conc = series.concentration_series(30)
    assert info["start_hhi"] == pytest.approx(float(conc["hhi"][-1]), rel=1e-6)
    np.testing.assert_allclose(m.pool_weights.sum(axis=1), 1.0, rtol=1e-12)


def test_tier_mix_and_power_buckets():
    a = calibrate.tier_mix(np.array([16.0, 21.5, 30.0]), 19.3)
    assert a.sum() == pytest.approx(1) and a @ [16.0, 21.5, 30.0] == pytest.approx(19.3, rel=1e-9)
    price, w = calibrate.power_buckets(0.045, 0.4, 0.03, 0.005)
    assert price[0] == 0.005 and w.sum() == pytest.approx(1) and np.all(np.diff(price) > 0)
    assert price[4] == pytest.approx(0.045)  # the middle of 7 lognormal buckets is the median


def test_attack_cost_is_the_security_formula(sim_home, baseline_model):
    m = baseline_model
    out = engine.simulate(m, 5, 2, seed=3)
    k = engine.OUTPUTS.index
    for y in range(2):
        e_att = max(m.par[engine.P_E_NEW0] * math.exp(m.par[engine.P_E_NEW_G] * (y + 1)), m.par[engine.P_E_FLOOR])
        hw = sec.hardware_attack_cost_usd(out[:, y, k("hashrate_ehs")] * 1e6, m.par[engine.P_ASIC_PRICE], e_att,
                                          facility_capex_usd_per_mw=m.par[engine.P_FACILITY],
                                          pue=m.par[engine.P_PUE])["hardware_usd"]
        np.testing.assert_allclose(out[:, y, k("attack_cost_hardware_usd")], hw, rtol=1e-12)


# --------------------------------------------------------------------------- results and presets


@pytest.fixture(scope="module")
def preset_runs(sim_home):
    return {p: run(p, 400, 10, 1) for p in scenario.PRESETS}


def test_contract_and_ordered_percentiles(preset_runs):
    for name, r in preset_runs.items():
        assert r["preset"] == name and r["paths"] == 400 and r["years"] == 10 and r["seed"] == 1
        for key in results.CONTRACT_KEYS[3:]:
            assert set(r[key]) == {"p5", "p50", "p95"} and all(len(v) == 10 for v in r[key].values())
        for key in engine.OUTPUTS:
            q = r[key]
            assert all(a <= b <= c for a, b, c in zip(q["p5"], q["p50"], q["p95"], strict=True)), (name, key)
        json.dumps(r, allow_nan=False)


def test_presets_move_the_expected_way(preset_runs):
    base, cons = preset_runs["baseline"], preset_runs["consolidation"]
    fee, guar = preset_runs["fee-driven"], preset_runs["external-guarantee"]
    late = slice(5, 10)
    # fee-driven: fees carry a growing share of the budget, and the budget is larger late
    assert all(f > 3 * b for f, b in zip(fee["fee_share"]["p50"][late], base["fee_share"]["p50"][late], strict=True))
    assert sum(fee["security_budget_usd_per_day"]["p50"][late]) > sum(base["security_budget_usd_per_day"]["p50"][late])
    # consolidation: more of the capacity goes to AI, and the pools concentrate
    assert all(c > b for c, b in zip(cons["ai_converted_share"]["p50"], base["ai_converted_share"]["p50"],
                                     strict=True))
    assert all(c > b for c, b in zip(cons["hhi"]["p50"][1:], base["hhi"]["p50"][1:], strict=True))
    assert cons["hashrate_ehs"]["p50"][-1] < base["hashrate_ehs"]["p50"][-1]
    # external guarantee: someone pays, and more hashrate (a dearer attack) survives the bad paths
    assert min(guar["guarantee_usd_per_day"]["p95"]) > 0
    assert all(g >= b for g, b in zip(guar["attack_cost_hardware_usd"]["p5"], base["attack_cost_hardware_usd"]["p5"],
                                      strict=True))


def test_presets_are_frozen_and_documented():
    assert list(scenario.PRESETS) == ["baseline", "consolidation", "fee-driven", "external-guarantee"]
    for name, sc in scenario.PRESETS.items():
        assert sc.name == name and len(sc.rationale) > 100
        with pytest.raises(dataclasses.FrozenInstanceError):
            sc.pue = 1.5  # type: ignore[misc]
    for f in dataclasses.fields(scenario.Scenario):
        assert f.metadata["unit"] and f.metadata["source"], f.name
    assert "Carlsten" in scenario.PRESETS["fee-driven"].rationale


def test_csv_and_fan_charts(preset_runs, tmp_path):
    r = preset_runs["baseline"]
    info = results.write_outputs([r, preset_runs["consolidation"]], tmp_path / "out", stem="cmp")
    with open(info["files"]["csv"]) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 10 * len(engine.OUTPUTS)
    first = next(x for x in rows if x["metric"] == "hashrate_ehs" and x["year"] == "1" and x["run"] == "0")
    assert float(first["p50"]) == r["hashrate_ehs"]["p50"][0]
    html = (tmp_path / "out" / "cmp.html").read_text()
    assert "<script src=" not in html and len(html) > 1_000_000  # plotly.js inline: works offline
    png = (tmp_path / "out" / "cmp.png").read_bytes()  # matplotlib is a dependency: the PNG is always written
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, message", [
    ({"preset": "doom"}, "unknown preset 'doom'; choose one of baseline"),
    ({"paths": 0}, "paths must be in [1, 100,000]"),
    ({"paths": 100_001}, "paths must be in [1, 100,000]"),
    ({"years": 0}, "years must be in [1, 30]"),
    ({"years": 31}, "years must be in [1, 30]"),
    ({"years": 2.5}, "years must be a whole number"),
    ({"seed": -1}, "seed must be in [0,"),
    ({"overrides": {"warp_drive": 1}}, "unknown scenario parameter(s) warp_drive"),
    ({"overrides": {"pue": 0.5}}, "pue must be a number in [1, 3]"),
    ({"overrides": {"price_model": "tea leaves"}}, "price_model must be 'gbm' or 'bootstrap'"),
    ({"overrides": {"on_cost_rate": 1.2}}, "on_cost_rate (1.2) must be <= off_cost_rate"),
])
def test_bad_input_is_one_clear_value_error(sim_home, kwargs, message):
    with pytest.raises(ValueError) as e:
        run(**{"preset": "baseline", "paths": 10, "years": 1, **kwargs})
    assert message in str(e.value)


def test_grid_files_are_checked(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[run]\npaths = 10\n[grid]\nfee_growth = [0.1]\n')
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) in \[grid\]: fee_growth; known: preset"):
        load_grid(bad)
    bad.write_text('[grid]\npue = 1.2\n')
    with pytest.raises(ValueError, match="pue must be a non-empty list"):
        load_grid(bad)
    bad.write_text('[rnu]\npaths = 1\n')
    with pytest.raises(ValueError, match="unknown table"):
        load_grid(bad)
    bad.write_text('[run\n')
    with pytest.raises(ValueError, match="not valid TOML"):
        load_grid(bad)
    with pytest.raises(ValueError, match="cannot read the grid file"):
        load_grid(tmp_path / "missing.toml")
    g = load_grid("examples/grid.toml") if __import__("os").path.exists("examples/grid.toml") else None
    if g is not None:
        assert g["run"]["preset"] == "baseline" and len(g["grid"]) == 2


def test_unreachable_scheduler_fails_fast(sim_home):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"cannot reach the scheduler at tcp://127.0.0.1:1 within 2 s"):
        sweep({"run": {"paths": 2, "years": 1}, "grid": {"seed": [1]}}, "tcp://127.0.0.1:1", timeout_s=2)
    assert time.perf_counter() - t0 < 10


# --------------------------------------------------------------------------- sweeps on Dask


def test_sweep_on_a_two_worker_cluster_equals_running_alone(sim_home):
    grid = {"run": {"preset": "baseline", "paths": 60, "years": 2, "seed": 9},
            "grid": {"preset": ["baseline", "fee-driven"], "ai_supply_mw_per_year": [500.0, 3000.0]}}
    res = sweep(grid)
    assert res["runs"] == 4 and "local cluster" in res["scheduler"]
    for r in res["results"]:
        point = r.pop("point")
        alone = run(point["preset"], 60, 2, 9, overrides={"ai_supply_mw_per_year": point["ai_supply_mw_per_year"]})
        assert json.dumps(r, sort_keys=True) == json.dumps(alone, sort_keys=True)


def test_sweep_on_a_named_scheduler(sim_home):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = sweep({"run": {"paths": 20, "years": 1, "seed": 4}, "grid": {"seed": [4, 5]}}, cluster.scheduler_address)
    assert res["scheduler"] == cluster.scheduler_address
    assert res["results"][0]["hashrate_ehs"] == run("baseline", 20, 1, 4)["hashrate_ehs"]


# --------------------------------------------------------------------------- the command line


def test_simulate_json_contract(sim_home):
    r = CliRunner().invoke(cmd.simulate, ["--preset", "baseline", "--paths", "200", "--years", "3", "--seed", "1",
                                          "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(results.CONTRACT_KEYS) <= set(out)
    assert (out["preset"], out["paths"], out["years"]) == ("baseline", 200, 3)
    for key in ("hashrate_ehs", "security_budget_usd_per_day", "attack_cost_hardware_usd"):
        assert set(out[key]) == {"p5", "p50", "p95"} and all(len(v) == 3 for v in out[key].values())
    assert out["hashrate_ehs"] == run("baseline", 200, 3, 1)["hashrate_ehs"]


def test_simulate_table_and_files(sim_home, tmp_path):
    r = CliRunner().invoke(cmd.simulate, ["--preset", "fee-driven", "--paths", "50", "--years", "2",
                                          "--set", "fee_growth_rate_per_year=0.5", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "fee-driven" in r.output and (tmp_path / "simulate-fee-driven.csv").exists()


def test_sweep_command_json(sim_home, tmp_path):
    g = tmp_path / "g.toml"
    g.write_text('[run]\npaths = 20\nyears = 1\n[grid]\nhashprice_floor_usd_per_ph_day = [0.0, 45.0]\n')
    r = CliRunner().invoke(cmd.sweep, [str(g), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["runs"] == 2 and len(out["results"]) == 2
    assert out["results"][1]["point"] == {"hashprice_floor_usd_per_ph_day": 45.0}


@pytest.mark.parametrize("args", [
    ("simulate", "--preset", "nope"),
    ("simulate", "--preset", "baseline", "--paths", "0"),
    ("simulate", "--preset", "baseline", "--paths", "1000000"),
    ("simulate", "--preset", "baseline", "--years", "-2"),
    ("simulate", "--preset", "baseline", "--years", "31"),
    ("simulate", "--preset", "baseline", "--set", "nonsense"),
    ("simulate", "--preset", "baseline", "--paths", "many"),
    ("sweep", "no-such-grid.toml"),
])
def test_bad_input_exits_2_with_one_line(sim_home, capsys, args):
    from hashpower import cli

    added = [c for c in (cmd.simulate, cmd.sweep) if c.name not in cli.cli.commands]
    for c in added:
        cli.cli.add_command(c)
    try:
        assert cli.main(list(args)) == 2
    finally:
        for c in added:
            cli.cli.commands.pop(c.name)
    err = capsys.readouterr().err.strip()
    assert err.startswith("hashpower: error:") and "\n" not in err


def test_sweep_command_unreachable_scheduler(sim_home, tmp_path):
    g = tmp_path / "g.toml"
    g.write_text('[run]\npaths = 2\nyears = 1\n')
    r = CliRunner().invoke(cmd.sweep, [str(g), "--scheduler", "tcp://127.0.0.1:1", "--timeout", "1"])
    assert isinstance(r.exception, ValueError) and "cannot reach the scheduler" in str(r.exception)


def test_public_api():
    import hashpower.sim as sim

    assert sim.__all__ == ["MAX_PATHS", "MAX_YEARS", "PRESETS", "Scenario", "fan_chart_html", "fan_chart_png",
                           "get_preset", "load_grid", "parameter_table", "run", "sweep", "to_csv", "write_outputs"]
    assert sim.run is runner.run and sim.sweep is grid.sweep and sim.MAX_PATHS == 100_000 and sim.MAX_YEARS == 30
    assert {p["name"] for p in sim.parameter_table()} >= {"fee_growth_rate_per_year", "ai_supply_mw_per_year"}
