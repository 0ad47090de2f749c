"""``hashpower security`` on any priced day, and the pools as mempool.space shows them.

The budget, fee share, attack costs and double-spend odds need no pool data, so every day with a price has
them; the concentration is null with a reason outside the per-block pool data. Pools carry their display
names, the top N are shown with one "others" row (and "Unknown" for unattributed blocks) so that the shares
sum to 1, over mempool's windows (24h .. all).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from liveserver import Server

from hashpower import cli
from hashpower.figures import series
from hashpower.figures.security import WINDOWS, security_figures
from hashpower.store.catalog import pools as pool_list

PRE_POOL_DAY = "2020-04-09"
BUDGET_KEYS = ("security_budget_usd_per_day", "security_budget_share_of_market_cap_per_year", "fee_share",
               "revenue_usd_per_transaction", "hashrate_ehs_7d")
ATTACK_KEYS = ("rent_usd_per_hour", "rent_net_of_rewards_usd_per_hour", "hardware_usd", "energy_usd_per_hour",
               "budish_breakeven_value_usd")


@pytest.fixture(scope="module")
def shared_home(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy of the store for the module's in-process runs (none of them writes)."""
    h = tmp_path_factory.mktemp("security-pools-home")
    shutil.copyfile(built_store, h / "hashpower.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(h))
        yield h


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["security", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def check_priced_without_pools(f: dict, day: str, word: str) -> None:
    assert f["date"] == day
    for k in BUDGET_KEYS:
        assert f[k] > 0, k
    assert 0 < f["fee_share"] < 1
    for k in ATTACK_KEYS:
        assert f["attack_cost"][k] > 0, k
    assert f["double_spend"] and all(0 <= d["rosenfeld"] <= 1 for d in f["double_spend"])
    assert f["hhi"] is None and f["nakamoto_coefficient"] is None and f["concentration"] is None
    assert "per-block pool data" in f["concentration_reason"] and word in f["concentration_reason"]


# --------------------------------------------------------------------------- any priced day


def test_cli_before_the_pool_data(shared_home, capsys):
    f = run_json(capsys, "--date", PRE_POOL_DAY)
    check_priced_without_pools(f, PRE_POOL_DAY, "before")
    first, _ = series.block_day_range()
    assert str(first) in f["concentration_reason"]
    code, out, err = run(capsys, "--date", PRE_POOL_DAY)  # the terminal output says why, exit 0
    assert code == 0 and "Traceback" not in err and "Budish" in out
    assert "no per-block pool data" in out.replace("\n", " ")


def test_cli_after_the_last_attributed_block(shared_home, capsys):
    _, last = series.block_day_range()
    latest = series.check_day(None)
    if latest <= last:
        pytest.skip("the price data end with the pool data")
    day = (last + dt.timedelta(days=1)).isoformat()
    check_priced_without_pools(run_json(capsys, "--date", day), day, "after")


def test_a_window_reaching_before_the_pool_data_is_null_with_a_reason(shared_home):
    f = security_figures("2021-03-01", window="1y")
    assert f["concentration"] is None and "starts before" in f["concentration_reason"]
    assert f["security_budget_usd_per_day"] > 0
    assert security_figures("2021-03-01", window="all")["concentration"]["start_date"] == str(
        series.block_day_range()[0])


def test_a_day_without_a_price_is_still_refused(shared_home, capsys):
    code, _, err = run(capsys, "--date", "2010-01-01")
    assert code == 2 and err.startswith("hashpower: error: ") and err.count("\n") == 1 and "price" in err


def test_api_before_the_pool_data(client: httpx.Client, shared_home, capsys):
    r = client.get("/v1/security", params={"date": PRE_POOL_DAY})
    assert r.status_code == 200, r.text
    api = r.json()
    check_priced_without_pools({**api, "double_spend": [{"rosenfeld": 0.5}]}, PRE_POOL_DAY, "before")
    cli_out = run_json(capsys, "--date", PRE_POOL_DAY)
    for k in BUDGET_KEYS:
        assert api[k] == pytest.approx(cli_out[k], rel=1e-12)
    assert api["concentration_reason"] == cli_out["concentration_reason"]


# --------------------------------------------------------------------------- pools as people know them


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("top", [1, 3, 10, 1000])
def test_shares_with_others_sum_to_one(shared_home, window, top):
    for merge in (False, True):
        c = security_figures("2026-02-11", window=window, top=top, merge_templates=merge)["concentration"]
        rows = c["pool_shares"]
        assert abs(sum(r["share"] for r in rows) - 1.0) <= 1e-12
        assert sum(r["blocks"] for r in rows) == c["blocks"] > 0
        assert [r["pool"] for r in rows if r["pool"] not in ("unknown", "others")] == [p["pool"] for p in c["pools"]]
        assert len(c["pools"]) <= top and c["window"] == window and c["top"] == top
        assert [r["pool"] for r in rows].count("others") == 1 == [r["pool"] for r in rows].count("unknown")
        assert rows[-1]["pool"] == "others"
        unknown = next(r for r in rows if r["pool"] == "unknown")
        assert unknown["name"] == "Unknown" and unknown["share"] == pytest.approx(c["unattributed_share"], abs=1e-15)


def test_display_names(shared_home, capsys):
    names = pool_list()["names"]
    assert names["antpool"] == "AntPool" and names["foundryusa"] == "Foundry USA"
    f = run_json(capsys, "--date", "2026-02-11", "--window", "1m")
    shown = {p["pool"]: p["name"] for p in f["concentration"]["pools"]}
    assert shown["antpool"] == "AntPool" and shown["foundryusa"] == "Foundry USA"
    assert all(p["name"] == names.get(p["pool"], p["pool"]) for p in f["concentration"]["pools"])
    code, out, _ = run(capsys, "--date", "2026-02-11", "--window", "1m")
    assert code == 0 and "Foundry USA" in out and "AntPool" in out and "foundryusa" not in out
    merged = security_figures("2026-02-11", 30, merge_templates=True)["concentration"]["pools"]
    assert any(p["name"] == p["pool"] == "AntPool & friends" for p in merged)


def test_top_three_and_others(shared_home, capsys):
    f = run_json(capsys, "--date", "2026-02-11", "--window", "1w", "--top", "3")
    c = f["concentration"]
    assert len(c["pools"]) == 3
    others = c["pool_shares"][-1]
    assert others["pool"] == "others" and others["pools"] > 0 and others["blocks"] > 0
    assert others["share"] == pytest.approx(1 - sum(p["share"] for p in c["pools"]) - c["unattributed_share"],
                                            abs=1e-12)
    code, out, _ = run(capsys, "--date", "2026-02-11", "--window", "1w", "--top", "3")
    assert code == 0 and f"Others ({others['pools']} pools)" in out
    # the default shows 10, as before
    assert len(run_json(capsys, "--date", "2026-02-11")["concentration"]["pools"]) == 10


def test_api_windows_top_and_names(client: httpx.Client, shared_home):
    r = client.get("/v1/security", params={"date": "2026-02-11", "window": "3d", "top": 3})
    assert r.status_code == 200, r.text
    c = r.json()["concentration"]
    assert len(c["pools"]) == 3 and c["window"] == "3d" and c["window_days"] == 3
    assert all(p["name"] for p in c["pools"]) and abs(sum(p["share"] for p in c["pool_shares"]) - 1) <= 1e-12
    assert c == security_figures("2026-02-11", window="3d", top=3)["concentration"]


@pytest.mark.parametrize("args", [("--top", "0"), ("--top", "-2"), ("--window", "2w"), ("--window", "24H"),
                                  ("--window", "1w", "--window-days", "7"),
                                  ("--date", PRE_POOL_DAY, "--window-days", "0")])
def test_cli_bad_input(shared_home, capsys, args):
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert err.startswith("hashpower: error: ") and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(("params", "status", "word"), [
    ({"top": 0}, 422, "top"), ({"top": "x"}, 422, "top"), ({"window": "2w"}, 422, "window"),
    ({"window": "1w", "window_days": 7}, 400, "window"), ({"date": "2010-01-01"}, 400, "price"),
])
def test_api_bad_input(client: httpx.Client, params, status, word):
    r = client.get("/v1/security", params=params)
    assert r.status_code == status, r.text
    assert word in r.json()["detail"]


# --------------------------------------------------------------------------- a window against the blocks


@pytest.mark.parametrize(("day", "window", "hours"), [("2024-04-20", "24h", 24), ("2024-04-20", "3d", 72),
                                                       ("2022-06-15", "1w", 168), ("2021-01-10", "all", None)])
def test_window_counts_against_the_blocks(shared_home, day, window, hours):
    """Count the blocks of the window with a plain loop over the store's blocks and compare."""
    end = dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    if hours is None:
        start = dt.datetime.combine(series.block_day_range()[0], dt.time(), dt.UTC).timestamp()
    else:
        start = end - hours * 3600
    con = duckdb.connect(str(shared_home / "hashpower.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT timestamp, pool FROM blocks").fetchall()
    finally:
        con.close()
    counts: Counter[str] = Counter()
    for ts, pool in rows:
        if start <= ts < end:
            counts[pool] += 1
    c = security_figures(day, window=window, top=1000)["concentration"]
    assert c["blocks"] == sum(counts.values()) > 0
    mine = {r["pool"]: r["blocks"] for r in c["pool_shares"]}
    assert mine.pop("others") == 0
    assert mine == {p: n for p, n in counts.items()} | {"unknown": counts.get("unknown", 0)}
    top3 = security_figures(day, window=window, top=3)["concentration"]
    assert [p["blocks"] for p in top3["pools"]] == sorted((n for p, n in counts.items() if p != "unknown"),
                                                          reverse=True)[:3]


def test_named_windows_equal_the_day_windows(shared_home):
    """The direct window count equals the cached every-day series it replaced (same HHI, shares)."""
    import numpy as np

    for w in (1, 7, 30):
        s = series.concentration_series(w)
        for day in ("2021-07-15", "2024-04-20", "2026-02-11"):
            i = int(np.searchsorted(s["dates"], np.datetime64(day)))
            c = series.concentration_on(dt.date.fromisoformat(day), w)
            assert c["hhi"] == s["hhi"][i] and c["nakamoto_coefficient"] == s["nakamoto_coefficient"][i]
            assert c["blocks"] == s["blocks"][i]
            for p in c["pools"]:
                assert p["share"] == s["shares"][i][s["labels"].index(p["pool"])]
