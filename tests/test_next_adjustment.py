"""The next-adjustment estimate by the clock (mempool.space's formula), locked to Core's rule at the epoch's end.

Reference vectors: mempool/mempool ``backend/src/__tests__/api/difficulty-adjustment.test.ts``, test "should
calculate Difficulty Adjustments properly", for ``calcDifficultyAdjustment`` in
``backend/src/api/difficulty-adjustment.ts``, at two commits: d322665789927cb7d46e51bbfc5c978d7ed35f0e
("update difficulty tests", 2023-05-11: vectors 1-3, no sliding window) and
000524691adcf57b2a8f34b18d0e3ad7eef5dad6 ("Project early difficulty from sliding window", 2024-02-11: vectors
1-4, the 504-block window). mempool reports percentages and milliseconds; ours are decimals and seconds, so the
comparisons multiply by 100 and 1000. ``previousRetarget`` and ``previousTime`` are inputs mempool passes
through, not ported.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from liveserver import live_server

from hashpower import cli
from hashpower.models import chain


def mempool_dt(s: str) -> int:
    """mempool's test helper ``dt``: ``Math.floor(new Date(s).getTime() / 1000)``."""
    return int(dt.datetime.fromisoformat(s).timestamp())


# (name, inputs, expected) with inputs (DATime, quarterEpochTime | None, now, height, previousRetarget %,
# latestBlockTimestamp) in mempool's order and units.
MEMPOOL_VECTORS = [
    (  # d32266578, Vector 1
        "d32266578-vector-1",
        (mempool_dt("2022-08-18T11:07:00.000Z"), None, mempool_dt("2022-08-19T14:03:53.000Z"), 750134,
         0.6280047707459726, 0),
        {"progressPercent": 9.027777777777777, "difficultyChange": 13.180707740199772,
         "estimatedRetargetDate": 1661895424692, "remainingBlocks": 1834, "remainingTime": 977591692,
         "nextRetargetHeight": 751968, "timeAvg": 533038, "expectedBlocks": 161.68833333333333},
    ),
    (  # d32266578, Vector 2 (testnet): the same fields but timeOffset, which is testnet-only and not ported
        "d32266578-vector-2-mainnet-fields",
        (mempool_dt("2022-08-18T11:07:00.000Z"), None, mempool_dt("2022-08-19T14:03:53.000Z"), 750134,
         0.6280047707459726, mempool_dt("2022-08-19T13:52:46.000Z")),
        {"progressPercent": 9.027777777777777, "difficultyChange": 13.180707740199772,
         "estimatedRetargetDate": 1661895424692, "remainingBlocks": 1834, "remainingTime": 977591692,
         "nextRetargetHeight": 751968, "timeAvg": 533038, "expectedBlocks": 161.68833333333333},
    ),
    (  # d32266578, Vector 3 (mainnet lock-in, epoch ending 788255)
        "d32266578-vector-3-lock-in",
        (mempool_dt("2023-04-20T09:57:33.000Z"), None, mempool_dt("2023-05-04T14:54:09.000Z"), 788255,
         1.7220298879531821, mempool_dt("2023-05-04T14:54:26.000Z")),
        {"progressPercent": 99.95039682539682, "difficultyChange": -1.4512637555574193,
         "estimatedRetargetDate": 1683212658129, "remainingBlocks": 1, "remainingTime": 609129,
         "nextRetargetHeight": 788256, "timeAvg": 609129, "expectedBlocks": 2045.66},
    ),
    (  # 000524691, Vector 1 (normal adjustment)
        "000524691-vector-1",
        (mempool_dt("2024-02-02T15:42:06.000Z"), mempool_dt("2024-02-08T14:43:05.000Z"),
         mempool_dt("2024-02-11T22:43:01.000Z"), 830027, 7.333505241141637, 0),
        {"progressPercent": 71.97420634920636, "difficultyChange": 8.512745140778843,
         "estimatedRetargetDate": 1708004001715, "remainingBlocks": 565, "remainingTime": 312620715,
         "nextRetargetHeight": 830592, "timeAvg": 553311, "adjustedTimeAvg": 553311,
         "expectedBlocks": 1338.0916666666667},
    ),
    (  # 000524691, Vector 2 (within quarter-epoch overlap: the 504-block window)
        "000524691-vector-2-window",
        (mempool_dt("2022-08-18T11:07:00.000Z"), mempool_dt("2022-08-16T03:16:54.000Z"),
         mempool_dt("2022-08-19T14:03:53.000Z"), 750134, 0.6280047707459726, 0),
        {"progressPercent": 9.027777777777777, "difficultyChange": 1.0420538959004633,
         "estimatedRetargetDate": 1662009048328, "remainingBlocks": 1834, "remainingTime": 1091215328,
         "nextRetargetHeight": 751968, "timeAvg": 533038, "adjustedTimeAvg": 594992,
         "expectedBlocks": 161.68833333333333},
    ),
    (  # 000524691, Vector 3 (testnet): vector 2's fields but timeOffset (testnet-only, not ported)
        "000524691-vector-3-mainnet-fields",
        (mempool_dt("2022-08-18T11:07:00.000Z"), mempool_dt("2022-08-16T03:16:54.000Z"),
         mempool_dt("2022-08-19T14:03:53.000Z"), 750134, 0.6280047707459726, mempool_dt("2022-08-19T13:52:46.000Z")),
        {"progressPercent": 9.027777777777777, "difficultyChange": 1.0420538959004633,
         "estimatedRetargetDate": 1662009048328, "remainingBlocks": 1834, "remainingTime": 1091215328,
         "nextRetargetHeight": 751968, "timeAvg": 533038, "adjustedTimeAvg": 594992,
         "expectedBlocks": 161.68833333333333},
    ),
    (  # 000524691, Vector 4 (mainnet lock-in, epoch ending 788255; the window time is far outside the epoch)
        "000524691-vector-4-lock-in",
        (mempool_dt("2023-04-20T09:57:33.000Z"), mempool_dt("2022-08-16T03:16:54.000Z"),
         mempool_dt("2023-05-04T14:54:09.000Z"), 788255, 1.7220298879531821, mempool_dt("2023-05-04T14:54:26.000Z")),
        {"progressPercent": 99.95039682539682, "difficultyChange": -1.4512637555574193,
         "estimatedRetargetDate": 1683212658129, "remainingBlocks": 1, "remainingTime": 609129,
         "nextRetargetHeight": 788256, "timeAvg": 609129, "adjustedTimeAvg": 609129, "expectedBlocks": 2045.66},
    ),
]


