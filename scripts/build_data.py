"""Convert the raw source files into the compact files embedded in the package.

Run once by a maintainer when the sources change::

    python scripts/build_data.py /path/to/source/data

It reads the raw files named in ``src/hashpower/data/SOURCES.md`` and writes
``src/hashpower/data/{daily,epochs,blocks,block_stats}.parquet`` and
``pools.json``. The package never reads the raw folder at run time; the
converted files are committed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src" / "hashpower" / "data"

#: Genesis target, 0xFFFF x 2^208 (Bitcoin Core ``powLimit`` for mainnet).
MAX_TARGET = 0xFFFF << 208
#: Coin Metrics' cumulative BlkCnt runs 5 ahead of the real height from
#: 2009-01-09 on (it counts 19 blocks that day where header timestamps give
#: 14); checked below against every day that has per-block timestamps.
CM_HEIGHT_OFFSET = 5
SUBSIDY_2024_BTC = 3.125  # block subsidy for heights 840,000 .. 1,049,999
#: The folder of the newer files (``SOURCES-incoming.md``), read when present.
INCOMING = "incoming-2026-12"
#: Coin Metrics revised ``SplyCur`` by +100 BTC from 2010-11-14 in its files after 2026-07-26: the newer
#: file's supply is 100 BTC above the embedded one on every day (SOURCES-incoming.md, file A).
CM_SUPPLY_REVISION_BTC = 100.0


def subsidy_sat(height: np.ndarray) -> np.ndarray:
    halvings = np.asarray(height) // 210_000
    return np.where(halvings >= 64, 0, (50 * 100_000_000) >> np.minimum(halvings, 63))


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def build_epochs(src: Path) -> pd.DataFrame:
    e = pd.read_csv(src / "difficulty_epochs_electrum.csv")
    targets = [int(t, 16) for t in e["target_hex"]]
    exact = np.array([MAX_TARGET / t for t in targets])
    rel = np.abs(exact / e["difficulty"].to_numpy() - 1)
    assert rel.max() < 1e-9, f"difficulty column disagrees with target: {rel.max()}"
    e["difficulty"] = exact
    e["end_block_hash"] = e["end_block_hash"].fillna("")
    e = e[["epoch", "start_height", "end_height", "target_hex", "difficulty", "end_block_hash"]]
    inc = src / INCOMING / "mempool_network_daily_xddai1688.csv"
    return pd.concat([e, later_epochs(inc, e)], ignore_index=True) if inc.exists() else e


def bits_of_target(target: float) -> int:
    """The compact ``nBits`` nearest a target known to about 15 digits (Core's ``GetCompact`` layout, the
    mantissa rounded rather than truncated: the target is a float's approximation of a compact one)."""
    size = (int(target).bit_length() + 7) // 8
    mant = round(target / 256.0 ** (size - 3))
    if mant & 0x00800000:
        mant >>= 8
        size += 1
    return size << 24 | mant


def target_of_bits(bits: int) -> int:
    size, mant = bits >> 24, bits & 0x007FFFFF
    return mant >> 8 * (3 - size) if size <= 3 else mant << 8 * (size - 3)


def later_epochs(path: Path, known: pd.DataFrame) -> pd.DataFrame:
    """The epochs after Electrum's last from mempool-derived daily difficulties (file B of SOURCES.md).

    The file has no heights: each new value (consecutive, about 14 days apart) is taken as the next epoch,
    and its target is the compact target whose difficulty the value is (the value is a float of the
    target, 15 digits, so the 24-bit mantissa is recovered exactly; asserted to 1e-12). A value seen on one
    day only (2026-08-10, rounded to 127480000000000) is not a retarget. The epochs' first days are checked
    against the heights of the daily history in ``build_daily``.
    """
    b = pd.read_csv(path)
    b = b[b["difficulty"].notna()]
    vals, days = b["difficulty"].to_numpy(float), b["date"].to_numpy()
    runs = []  # (first day, value, days seen)
    for v, d in zip(vals, days, strict=True):
        if runs and runs[-1][1] == v:
            runs[-1][2] += 1
        else:
            runs.append([d, v, 1])
    runs = [r for r in runs if r[2] > 1]  # one-day values are rounded repeats
    merged = []
    for r in runs:
        if merged and merged[-1][1] == r[1]:
            continue
        merged.append(r)
    last = known.iloc[-1]
    k = next(i for i, r in enumerate(merged) if abs(r[1] / last["difficulty"] - 1) < 1e-9)
    assert k >= 3 and all(abs(merged[k - j][1] / known["difficulty"].iloc[-1 - j] - 1) < 1e-9 for j in range(3)), \
        "the file's epochs before Electrum's last do not match it"
    rows = []
    for n, (day, v, _) in enumerate(merged[k + 1:], start=1):
        bits = bits_of_target(MAX_TARGET / v)
        target = target_of_bits(bits)
        exact = MAX_TARGET / target
        assert abs(exact / v - 1) < 1e-12, (day, v, exact)
        start = int(last["start_height"]) + 2016 * n
        rows.append({"epoch": int(last["epoch"]) + n, "start_height": start, "end_height": start + 2015,
                     "target_hex": f"0x{target:064x}", "difficulty": exact, "end_block_hash": "",
                     "first_seen": day})
    out = pd.DataFrame(rows)
    added = ", ".join(f"{r.epoch} ({r.first_seen})" for r in out.itertuples())
    print("epochs added from the mempool-derived file:", added)
    return out


def build_daily(src: Path, epochs: pd.DataFrame) -> pd.DataFrame:
    main = pd.read_csv(src / "coinmetrics_btc_daily.csv")
    main = main[main["BlkCnt"].notna()].copy()  # drops the partial last row (ReferenceRate only)
    ext = pd.read_csv(src / "coinmetrics_btc_daily_ext_2026.csv")

    # Overlap check: the extension repeats Coin Metrics' values.
    ov = main.merge(ext, on="time", suffixes=("", "_ext"))
    for c in ("PriceUSD", "HashRate", "IssTotUSD", "FeeTotNtv", "CapMrktCurUSD", "TxCnt"):
        d = np.nanmax(np.abs(ov[c] / ov[c + "_ext"] - 1))
        assert d < 1e-9, (c, d)

    new = ext[ext["time"] > main["time"].max()].copy()
    # The extension lacks BlkCnt, IssTotNtv and SplyCur. Subsidy in BTC is
    # IssTotUSD / PriceUSD; every block of 2026 pays 3.125 BTC, so blocks is
    # that over 3.125 (an integer to 1e-12, asserted).
    iss = new["IssTotUSD"] / new["PriceUSD"]
    blocks = iss / SUBSIDY_2024_BTC
    assert np.abs(blocks - blocks.round()).max() < 1e-6
    new["BlkCnt"] = blocks.round()
    new["IssTotNtv"] = new["BlkCnt"] * SUBSIDY_2024_BTC
    supply0 = main["SplyCur"].iloc[-1]
    new["SplyCur"] = supply0 + new["IssTotNtv"].cumsum()

    cols = ["time", "BlkCnt", "PriceUSD", "HashRate", "IssTotNtv", "IssTotUSD", "FeeTotNtv",
            "SplyCur", "CapMrktCurUSD", "TxCnt", "AdrActCnt"]
    d = pd.concat([main[cols], new[cols]], ignore_index=True)
    inc = src / INCOMING / "coinmetrics_btc_daily_north7_2026.csv"
    if inc.exists():
        d = pd.concat([d, later_days(inc, d)[cols]], ignore_index=True)
    d["time"] = pd.to_datetime(d["time"])
    assert (d["time"].diff().dropna() == pd.Timedelta(days=1)).all(), "days are not contiguous"

    height_end = np.maximum(d["BlkCnt"].cumsum().to_numpy().astype("int64") - CM_HEIGHT_OFFSET, 0)
    # Blocks as the height difference: equal to BlkCnt on every day but
    # 2009-01-09 (19 by Coin Metrics, 14 by header timestamps).
    blocks = np.diff(height_end, prepend=0)
    fixed = np.flatnonzero(blocks != d["BlkCnt"].to_numpy())
    assert [str(d["time"].iloc[i].date()) for i in fixed] == ["2009-01-09"], fixed
    # Subsidy from the schedule by height. Coin Metrics' IssTotNtv differs only
    # on the days around the four halvings, where it counts the halving 5
    # blocks early (its block count runs 5 ahead of the height).
    cum = np.concatenate([[0], np.cumsum(subsidy_sat(np.arange(1, height_end[-1] + 1)))])
    subsidy = (cum[height_end] - cum[np.r_[0, height_end[:-1]]]) / 1e8
    cm = d["IssTotNtv"].to_numpy()
    bad = np.flatnonzero(np.abs(np.nan_to_num(cm) - subsidy) > 1e-6)
    halving_heights = np.arange(1, 5) * 210_000
    near = [i for i in bad if np.abs(height_end[i] - halving_heights).min() <= 200 or i == fixed[0]]
    assert list(bad) == near, [str(d["time"].iloc[i].date()) for i in bad]
    print("subsidy corrected on", [str(d["time"].iloc[i].date()) for i in bad])
    starts = epochs["start_height"].to_numpy()
    idx = np.searchsorted(starts, height_end, side="right") - 1
    out = pd.DataFrame({
        "date": d["time"].dt.date,
        "blocks": blocks.astype("int32"),
        "height_end": height_end,
        "price_usd": d["PriceUSD"],
        "hashrate_ths": d["HashRate"],
        "difficulty": epochs["difficulty"].to_numpy()[idx],
        "subsidy_btc": subsidy,
        "fees_btc": d["FeeTotNtv"],
        "revenue_usd": (subsidy + d["FeeTotNtv"]) * d["PriceUSD"],
        "supply_btc": d["SplyCur"],
        "market_cap_usd": d["CapMrktCurUSD"],
        "tx_count": d["TxCnt"],
        "active_addresses": d["AdrActCnt"],
    })
    check_new_epochs(out, epochs)
    if "first_seen" in epochs:
        # the newer days' hash rate is Coin Metrics' blocks x difficulty: it must give our difficulty back
        t = out[out["date"] > pd.Timestamp("2026-06-01").date()]
        implied = t["hashrate_ths"] * 86400e12 / (2.0**32 * t["blocks"].astype(float) * t["difficulty"])
        assert abs(implied.median() - 1) < 1e-6, implied.median()
    # Check the extension's derived block counts against its hash rate.
    tail = out[out["date"] > main["time"].pipe(pd.to_datetime).max().date()]
    implied = tail["hashrate_ths"] * 86400e12 / (tail["difficulty"] * 2**32)
    ratio = (implied / tail["blocks"]).median()
    assert abs(ratio - 1) < 0.01, ratio
    return out


def later_days(path: Path, d: pd.DataFrame) -> pd.DataFrame:
    """The days after ``d`` from the newer Coin Metrics file (file A of SOURCES-incoming.md).

    It has price, hash rate, issuance in USD, supply and market cap, rounded to 10 digits; no block count,
    fees, transactions or addresses. Blocks = issuance / price / 3.125 (an integer to 0.01, asserted);
    supply = the embedded supply carried forward by the issuance, checked against the file's own less its
    +100 BTC revision; fees, transactions and addresses are missing (no source has them after 2026-06-01).
    """
    a = pd.read_csv(path).rename(columns={"date": "time"})
    a = a[a["IssTotUSD"].notna()]  # the last row has a price only
    ov = d.merge(a, on="time", suffixes=("", "_a"))
    assert len(ov) >= 10
    for c in ("PriceUSD", "HashRate", "IssTotUSD"):
        rel = np.nanmax(np.abs(ov[c] / ov[c + "_a"] - 1))
        assert rel < 1e-8, (c, rel)
    rev = ov["SplyCur_a"] - ov["SplyCur"]
    assert np.abs(rev - CM_SUPPLY_REVISION_BTC).max() < 0.02, rev.describe()
    new = a[a["time"] > d["time"].max()].copy()
    blocks = new["IssTotUSD"] / new["PriceUSD"] / SUBSIDY_2024_BTC
    assert np.abs(blocks - blocks.round()).max() < 0.01, np.abs(blocks - blocks.round()).max()
    new["BlkCnt"] = blocks.round()
    new["IssTotNtv"] = new["BlkCnt"] * SUBSIDY_2024_BTC
    new["SplyCur"] = d["SplyCur"].iloc[-1] + new["IssTotNtv"].cumsum()
    off = np.abs(new["SplyCur"] - (a.set_index("time").loc[new["time"], "SplyCur"].to_numpy() - CM_SUPPLY_REVISION_BTC))
    assert off.max() < 1.0, off.max()
    new["CapMrktCurUSD"] = new["PriceUSD"] * new["SplyCur"]
    for c in ("FeeTotNtv", "TxCnt", "AdrActCnt"):
        new[c] = np.nan
    print(f"days added from the newer Coin Metrics file: {len(new)} ({new['time'].iloc[0]} .. {new['time'].iloc[-1]}),"
          f" supply within {off.max():.3f} BTC of the file's less its revision")
    return new


def check_new_epochs(out: pd.DataFrame, epochs: pd.DataFrame) -> None:
    """Each epoch taken from the mempool-derived file starts, by the history's heights, within a day of the day
    the file first shows its difficulty (its values are collected at about 03:30 UTC)."""
    if "first_seen" not in epochs:
        return
    for r in epochs[epochs["first_seen"].notna()].itertuples():
        hit = out[out["height_end"] >= r.start_height]
        if hit.empty:
            continue
        start = pd.Timestamp(hit["date"].iloc[0])
        lag = (pd.Timestamp(r.first_seen) - start).days
        assert 0 <= lag <= 1, (r.epoch, r.first_seen, start, lag)


def check_heights(daily: pd.DataFrame, blocks: pd.DataFrame) -> None:
    day = pd.to_datetime(blocks["timestamp"], unit="s").dt.date
    last = blocks.groupby(day)["height"].max()
    j = daily.set_index("date").join(last.rename("h"), how="inner")
    bad = (j["height_end"] != j["h"]).sum()
    assert bad <= 2, f"{bad} days disagree with block timestamps"


def build_blocks(src: Path) -> pd.DataFrame:
    b = pd.read_csv(src / "blocks_by_pool_2021_2026.csv")
    assert (np.diff(b["height"]) == 1).all()
    return b.rename(columns={"pool_slug": "pool"})


def build_block_stats(src: Path) -> pd.DataFrame:
    s = pd.read_csv(src / "btc_block_stats_partial.csv")
    assert (s["subsidy"].to_numpy() == subsidy_sat(s["height"].to_numpy())).all()
    s = s.rename(columns={"time": "timestamp", "subsidy": "subsidy_sat", "totalfee": "fees_sat",
                          "txs": "tx_count", "total_size": "size_bytes", "total_weight": "weight_wu",
                          "avgfeerate": "avg_feerate_sat_per_vb", "medianfee": "median_fee_sat"})
    return s


def build_pools(src: Path) -> dict:
    mem = json.loads((src / "pools_mempool_pools-v2.json").read_text())
    bd = json.loads((src / "pools_bitcoin-data_pool-list.json").read_text())
    names = json.loads((src / "pools_slug_to_name_sorukumar.json").read_text())
    # Slug of a mempool pool: the bitcoin-data slug of a pool that shares a tag
    # or payout address with it (the per-block history uses those slugs),
    # otherwise its own name lower-cased to alphanumerics.
    owner = {}
    for p in bd:
        for key in p.get("tags", []) + p.get("addresses", []):
            owner.setdefault(key, slugify(p["name"]))
    pools = []
    for p in mem:
        slug = next((owner[k] for k in p.get("tags", []) + p.get("addresses", []) if k in owner),
                    slugify(p["name"]))
        pools.append({"slug": slug, "name": names.get(slug, p["name"]), "tags": p.get("tags", []),
                      "addresses": p.get("addresses", []), "link": p.get("link", "")})
    return {"pools": pools, "names": names}


GENERATION_EDGES_J_PER_TH = (19.0, 25.0, 38.0)  # latest < 19 <= mid < 25 <= old <= 38 < obsolete
AMV_SOURCE = "asicminervalue.com SHA-256 list, Feb-Mar 2024 (timothelaborie/master_thesis hardware_asicminervalue.csv)"
SUPPLEMENT_SOURCE = "manufacturer specification at announcement"
ASICMINERPRICES_SOURCE = ("asicminerprices.com list, 2026-08-09 (CaptainMining-dev/asicminerprices build.py MINERS and "
                          "miners_extra.json), nameplate specifications")
CBECI_SOURCE = ("CBECI miners.csv (CambridgeAltFin/ccaf_cbeci_api); hashrate from the model name, "
                "power = efficiency x hashrate")


def generation(eff: float) -> str:
    lo, mid, hi = GENERATION_EDGES_J_PER_TH
    return "latest" if eff < lo else "mid" if eff < mid else "old" if eff <= hi else "obsolete"


def cooling_of(manufacturer: str, model: str) -> str:
    """Liquid cooling is named in Bitmain's models (Hyd/Hydro); in MicroBT's naming M33/M53/M63 are
    hydro and M36/M56/M66 immersion; every other model is air-cooled."""
    m = re.search(r"\bM(\d)(\d)", model) if manufacturer == "MicroBT" else None
    if "Hyd" in model:
        return "hydro"
    if m and m.group(2) == "3":
        return "hydro"
    if m and m.group(2) == "6":
        return "immersion"
    return "air"


def build_machines(src: Path) -> pd.DataFrame:
    amv = pd.read_csv(src / "asic_specs_asicminervalue_2024.csv")
    rows = []
    for r in amv.itertuples():
        model = r.model.removeprefix(r.manufacturer + " ").replace(" Hyd", " Hydro").replace("Hydroro", "Hydro")
        model = model.replace("WhatsMiner", "Whatsminer")
        rows.append({"manufacturer": r.manufacturer, "model": model, "release": r.release_month,
                     "release_date": f"{r.release_month}-01", "hashrate_ths": float(r.hashrate_ths),
                     "power_w": float(r.power_w), "cooling": cooling_of(r.manufacturer, model),
                     "source": AMV_SOURCE})
    sup = pd.read_csv(src / "asic_specs_2024_2026_supplement.csv")
    for r in sup.itertuples():
        year, q = r.announced.split("-Q")
        rows.append({"manufacturer": r.manufacturer, "model": r.model, "release": r.announced,
                     "release_date": f"{year}-{3 * (int(q) - 1) + 1:02d}-01", "hashrate_ths": float(r.hashrate_ths),
                     "power_w": float(r.power_w), "cooling": r.cooling, "source": SUPPLEMENT_SOURCE})
    cb = pd.read_csv(src / "asic_efficiency_cbeci_2014_2020.csv")
    known = {(x["manufacturer"], x["model"]) for x in rows}
    for r in cb.itertuples():
        m = re.search(r"(\d+(?:\.\d+)?)\s*Th", r.Miner_name)
        if not m or not r.Miner_name.startswith("ASICminer "):  # the named models not in the other lists
            continue
        manufacturer, model = r.Miner_name.split(" ", 1)
        model = re.sub(r"\s*\(\d+(?:\.\d+)?Th\)", "", model)
        if (manufacturer, model) in known or (manufacturer, model.rsplit(" ", 1)[0]) in known:
            continue
        ths = float(m.group(1))
        eff = float(r.Efficiency_J_Gh) * 1000
        day = pd.Timestamp(int(r.UNIX_date_of_release), unit="s")
        rows.append({"manufacturer": manufacturer, "model": model, "release": day.strftime("%Y-%m"),
                     "release_date": day.strftime("%Y-%m-01"), "hashrate_ths": ths,
                     "power_w": round(eff * ths, 1), "cooling": "air", "source": CBECI_SOURCE})
    inc = src / INCOMING / "asic_specs_asicminerprices_sha256_2026-08.csv"
    if inc.exists():
        rows += later_machines(inc, rows)
    df = pd.DataFrame(rows)
    # Models sold in several hashrate bins get the bin in their name, so that names are unique.
    dup = df.duplicated(["manufacturer", "model"], keep=False)
    df.loc[dup, "model"] = df.loc[dup].apply(lambda r: f"{r['model']} {r['hashrate_ths']:g}T", axis=1)
    df = df.drop_duplicates(["manufacturer", "model"], keep="first")
    df["efficiency_j_per_th"] = (df["power_w"] / df["hashrate_ths"]).round(3)
    df["generation"] = df["efficiency_j_per_th"].map(generation)
    df = df.sort_values(["release_date", "manufacturer", "model"]).reset_index(drop=True)
    cols = ["manufacturer", "model", "release", "release_date", "hashrate_ths", "power_w", "efficiency_j_per_th",
            "cooling", "generation", "source"]
    return df[cols]


#: Rows of the asicminerprices list left out: the name is garbled (its URL slug is ``antminer-s219-xp-hydro-512th``).
DOUBTFUL_MODELS = {"Antminer S19 XP Hydro 3U"}


def _model_name(manufacturer: str, model: str) -> str:
    for prefix in (manufacturer + " ", "Bitdeer ", "MicroBT ", "Bitmain ", "Canaan "):
        if re.search(r"\d", model.removeprefix(prefix)):  # "Proto Rig" keeps its maker's name
            model = model.removeprefix(prefix)
    model = re.sub(r"\bHyd\b", "Hydro", model.replace("WhatsMiner", "Whatsminer"))
    return model


def later_machines(path: Path, rows: list[dict]) -> list[dict]:
    """Models of the asicminerprices list (file C of SOURCES-incoming.md) not yet in the catalog.

    Models already listed keep their earlier source (their hashrate and power agree; the S23's release
    differs: the supplement's 2025-Q1 announcement is kept). Rows without a release month are left out,
    as is one garbled name (:data:`DOUBTFUL_MODELS`).
    """
    known = {(r["manufacturer"], r["model"]) for r in rows}
    known_plain = {(m, n.replace(" Hydro", "")) for m, n in known}
    src = pd.read_csv(path)
    out = []
    for r in src.itertuples():
        model = _model_name(r.manufacturer, r.model)
        if (r.manufacturer, model) in known or (r.manufacturer, model.replace(" Hydro", "")) in known_plain:
            continue
        if not isinstance(r.release_month, str) or model in DOUBTFUL_MODELS:
            continue
        out.append({"manufacturer": r.manufacturer, "model": model, "release": r.release_month,
                    "release_date": f"{r.release_month}-01", "hashrate_ths": float(r.hashrate_ths),
                    "power_w": float(r.power_w), "cooling": cooling_of(r.manufacturer, model),
                    "source": ASICMINERPRICES_SOURCE})
        known.add((r.manufacturer, model))
    print(f"machines added from the asicminerprices list: {len(out)}: " + ", ".join(x["model"] for x in out))
    return out


def build_pre_asic(src: Path) -> pd.DataFrame:
    """CBECI's generic pre-ASIC hardware classes (CPU, GPU, FPGA, early ASIC) with their dates."""
    cb = pd.read_csv(src / "asic_efficiency_cbeci_2014_2020.csv")
    generic = cb[cb["Miner_name"].str.contains("CPU|GPU|FPGA|early ASIC", case=False)]
    return pd.DataFrame({
        "hardware": generic["Miner_name"],
        "release_date": pd.to_datetime(generic["UNIX_date_of_release"], unit="s").dt.strftime("%Y-%m-%d"),
        "efficiency_j_per_th": generic["Efficiency_J_Gh"] * 1000.0,
        "source": "CBECI miners.csv (CambridgeAltFin/ccaf_cbeci_api), generic hardware classes",
    })


#: The ERCOT day-ahead price files (section D of SOURCES-incoming.md) and their SHA-256 as listed there.
ERCOT_FILES = {
    2022: "e96cf3d7b35c8bfff6b01882cd2f52598dcdd67e9200441a25144c67c8458cad",
    2023: "148eb423d31c1da52f78a136827718a0d9dd6949535df7deadc9cc1774fa2789",
    2024: "2b6f100228a69b458696d6ea1baae1b8a86f0724c501ed999a3f99c5716fe94c",
}
ERCOT_POINTS = ("HB_WEST", "LZ_WEST")
#: Hours of 2022-2024: 8,760 + 8,760 + 8,784.
ERCOT_HOURS = 26_304


def build_ercot(src: Path) -> pd.DataFrame | None:
    """ERCOT's day-ahead prices of HB_WEST and LZ_WEST, 2022-2024, by UTC hour beginning (None without the files).

    The files give ``Delivery Date`` (MM/DD/YYYY) and ``Hour Ending`` (01:00 .. 24:00) in Central Prevailing
    Time. The hour beginning is the hour ending less one hour, made UTC with America/Chicago; the fall-back
    day's second ``Hour Ending 02:00`` (``Repeated Hour Flag`` = Y) is the CST one (fold=1). Asserted: each
    file's SHA-256 (as listed in SOURCES-incoming.md), every local hour exists (the spring-forward day has
    no 03:00), and each point has 26,304 contiguous UTC hours without a duplicate. Prices have two decimals
    and are stored as whole cents per MWh.
    """
    import datetime as dt
    import hashlib
    from zoneinfo import ZoneInfo

    folder = src / INCOMING
    paths = {y: folder / f"ercot_HB_WEST_LZ_WEST_dam_{y}_hourly.csv" for y in ERCOT_FILES}
    if not all(p.exists() for p in paths.values()):
        return None
    listing = (folder / "SOURCES-incoming.md").read_text()
    tz, utc = ZoneInfo("America/Chicago"), dt.UTC
    frames = []
    for y, p in paths.items():
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        assert sha == ERCOT_FILES[y] and sha in listing, (p.name, sha)
        f = pd.read_csv(p, dtype=str)
        assert list(f.columns) == ["Delivery Date", "Hour Ending", "Repeated Hour Flag", "Settlement Point",
                                   "Settlement Point Price"], list(f.columns)
        hours = []
        for day, he, rep in zip(f["Delivery Date"], f["Hour Ending"], f["Repeated Hour Flag"], strict=True):
            m, d, yy = (int(x) for x in day.split("/"))
            h = int(he.split(":")[0]) - 1
            local = dt.datetime(yy, m, d, h, fold=1 if rep == "Y" else 0, tzinfo=tz)
            u = local.astimezone(utc)
            assert u.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None), (p.name, day, he)
            hours.append(u.replace(tzinfo=None))
        cents = (f["Settlement Point Price"].astype(float) * 100).round()
        assert np.allclose(cents / 100, f["Settlement Point Price"].astype(float), atol=1e-9)
        frames.append(pd.DataFrame({"hour_utc": pd.to_datetime(hours), "point": f["Settlement Point"],
                                    "cents": cents.astype(np.int32)}))
    a = pd.concat(frames, ignore_index=True)
    assert set(a["point"]) == set(ERCOT_POINTS), set(a["point"])
    wide = a.pivot(index="hour_utc", columns="point", values="cents")  # fails on a duplicate (point, hour)
    for pt in ERCOT_POINTS:
        h = a.loc[a["point"] == pt, "hour_utc"]
        assert len(h) == ERCOT_HOURS and h.is_unique, (pt, len(h))
        assert (np.diff(np.sort(h.to_numpy())) == np.timedelta64(1, "h")).all(), pt
    out = pd.DataFrame({"hour_utc": wide.index, **{f"{pt.lower()}_cents_per_mwh": wide[pt].astype(np.int32).to_numpy()
                                                  for pt in ERCOT_POINTS}}).reset_index(drop=True)
    assert len(out) == ERCOT_HOURS and out.notna().all().all()
    print(f"ERCOT day-ahead prices: {len(out):,} UTC hours {out['hour_utc'].iloc[0]} .. {out['hour_utc'].iloc[-1]}")
    return out


