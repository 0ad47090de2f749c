"""``hashpower backtest`` and ``hashpower outlook``: the JSON contracts, the files, the tables, bad input, Dask."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hashpower import cli
from hashpower.cli import forecast as cmd
from hashpower.figures import backtest as fig_backtest
from hashpower.sim import backtest_charts

SERIES = ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day")
METRIC_KEYS = {"coverage_90", "coverage_50", "crps", "crps_random_walk", "mae_log", "mae_log_persistence",
               "mae_log_trend", "n"}
CASE_KEYS = {"origin", "horizon_months", "series", "actual", "p5", "p25", "p50", "p75", "p95"}
BANDS = ("p5", "p25", "p50", "p75", "p95")


@pytest.fixture(scope="module")
def sim_home(built_store):
    """The session's embedded store as ``$HASHPOWER_HOME`` for the module (the commands only read it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(built_store.parent))
        mp.setenv("HASHPOWER_NO_CACHE", "1")
        yield built_store.parent


def _json(command, args: list[str]) -> dict:
    r = CliRunner().invoke(command, [*args, "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    return json.loads(r.output)


@pytest.fixture(scope="module")
def both(sim_home):
    return _json(cmd.backtest, ["--origin", "2020-01-01", "--paths", "200"])


@pytest.fixture(scope="module")
def conditional(sim_home):
    return _json(cmd.backtest, ["--origin", "2020-01-01", "--paths", "100", "--mode", "conditional"])


@pytest.fixture(scope="module")
def start_day(sim_home) -> dt.date:
    return dt.date.fromisoformat(_json(cmd.outlook, ["--months", "1", "--paths", "10"])["start"])


# --------------------------------------------------------------------------- backtest


def test_backtest_json_contract(both):
    assert both["mode"] == "both" and both["origins"] == ["2020-01-01"] and both["horizons_months"] == [3, 6, 12]
    assert set(both["metrics"]) == set(SERIES)
    for s in SERIES:
        assert set(both["metrics"][s]) == {"3", "6", "12"}
        for m in both["metrics"][s].values():
            assert METRIC_KEYS <= set(m) and m["n"] == 1
            assert 0.0 <= m["coverage_90"] <= 1.0 and 0.0 <= m["coverage_50"] <= m["coverage_90"] + 1.0
            assert m["crps"] >= 0 and m["crps_random_walk"] >= 0 and m["mae_log"] >= 0
    assert set(both["modes"]) == {"conditional", "unconditional"}
    assert len(both["cases"]) == 1 * 3 * 3 * 2
    for c in both["cases"]:
        assert CASE_KEYS <= set(c)
        assert c["p5"] <= c["p25"] <= c["p50"] <= c["p75"] <= c["p95"] and c["actual"] > 0


def test_conditional_mode_has_no_coverage(conditional):
    assert conditional["mode"] == "conditional"
    for s in SERIES:
        for m in conditional["metrics"][s].values():
            assert m["coverage_90"] is None and m["coverage_50"] is None and m["crps"] is None
            assert m["mae_log"] is not None and m["mae_log_persistence"] is not None
    assert {c["mode"] for c in conditional["cases"]} == {"conditional"}


def test_backtest_table_at_80_columns(sim_home):
    r = CliRunner().invoke(cmd.backtest, ["--from", "2019-01-01", "--to", "2019-12-31", "--paths", "100"],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0, (r.output, r.exception)
    assert "…" not in r.output and max(len(line) for line in r.output.splitlines()) <= 80
    assert "4 origin(s) 2019-01-01 .. 2019-10-01" in r.output
    assert "cov 90" in r.output and "persist" in r.output and "CRPS RW" in r.output


def test_conditional_table_shows_dashes(sim_home):
    r = CliRunner().invoke(cmd.backtest, ["--origin", "2020-01-01", "--paths", "50", "--mode", "conditional",
                                          "--horizons", "3"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, (r.output, r.exception)
    assert "…" not in r.output
    row = next(line for line in r.output.splitlines() if line.startswith("│ 3 "))
    assert row.count(" - ") >= 3  # coverage 90, coverage 50 and CRPS are not scored


def _check_files(files: dict, res: dict) -> None:
    for k in ("cases_csv", "metrics_csv", "coverage_html", "coverage_png", "pit_html", "pit_png"):
        assert k in files
    with open(files["cases_csv"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(res["cases"])
    assert set(res["cases"][0]) <= set(rows[0])
    with open(files["metrics_csv"], newline="") as fh:
        mrows = list(csv.DictReader(fh))
    assert {(r["mode"], r["series"], r["horizon_months"]) for r in mrows} == {
        (m, s, str(h)) for m in res["modes"] for s in SERIES for h in res["horizons_months"]}
    assert METRIC_KEYS <= set(mrows[0])
    for k in ("coverage_html", "pit_html"):
        html = Path(files[k]).read_text(encoding="utf-8")
        assert "<script src=\"http" not in html and len(html) > 1_000_000  # plotly.js inline: works offline
    for k in ("coverage_png", "pit_png"):
        assert Path(files[k]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_outputs_writes_the_files(both, tmp_path):
    out = backtest_charts.write_outputs(both, tmp_path / "bt")
    _check_files(out["files"], both)


def test_write_outputs_conditional_only_skips_charts(conditional, tmp_path):
    out = backtest_charts.write_outputs(conditional, tmp_path)
    assert set(out["files"]) == {"cases_csv", "metrics_csv"} and out["notes"]


def test_write_outputs_refuses_a_file_as_directory(both, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="file"):
        backtest_charts.write_outputs(both, f)


@pytest.mark.skipif(not hasattr(fig_backtest, "write_outputs"),
                    reason="hashpower.figures.backtest.write_outputs (the layer's door to sim.backtest_charts) "
                           "is not there yet")
def test_backtest_out_writes_csv_html_png(sim_home, tmp_path):
    res = _json(cmd.backtest, ["--from", "2019-01-01", "--to", "2019-12-31", "--paths", "100",
                               "--out", str(tmp_path / "out")])
    assert len(res["cases"]) == 4 * 3 * 3 * 2
    _check_files(res["files"], res)


# --------------------------------------------------------------------------- outlook


def test_outlook_json_contract(sim_home):
    res = _json(cmd.outlook, ["--months", "3", "--paths", "200"])
    assert {"start", "months", "backtest", "next_epochs", "forward_hashprice_curve", "paths", "seed",
            "price_view"} <= set(res)
    assert len(res["months"]) == 3 and res["paths"] == 200
    for row in res["months"]:
        assert dt.date.fromisoformat(row["month"] + "-01")
        for s in (*SERIES, "hashprice_btc_per_ph_day"):
            q = row[s]
            assert set(q) >= {*BANDS, "mean"}
            assert q["p5"] <= q["p25"] <= q["p50"] <= q["p75"] <= q["p95"] and q["p5"] > 0
    assert res["forward_hashprice_curve"]["usd_per_ph_day"] == [r["hashprice_usd_per_ph_day"]["mean"]
                                                                 for r in res["months"]]


def test_outlook_price_growth_moves_the_hashprice(sim_home):
    up = _json(cmd.outlook, ["--months", "12", "--paths", "200", "--price-growth-per-year", "0.5"])
    down = _json(cmd.outlook, ["--months", "12", "--paths", "200", "--price-growth-per-year", "-0.5"])
    assert up["months"][11]["hashprice_usd_per_ph_day"]["p50"] > down["months"][11]["hashprice_usd_per_ph_day"]["p50"]
    assert up["price_view"].startswith("given")


def _price_csv(path, first: dt.date, days: int, *, skip: int | None = None, bad: int | None = None,
               extra: int = 0):
    lines = ["date,price_usd"]
    for k in range(days + extra):
        if k == skip:
            continue
        lines.append(f"{first + dt.timedelta(days=k)},{0 if k == bad else 70000 + k}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _one_month_days(start: dt.date) -> tuple[dt.date, int]:
    """The first day and length of the price path a one-month outlook needs."""
    first = start + dt.timedelta(days=1)
    nxt = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    if nxt - start == dt.timedelta(days=1):  # the start is its month's last day: the outlook's month is the next
        nxt = (nxt + dt.timedelta(days=32)).replace(day=1)
    return first, (nxt - first).days


def test_outlook_price_path_file(sim_home, start_day, tmp_path):
    first, days = _one_month_days(start_day)
    p = _price_csv(tmp_path / "p.csv", first, days)
    res = _json(cmd.outlook, ["--months", "1", "--paths", "50", "--price-path", str(p)])
    assert "p.csv" in res["price_view"]


def test_outlook_table_at_80_columns(sim_home, both, monkeypatch):
    import hashpower.figures.outlook as fig_outlook

    summary = {k: both[k] for k in ("mode", "origins", "horizons_months", "metrics")}
    summary["data_last_day"] = both["data_last_day"]
    monkeypatch.setattr(fig_outlook, "backtest_summary", lambda: summary)
    r = CliRunner().invoke(cmd.outlook, ["--months", "14", "--paths", "100"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, (r.output, r.exception)
    assert "…" not in r.output and max(len(line) for line in r.output.splitlines()) <= 80
    text = " ".join(r.output.split())
    assert "forward hashprice curve" in text and "not a market quote" in text
    assert "next difficulty epochs" in r.output and " T " in r.output
    cov = both["metrics"]["hashrate_ehs"]["3"]
    assert f"{cov['coverage_90']:.2f} / {cov['coverage_50']:.2f} (3 m)" in r.output


# --------------------------------------------------------------------------- bad input


def _main_fails(args: list[str], capsys) -> str:
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hashpower: error:") and "\n" not in err, err
    return err


@pytest.mark.parametrize("args, word", [
    (["backtest", "--origin", "2009-02-01"], "origin"),
    (["backtest", "--origin", "2026-06-01"], "origin"),
    (["backtest", "--origin", "2020-13-01"], "origin"),
    (["backtest", "--mode", "nope"], "mode"),
    (["backtest", "--horizons", "0"], "horizons"),
    (["backtest", "--horizons", "3,x"], "horizons"),
    (["backtest", "--paths", "0"], "paths"),
    (["backtest", "--paths", "10000000"], "paths"),
    (["backtest", "--origin", "2020-01-01", "--from", "2019-01-01"], "origin"),
    (["backtest", "--from", "2009-01-01"], "from"),
    (["backtest", "--preset", "nope"], "nope"),
    (["backtest", "--scheduler", "-1"], "scheduler"),
    (["backtest", "--scheduler", ""], "scheduler"),
    (["outlook", "--months", "61"], "months"),
    (["outlook", "--months", "0"], "months"),
    (["outlook", "--paths", "0"], "paths"),
    (["outlook", "--price-growth-per-year", "0.2", "--price-path", "x.csv"], "price"),
    (["outlook", "--price-growth-per-year", "-2"], "growth"),
    (["outlook", "--price-path", "no-such-file.csv"], "no-such-file"),
])
def test_bad_input_exits_2_with_one_line(sim_home, capsys, args, word):
    assert word in _main_fails(args, capsys)


def test_bad_input_uses_the_real_last_day(sim_home, capsys):
    last = fig_backtest.history().dates[-1]
    assert "origin" in _main_fails(["backtest", "--origin", str(last)], capsys)


@pytest.mark.parametrize("kind", ["gap", "zero", "outside"])
def test_bad_price_path_exits_2_with_one_line(sim_home, start_day, tmp_path, capsys, kind):
    first, days = _one_month_days(start_day)
    kw = {"gap": {"skip": 5}, "zero": {"bad": 3}, "outside": {"extra": 1}}[kind]
    p = _price_csv(tmp_path / f"{kind}.csv", first, days, **kw)
    err = _main_fails(["outlook", "--months", "1", "--paths", "10", "--price-path", str(p)], capsys)
    assert {"gap": "no price for", "zero": "> 0", "outside": "outside the outlook"}[kind] in err


# --------------------------------------------------------------------------- Dask


def test_backtest_on_a_scheduler_equals_in_process(conditional):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        res = _json(cmd.backtest, ["--origin", "2020-01-01", "--paths", "100", "--mode", "conditional",
                                   "--scheduler", cluster.scheduler_address])
    assert res["scheduler"] == cluster.scheduler_address
    assert res["metrics"] == conditional["metrics"] and res["cases"] == conditional["cases"]


def test_unreachable_scheduler_exits_2_with_one_line(sim_home, capsys, monkeypatch):
    monkeypatch.setattr(fig_backtest, "CONNECT_TIMEOUT_S", 1.0)
    err = _main_fails(["backtest", "--origin", "2020-01-01", "--paths", "10", "--mode", "conditional",
                       "--scheduler", "tcp://127.0.0.1:9"], capsys)
    assert "scheduler" in err