def _ours(inputs) -> chain.DifficultyAdjustment:
    da_time, quarter, now, height, previous_pct, latest = inputs
    window = {} if quarter is None else {"window_start_time": quarter, "previous_change": previous_pct / 100}
    return chain.difficulty_adjustment(da_time, height, latest, now, **window)


@pytest.mark.parametrize(("name", "inputs", "expected"), MEMPOOL_VECTORS, ids=[v[0] for v in MEMPOOL_VECTORS])
def test_reproduces_mempool_vectors(name, inputs, expected):
    a = _ours(inputs)
    got = {"progressPercent": a.progress * 100, "difficultyChange": a.change * 100,
           "estimatedRetargetDate": round(a.estimated_retarget_time * 1000), "remainingBlocks": a.remaining_blocks,
           "remainingTime": round(a.remaining_time_s * 1000), "nextRetargetHeight": a.retarget_height,
           "timeAvg": round(a.mean_interval_s * 1000), "adjustedTimeAvg": round(a.projected_interval_s * 1000),
           "expectedBlocks": a.expected_blocks}
    # The same double operations in the same order as mempool's TypeScript: equal, not just close.
    assert {k: got[k] for k in expected} == expected
    assert a.locked == name.endswith("lock-in")
    assert a.windowed == name.endswith(("window", "vector-3-mainnet-fields")) and a.windowed == (
        inputs[1] is not None and inputs[3] % 2016 < 503)


