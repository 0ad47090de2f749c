"""Hourly prices: the embedded ERCOT West series against its published statistics, and the price-file reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest

from hashpower.store import prices
from hashpower.store.files import fleet_from_doc, load_fleet

CPT = ZoneInfo("America/Chicago")

# The statistics table of section D of the staged SOURCES-incoming.md (computed there from the staged
# ERCOT files, by Delivery Date year in Central Prevailing Time, USD/MWh): year, point, mean, median, max,
# hours <= 0. The maxima's days and hours ending are given for HB_WEST.
STATS = [
    (2022, "HB_WEST", 59.79, 46.39, 2559.84, 434), (2022, "LZ_WEST", 63.83, 49.63, None, 224),
    (2023, "HB_WEST", 56.49, 23.22, 4207.43, 188), (2023, "LZ_WEST", 64.68, 28.73, None, 99),
    (2024, "HB_WEST", 28.94, 20.47, 2236.49, 428), (2024, "LZ_WEST", 36.92, 25.73, None, 255),
]
MAX_AT = {2022: ("2022-12-24", 8), 2023: ("2023-08-25", 20), 2024: ("2024-05-08", 20)}


def _embedded_frame() -> pd.DataFrame:
    """The embedded file read directly (not through the reader under test)."""
    path = Path(prices.__file__).parents[1] / "data" / "ercot_west_dam.parquet"
    df = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}') ORDER BY hour_utc").df()
    local = df["hour_utc"].dt.tz_localize("UTC").dt.tz_convert("America/Chicago")
    df["year"] = local.dt.year  # the hour beginning's local day is the Delivery Date
    df["local_day"] = local.dt.strftime("%Y-%m-%d")
    df["hour_ending"] = local.dt.hour + 1
    return df


def test_embedded_layout():
    df = _embedded_frame()
    assert len(df) == 26_304  # 8,760 + 8,760 + 8,784 hours of 2022-2024
    h = df["hour_utc"].to_numpy().astype("datetime64[h]")
    assert (np.diff(h) == np.timedelta64(1, "h")).all()
    assert str(h[0]) == "2022-01-01T06" and str(h[-1]) == "2025-01-01T05"
    for pt in prices.ERCOT_POINTS:
        e = prices.embedded(pt)
        assert e.start == h[0] and e.usd_per_kwh.size == 26_304
        np.testing.assert_array_equal(e.usd_per_kwh, df[f"{pt.lower()}_cents_per_mwh"].to_numpy() / 1e5)
        assert not e.usd_per_kwh.flags.writeable


@pytest.mark.parametrize(("year", "point", "mean", "median", "peak", "nonpositive"), STATS)
def test_embedded_statistics_match_the_source_table(year, point, mean, median, peak, nonpositive):
    df = _embedded_frame()
    x = df.loc[df["year"] == year, f"{point.lower()}_cents_per_mwh"] / 100.0
    assert len(x) == (8784 if year == 2024 else 8760)
    assert abs(x.mean() - mean) <= 0.005 + 1e-9  # the table rounds to cents
    # the table's median is the upper of the two middle hours: in 2024 (8,784 hours) HB_WEST's are 20.45 and
    # 20.47 (the usual median 20.46), LZ_WEST's 25.72 and 25.73; in 2022 and 2023 the two are equal
    s = np.sort(x.to_numpy())
    assert s[s.size // 2] == pytest.approx(median, abs=1e-9)
    assert abs(x.median() - median) <= 0.01 + 1e-9
    assert int((x <= 0).sum()) == nonpositive
    if peak is not None:
        assert x.max() == pytest.approx(peak, abs=1e-9)
        at = df.loc[x.idxmax()]
        assert (at["local_day"], at["hour_ending"]) == MAX_AT[year]


def test_fall_back_and_spring_forward_hours():
    """The staged 2024 file's rows of 2024-11-03 (HE01 6.63, HE02 8.15, HE02 flagged Y 12.10, HE03 2.93) and
    the first row of 2024 (01/01/2024 HE01 HB_WEST 19.79) land on their UTC hours."""
    e = prices.embedded("HB_WEST")

    def at(iso: str) -> float:
        return round(float(e.usd_per_kwh[int((np.datetime64(iso, "h") - e.start).astype(int))]) * 1000, 2)

    assert [at(f"2024-11-03T{h:02d}") for h in (5, 6, 7, 8)] == [6.63, 8.15, 12.10, 2.93]
    assert at("2024-01-01T06") == 19.79
    # spring forward (2024-03-10): local 01:00 CST is 07:00 UTC, local 03:00 CDT is 08:00 UTC, no gap
    df = _embedded_frame()
    day = df[df["local_day"] == "2024-03-10"]
    assert len(day) == 23 and 3 not in set(day["hour_ending"])
    assert len(df[df["local_day"] == "2024-11-03"]) == 25


def _ercot_csv(path: Path, point: str, start: str, hours: int, *, flag: bool = True, points=("HB_WEST",)) -> None:
    """An ERCOT-layout file (Central Prevailing Time, hour ending, Repeated Hour Flag) from the embedded prices."""
    rows = ["Delivery Date,Hour Ending,Repeated Hour Flag,Settlement Point,Settlement Point Price"]
    e = {p: prices.embedded(p) for p in points}
    k0 = int((np.datetime64(start, "h") - e[points[0]].start).astype(int))
    for k in range(k0, k0 + hours):
        t = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=int(e[points[0]].start.astype(int)) + k)
        loc = t.astimezone(CPT)
        repeated = "Y" if (flag and loc.fold == 1) else "N"
        for p in points:
            rows.append(f"{loc:%m/%d/%Y},{loc.hour + 1:02d}:00,{repeated},{p},{e[p].usd_per_kwh[k] * 1000:.2f}")
    path.write_text("\n".join(rows) + "\n")


def test_ercot_layout_round_trips_through_dst(tmp_path):
    f = tmp_path / "ercot.csv"
    _ercot_csv(f, "HB_WEST", "2024-03-01T06", 24 * 260)  # March .. November 2024: both DST changes
    got = prices.read_csv(f)
    e = prices.embedded("HB_WEST")
    k = int((got.start - e.start).astype(int))
    assert str(got.start) == "2024-03-01T06"
    np.testing.assert_allclose(got.usd_per_kwh, e.usd_per_kwh[k:k + got.usd_per_kwh.size], atol=1e-12)


def test_ercot_repeated_hour_without_the_flag_is_refused(tmp_path):
    f = tmp_path / "ercot.csv"
    _ercot_csv(f, "HB_WEST", "2024-11-02T06", 72, flag=False)
    with pytest.raises(ValueError, match=r"line \d+: the hour 2024-11-03T06:00Z is given twice .* Hour Ending"
                                         r".*Repeated Hour Flag"):
        prices.read_csv(f)


def test_ercot_points_need_a_choice(tmp_path):
    f = tmp_path / "two.csv"
    _ercot_csv(f, "HB_WEST", "2024-06-01T05", 48, points=("HB_WEST", "LZ_WEST"))
    with pytest.raises(ValueError, match=r"2 settlement points \(HB_WEST, LZ_WEST\)"):
        prices.read_csv(f)
    lz = prices.read_csv(f, point="lz_west")
    e = prices.embedded("LZ_WEST")
    k = int((lz.start - e.start).astype(int))
    np.testing.assert_allclose(lz.usd_per_kwh, e.usd_per_kwh[k:k + 48], atol=1e-12)
    with pytest.raises(ValueError, match="no rows of settlement point 'HB_NORTH'"):
        prices.read_csv(f, point="HB_NORTH")


def test_ercot_hour_that_does_not_exist_is_refused(tmp_path):
    f = tmp_path / "gap.csv"
    f.write_text("Delivery Date,Hour Ending,Repeated Hour Flag,Settlement Point,Settlement Point Price\n"
                 "03/10/2024,02:00,N,HB_WEST,10.00\n03/10/2024,03:00,N,HB_WEST,11.00\n")
    with pytest.raises(ValueError, match=r"line 3, column Hour Ending .*2024-03-10T02:00 does not exist"):
        prices.read_csv(f)


def test_simple_layout_utc_offsets_and_units(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("hour_utc,usd_per_mwh\n2024-01-01T01:00Z,-5.5\n2024-01-01T00:00:00+00:00,20\n"
                 "2024-01-01T02:00-01:00,40\n2024-01-01 02:00,30\n")
    p = prices.read_csv(f)
    assert str(p.start) == "2024-01-01T00"
    np.testing.assert_allclose(p.usd_per_kwh, [0.020, -0.0055, 0.030, 0.040])  # a negative price is kept
    g = tmp_path / "k.csv"
    g.write_text("hour_utc,usd_per_kwh\n2024-01-01T00:00Z,0.02\n2024-01-01T01:00Z,0.03\n")
    np.testing.assert_allclose(prices.read_csv(g).usd_per_kwh, [0.02, 0.03])


def test_simple_layout_local_hours(tmp_path):
    rows = ["hour_local,timezone,usd_per_mwh"] + [f"2024-11-03T{h:02d}:00,America/Chicago,{h}" for h in (0, 2)]
    f = tmp_path / "amb.csv"
    f.write_text("\n".join([*rows[:2], "2024-11-03T01:00,America/Chicago,1", rows[2]]) + "\n")
    with pytest.raises(ValueError, match=r"line 3, column hour_local: 2024-11-03T01:00 is ambiguous in "
                                         r"America/Chicago"):
        prices.read_csv(f)
    # resolved by an offset (CDT -05:00 first, CST -06:00 second) or by a repeated_hour_flag column
    f.write_text("hour_local,timezone,usd_per_mwh\n2024-11-03T00:00,America/Chicago,0\n"
                 "2024-11-03T01:00-05:00,America/Chicago,1\n2024-11-03T01:00-06:00,America/Chicago,1.5\n"
                 "2024-11-03T02:00,America/Chicago,2\n")
    p = prices.read_csv(f)
    assert str(p.start) == "2024-11-03T05"
    np.testing.assert_allclose(p.usd_per_kwh * 1000, [0, 1, 1.5, 2])
    g = tmp_path / "flag.csv"
    g.write_text("hour_local,usd_per_mwh,repeated_hour_flag\n2024-11-03T01:00,1,N\n2024-11-03T01:00,1.5,Y\n")
    q = prices.read_csv(g, timezone="America/Chicago")
    assert str(q.start) == "2024-11-03T06"
    np.testing.assert_allclose(q.usd_per_kwh * 1000, [1, 1.5])
    with pytest.raises(ValueError, match="hour_local needs a timezone"):
        prices.read_csv(g)
    h = tmp_path / "zone.csv"
    h.write_text("hour_local,timezone,usd_per_mwh\n2024-01-01T00:00,Mars/Olympus,1\n")
    with pytest.raises(ValueError, match=r"line 2, column timezone: unknown time zone 'Mars/Olympus'"):
        prices.read_csv(h)


@pytest.mark.parametrize(("body", "message"), [
    ("2024-01-01T00:00Z,1\n2024-01-01T01:00Z,2\n2024-01-01T04:00Z,3\n",
     r"line 4: no price for the 2 hours from 2024-01-01T02:00Z before this line's hour 2024-01-01T04:00Z, "
     r"column hour_utc"),
    ("2024-01-01T00:00Z,1\n2024-01-01T01:00Z,2\n2024-01-01T01:00Z,3\n",
     r"line 4: the hour 2024-01-01T01:00Z is given twice \(also on line 3\), column hour_utc"),
    ("2024-01-01T00:00Z,1\n2024-01-01T01:00Z,abc\n", r"line 3, column usd_per_mwh: must be a number, got 'abc'"),
    ("2024-01-01T00:00Z,nan\n", r"line 2, column usd_per_mwh: must be a finite price"),
    ("2024-01-01T00:00Z,inf\n", r"line 2, column usd_per_mwh: must be a finite price"),
    ("2024-01-01T00:00Z,1e6\n", r"line 2, column usd_per_mwh: must be a finite price within \+-100,000 USD/MWh"),
    ("2024-01-01T00:30Z,1\n", r"line 2, column hour_utc: '2024-01-01T00:30Z' is not a whole UTC hour"),
    ("yesterday,1\n", r"line 2, column hour_utc: must be an ISO 8601 hour"),
    ("", r"has no rows"),
])
def test_bad_simple_files_name_the_line_hour_and_column(tmp_path, body, message):
    f = tmp_path / "bad.csv"
    f.write_text("hour_utc,usd_per_mwh\n" + body)
    with pytest.raises(ValueError, match=f"hourly price file {f}.*" + message):
        prices.read_csv(f)


def test_unknown_layout_and_size_bound(tmp_path, monkeypatch):
    f = tmp_path / "x.csv"
    f.write_text("when,price\n2024-01-01,1\n")
    with pytest.raises(ValueError, match="needs ERCOT's columns .* or hour_utc"):
        prices.read_csv(f)
    f.write_text("hour_utc,usd_per_mwh\n" + "2024-01-01T00:00Z,1\n")
    monkeypatch.setattr(prices, "MAX_PRICE_FILE_BYTES", 10)
    with pytest.raises(ValueError, match="the limit is 10 bytes"):
        prices.read_csv(f)


def test_resolve(tmp_path):
    assert prices.resolve("ERCOT:hb_west", None) is prices.embedded("HB_WEST")
    with pytest.raises(ValueError, match="must be one of HB_WEST, LZ_WEST, got 'hb_north'"):
        prices.resolve("ercot:hb_north", None)
    with pytest.raises(ValueError, match="a file of hourly prices is not allowed here"):
        prices.resolve("prices.csv", None)
    (tmp_path / "p.csv").write_text("hour_utc,usd_per_kwh\n2024-01-01T00:00Z,0.05\n")
    assert prices.resolve("p.csv", tmp_path).usd_per_kwh.tolist() == [0.05]


FLEET = """
[[site]]
name = "s"
hourly_prices = "{ref}"
price_adder_usd_per_kwh = 0.01
[[site.machines]]
model = "Antminer S21"
count = 1
"""


def test_fleet_reads_hourly_prices_beside_its_file(tmp_path):
    (tmp_path / "p.csv").write_text("hour_utc,usd_per_mwh\n" + "".join(
        f"2024-01-01T{h:02d}:00Z,{h}\n" for h in range(24)))
    (tmp_path / "f.toml").write_text(FLEET.format(ref="p.csv"))
    s = load_fleet(tmp_path / "f.toml").sites[0]
    np.testing.assert_allclose(s.hourly.usd_per_kwh, np.arange(24) / 1000 + 0.01)
    np.testing.assert_allclose(s.tariff_usd_per_kwh, np.arange(24) / 1000 + 0.01)  # the mean by UTC hour
    import tomllib

    doc = tomllib.loads(FLEET.format(ref="p.csv"))
    with pytest.raises(ValueError, match="site 's': hourly_prices: 'p.csv': a file of hourly prices is not allowed"):
        fleet_from_doc(doc)
    assert fleet_from_doc(tomllib.loads(FLEET.format(ref="ercot:LZ_WEST"))).sites[0].hourly.usd_per_kwh.size == 26_304