def write_ercot(df: pd.DataFrame, name: str = "ercot_west_dam.parquet") -> None:
    """The ERCOT table as Parquet v2 (delta-encoded hours: about half the size of the default layout)."""
    con = duckdb.connect()
    con.register("df", df)
    con.execute(f"COPY df TO '{OUT / name}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19, "
                f"PARQUET_VERSION v2)")
    con.close()


def write_parquet(df: pd.DataFrame, name: str) -> None:
    con = duckdb.connect()
    con.register("df", df)
    con.execute(f"COPY df TO '{OUT / name}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()


def main(src: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    epochs = build_epochs(src)
    daily = build_daily(src, epochs)
    blocks = build_blocks(src)
    check_heights(daily, blocks)
    day = daily.groupby(np.searchsorted(epochs["start_height"], daily["height_end"], side="right") - 1)
    first = day["date"].min()
    epochs["start_date"] = epochs["epoch"].map(first)
    write_parquet(daily, "daily.parquet")
    write_parquet(epochs.drop(columns=["first_seen"], errors="ignore"), "epochs.parquet")
    write_parquet(blocks, "blocks.parquet")
    write_parquet(build_block_stats(src), "block_stats.parquet")
    build_pre_asic(src).to_csv(OUT / "hardware_pre_asic.csv", index=False)
    machines = build_machines(src)
    machines.to_csv(OUT / "machines.csv", index=False)
    print(f"machines: {len(machines)} models, generations {machines['generation'].value_counts().to_dict()}")
    (OUT / "pools.json").write_text(json.dumps(build_pools(src), indent=1, sort_keys=True) + "\n")
    ercot = build_ercot(src)
    if ercot is not None:
        write_ercot(ercot)
    for f in sorted(OUT.glob("*.parquet")):
        print(f"{f.name:22s} {f.stat().st_size:>10,d} bytes")
    print(f"daily: {len(daily)} rows {daily['date'].iloc[0]} .. {daily['date'].iloc[-1]}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data"))