def test_mempool_lock_in_vector_is_cores_rule():
    # d32266578 Vector 3: the epoch ending at 788255 (first block 786240 at DATime, last at latestBlockTimestamp).
    t0, t1 = mempool_dt("2023-04-20T09:57:33.000Z"), mempool_dt("2023-05-04T14:54:26.000Z")
    a = chain.difficulty_adjustment(t0, 788255, t1, mempool_dt("2023-05-04T14:54:09.000Z"))
    assert a.locked and a.change == pytest.approx(float(chain.next_difficulty(1.0, t1 - t0)) - 1, rel=1e-13)
    # the exact 256-bit retarget (pow.cpp CalculateNextWorkRequired) of any target (here one of 2023's order),
    # before the compact truncation, gives the same change
    prev = chain.target_from_bits(0x17052E3E)
    new = chain.retarget(prev, t0, t1)
    assert a.change == pytest.approx(prev / new - 1, rel=1e-12)
    # the tip's time may lead the clock (here by 17 s), up to Core's MAX_FUTURE_BLOCK_TIME (2 h)
    assert t1 > mempool_dt("2023-05-04T14:54:09.000Z")


# --------------------------------------------------------------------------- the lock and the clamp


def test_locked_only_at_the_epochs_last_block():
    t0 = 1_700_000_000
    span = 2015 * 550
    kinds = {h: chain.difficulty_adjustment(t0, h, t0 + span, t0 + span + 100) for h in (4030, 4031, 4032, 6047)}
    assert [kinds[h].locked for h in (4030, 4031, 4032, 6047)] == [False, True, False, True]
    assert kinds[4031].change == pytest.approx(1_209_600 / span - 1, rel=1e-13)  # 2016 * 600 s over 2015 intervals
    # once locked, the change ignores the clock; before, it follows it
    later = chain.difficulty_adjustment(t0, 4031, t0 + span, t0 + span + 86_400)
    assert later.change == kinds[4031].change and later.estimated_retarget_time > kinds[4031].estimated_retarget_time
    assert chain.difficulty_adjustment(t0, 4030, t0 + span, t0 + span + 86_400).change < kinds[4030].change


@pytest.mark.parametrize(
    ("span_s", "change"),
    [(1, 3.0), (0, 3.0), (-600, 3.0), (1_209_600 // 4, 3.0), (1_209_600 * 4, -0.75), (10**9, -0.75)],
)
def test_locked_change_is_clamped_at_4x_as_core(span_s, change):
    # pow.cpp CalculateNextWorkRequired: the timespan is clamped to [timespan / 4, timespan * 4]; a negative or
    # zero one (block times may run backwards) takes the lower clamp.
    t0 = 1_700_000_000
    a = chain.difficulty_adjustment(t0, 2015, t0 + span_s, max(t0, t0 + span_s))
    assert a.locked and a.change == pytest.approx(change, abs=1e-15)


@given(st.integers(0, 2014), st.floats(1.0, 4e6))
def test_estimate_is_blocks_mined_over_blocks_expected(n, elapsed_s):
    t0 = 1_600_000_000
    a = chain.difficulty_adjustment(t0, 2016 * 400 + n, t0 + elapsed_s, t0 + elapsed_s)
    assert not a.locked and a.blocks_in_epoch == n and a.remaining_blocks == 2016 - n
    assert a.expected_blocks == pytest.approx(elapsed_s / 600)
    assert a.change == pytest.approx(min(max((n + 1) / a.expected_blocks - 1, -0.75), 3.0), rel=1e-12)
    assert a.progress == n / 2016 and a.retarget_height == 2016 * 401
    assert a.estimated_retarget_time == pytest.approx(t0 + elapsed_s + a.remaining_blocks * a.mean_interval_s)


def test_first_block_of_an_epoch_assumes_the_target_spacing():
    a = chain.difficulty_adjustment(1_000, 4032, 1_000, 1_000)
    assert a.blocks_in_epoch == 0 and a.remaining_blocks == 2016 and a.mean_interval_s == 600
    assert a.estimated_retarget_time == 1_000 + 2016 * 600 and a.change == 3.0  # no time elapsed: the clamp


def test_times_as_datetimes():
    t0 = np.datetime64("2023-04-20T09:57:33", "s")
    a = chain.difficulty_adjustment(t0, 788255, dt.datetime(2023, 5, 4, 14, 54, 26, tzinfo=dt.UTC),
                                    dt.datetime(2023, 5, 4, 14, 54, 9))
    assert a.change * 100 == -1.4512637555574193  # d32266578 Vector 3


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"tip_height": -1}, "tip_height"),
        ({"tip_height": 750134.5}, "tip_height"),
        ({"tip_height": [750134, 750135]}, "tip_height"),
        ({"tip_time": 1_660_920_000 + 7201}, "tip_time"),  # more than 2 h in the future of now
        ({"tip_time": float("nan")}, "tip_time"),
        ({"tip_time": "soon"}, "tip_time"),
        ({"now": float("inf")}, "now"),
        ({"now": np.datetime64("NaT")}, "now"),
        ({"epoch_start_time": 1_660_920_000 + 7201}, "epoch_start_time"),
        ({"window_start_time": 1_660_000_000}, "previous_change"),  # the window needs the previous change
        ({"window_start_time": 1_660_000_000, "previous_change": -1.0}, "previous_change"),
        ({"window_start_time": "x", "previous_change": 0.0}, "window_start_time"),
        ({"target_spacing_s": 0}, "target_spacing_s"),
        ({"retarget_interval_blocks": 1}, "retarget_interval_blocks"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_parameter(kwargs, name):
    args = {"epoch_start_time": 1_660_820_820, "tip_height": 750134, "tip_time": 1_660_919_000,
            "now": 1_660_920_000, **kwargs}
    with pytest.raises(ValueError, match=name):
        chain.difficulty_adjustment(**args)


def test_tip_time_may_lead_now_by_core_max_future_block_time():
    # chain.h MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60: a block up to 2 h ahead of the clock is valid.
    assert chain.MAX_FUTURE_BLOCK_TIME_S == 7200
    chain.difficulty_adjustment(1_660_820_820, 750134, 1_660_920_000 + 7200, 1_660_920_000)


# --------------------------------------------------------------------------- the CLI


def _outlook(capsys, *args: str) -> dict:
    code = cli.main(["network", "--date", "2026-02-15", *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)["difficulty_outlook"]


OLD_KEYS = {"epoch", "epoch_start_height", "tip_height", "blocks_done", "remaining_blocks", "retarget_height",
            "mean_block_interval_s", "expected_change", "expected_difficulty", "expected_retarget_date",
            "epoch_start_time_from", "actual_change"}
NEW_KEYS = {"tip_time", "tip_time_from", "now", "now_from", "progress", "expected_blocks", "estimated_change",
            "locked", "estimated_change_from", "estimated_retarget_time"}


def test_cli_defaults_are_the_days_last_block_and_the_end_of_the_day(home, capsys):
    o = _outlook(capsys)
    assert OLD_KEYS | NEW_KEYS == set(o)
    assert o["tip_height"] == 936815 and o["tip_time_from"] == "block timestamp"
    assert o["now"] == "2026-02-16T00:00:00Z" and o["now_from"] == "end of the tip's day"
    assert not o["locked"] and o["estimated_change_from"] == "the time elapsed by now"
    assert o["progress"] == (936815 % 2016) / 2016 and o["remaining_blocks"] == 2016 - 936815 % 2016
    # the estimate by the clock and the projection from the tip agree with the adjustment that came
    assert o["estimated_change"] == pytest.approx(o["actual_change"], abs=0.01)
    assert o["expected_change"] == pytest.approx(o["actual_change"], abs=0.01)


def test_cli_given_inputs_match_the_model(home, capsys):
    o = _outlook(capsys, "--tip-height", "936000", "--tip-time", "2026-02-10T12:00:00Z", "--now", "1770732000")
    assert o["tip_height"] == 936000 and o["tip_time"] == "2026-02-10T12:00:00Z" and o["tip_time_from"] == "given"
    assert o["now"] == "2026-02-10T14:00:00Z" and o["now_from"] == "given"
    from hashpower.figures.series import epoch_facts

    t0 = epoch_facts()[1][935424]
    want = chain.difficulty_adjustment(t0, 936000, 1_770_724_800, 1_770_732_000)
    assert o["estimated_change"] == want.change and o["expected_blocks"] == want.expected_blocks
    # ISO-8601 and unix seconds are the same input
    assert _outlook(capsys, "--tip-height", "936000", "--tip-time", "1770724800", "--now",
                    "2026-02-10T16:00:00+02:00") == o


def test_cli_locks_at_the_epochs_last_block(home, capsys):
    o = _outlook(capsys, "--tip-height", "937439", "--now", "2026-02-20")
    assert o["locked"] and o["remaining_blocks"] == 1 and o["retarget_height"] == 937440
    assert o["estimated_change_from"] == "the epoch's first and last block times"
    # Core's rule on the store's block times: the adjustment of 2026-02-19 up to the compact truncation
    assert o["estimated_change"] == pytest.approx(o["actual_change"], abs=1e-5)
    assert o["estimated_change"] == pytest.approx(o["expected_change"], rel=1e-12)
    assert _outlook(capsys, "--tip-height", "937439", "--now", "2026-03-01")["estimated_change"] == o[
        "estimated_change"]


def test_cli_now_defaults_to_the_clock_on_the_tips_day(home, capsys, monkeypatch):
    clock = dt.datetime(2026, 2, 15, 12, 0, tzinfo=dt.UTC).timestamp()
    monkeypatch.setattr("time.time", lambda: clock)
    o = _outlook(capsys, "--tip-height", "936700", "--tip-time", "2026-02-15T11:50:00Z")
    assert o["now"] == "2026-02-15T12:00:00Z" and o["now_from"] == "clock"


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--tip-height", "-1"], "tip_height"),
        (["--tip-height", "99999999"], "tip_height"),
        (["--tip-height", "1.5"], "--tip-height"),
        (["--tip-time", "2026-02-16T03:00:00Z"], "tip_time"),  # 3 h after the default now (end of the day)
        (["--tip-time", "yesterday"], "tip_time"),
        (["--tip-time", "nan"], "tip_time"),
        (["--now", "2026-13-01"], "now"),
        (["--now", "-5"], "now"),
        (["--now", "2026-01-01"], "now"),  # before the epoch's first block
        (["--tip-time", "2026-02-15T10:00:00Z", "--now", "2026-02-15T07:00:00Z"], "tip_time"),
    ],
)
def test_cli_bad_inputs_exit_2_with_one_line(home, capsys, args, word):
    code = cli.main(["network", "--date", "2026-02-15", *args, "--json"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("hashpower: error: ") and err.count("\n") == 1, err
    assert word in err and "Traceback" not in err


def test_cli_text_reports_the_estimate(home, capsys):
    assert cli.main(["network", "--date", "2026-02-15", "--tip-height", "937439", "--now", "2026-02-20"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "mempool.space's estimate" in out and "locked at +14.7%" in out


# --------------------------------------------------------------------------- the API


@pytest.fixture(scope="module")
def client(built_store: Path, tmp_path_factory: pytest.TempPathFactory):
    with live_server(built_store, tmp_path_factory.mktemp("next-adjustment-home")) as srv:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            yield c


def test_api_takes_the_same_inputs_as_the_cli(client, home, capsys):
    params = {"date": "2026-02-15", "tip_height": 937439, "tip_time": "2026-02-19T18:49:12Z", "now": "2026-02-20"}
    r = client.get("/v1/network", params=params)
    assert r.status_code == 200, r.text
    api = r.json()["difficulty_outlook"]
    assert api == _outlook(capsys, "--tip-height", "937439", "--tip-time", "2026-02-19T18:49:12Z", "--now",
                           "2026-02-20")
    assert api["locked"] and api["tip_time_from"] == "given"


@pytest.mark.parametrize(
    ("params", "status", "word"),
    [
        ({"tip_height": -1}, 422, "tip_height"),
        ({"tip_height": "abc"}, 422, "tip_height"),
        ({"tip_height": 99_999_999}, 400, "tip_height"),
        ({"tip_time": "yesterday"}, 400, "tip_time"),
        ({"now": "nan"}, 400, "now"),
        ({"now": "2026-01-01", "date": "2026-02-15"}, 400, "now"),
        ({"date": "2026-02-15", "tip_time": "2026-02-16T03:00:00Z"}, 400, "tip_time"),
        ({"now": "x" * 65}, 422, "now"),
    ],
)
def test_api_bad_inputs_get_a_4xx_with_a_reason(client, params, status, word):
    r = client.get("/v1/network", params=params)
    assert r.status_code == status, r.text
    assert word in r.json()["detail"]
