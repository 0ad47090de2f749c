"""The store's derived series, cached until the store file changes: the figures modules' shared input.

The daily history, the hashrate windows, the CBECI power bounds and the sustainability index of every
day (:func:`series`), the epochs' facts, and the pool concentration of every window of days
(:func:`concentration_series`). Each is computed once per store file (keyed by its path and mtime).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import numpy as np

from hashpower import store
from hashpower.models import cbeci, chain, hashprice, network
from hashpower.models import index as mindex
from hashpower.models import security as sec
from hashpower.store.catalog import hardware, template_groups

#: Default electricity price of the network-power model [USD/kWh]: CBECI's default (methodology page).
DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH = 0.05


#: Smallest drawdown kept as an episode [-]: shallower dips of a smoothed hashrate are noise.
MIN_EPISODE_DEPTH = 0.02


HASHRATE_WINDOWS_DAYS = (1, 3, 7, 30)


def _epoch_days(index) -> np.ndarray:
    return index.values.astype("datetime64[D]").astype(np.int64)


@lru_cache(maxsize=2)
def _history(path_key: str, mtime: float):  # noqa: ARG001 - the key invalidates the cache when the store changes
    return with_fee_estimates(store.history())


def with_fee_estimates(h):
    """The history with the fees of the days without fee data estimated, and said so.

    Public daily fee data ends before the rest (``SOURCES.md``): on every later day without fees (and on any
    such day an import leaves between days with fees) ``fees_btc`` is the day's blocks x the median fees per
    block of the 30 days with fee data before it (:func:`hashpower.store.fee_estimate`), ``revenue_usd``
    follows, and ``fees_estimated`` is True. :func:`hashpower.store.history` keeps the raw data.
    """
    fees = h["fees_btc"].to_numpy(float, copy=True)
    blocks = h["blocks"].to_numpy(float)
    known = np.isfinite(fees)
    est = np.zeros(len(h), dtype=bool)
    first = int(np.argmax(known)) if known.any() else len(h)
    missing = np.flatnonzero(~known[first:]) + first
    if missing.size:
        # one estimate per run of days without fees: the run's first day's 30 fee days before it
        starts = missing[np.r_[True, np.diff(missing) > 1]]
        ends = missing[np.r_[np.diff(missing) > 1, True]]
        for a, b in zip(starts, ends, strict=True):
            per_block = store.fee_estimate(h.index[a - 1].date())["fees_btc_per_block"]
            fees[a:b + 1] = per_block * blocks[a:b + 1]
            est[a:b + 1] = True
    h = h.copy()
    h["fees_btc"] = fees
    # the revenue of the estimated days, and of any day whose fees are known but revenue is not (an import
    # that gave the fees of a day without them)
    rev = h["revenue_usd"].to_numpy(float, copy=True)
    redo = est | (~np.isfinite(rev) & np.isfinite(fees))
    rev[redo] = (h["subsidy_btc"].to_numpy(float)[redo] + fees[redo]) * h["price_usd"].to_numpy(float)[redo]
    h["revenue_usd"] = rev
    h["fees_estimated"] = est
    return h


def history():
    """The whole daily history, cached until the store file changes."""
    p = store.ensure()
    return _history(str(p), p.stat().st_mtime)


def check_day(date: Any, name: str = "date") -> dt.date:
    """Parse a day and check it is in the (cached) history; the latest day when ``date`` is None."""
    h = history()
    first, last = h.index[0].date(), h.index[-1].date()
    return last if date is None else store.check_date(date, name, (first, last))


def series(power_price_usd_per_kwh: float = DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH) -> dict[str, Any]:
    """Every network series over the whole history: hashrate windows, episodes, power bounds, the index.

    Cached per power price until the store changes.
    """
    p = store.ensure()
    return _series(str(p), p.stat().st_mtime, float(power_price_usd_per_kwh))


@lru_cache(maxsize=8)
def _series(path_key: str, mtime: float, power_price_usd_per_kwh: float) -> dict[str, Any]:  # noqa: ARG001
    h = history()
    d, b = h["difficulty"].to_numpy(float), h["blocks"].to_numpy(float)
    out: dict[str, Any] = {"dates": h.index, "history": h}
    for w in HASHRATE_WINDOWS_DAYS:
        out[f"hashrate_{w}d"] = network.hashrate_from_blocks(d, b, w)
    hp = hashprice.history_usd_per_th_day(d, h["price_usd"], h["subsidy_btc"], h["fees_btc"], b)
    out["hashprice_usd_per_th_day"] = hp
    rel, eff = hardware()
    out["power_w"] = network.cbeci_power_bounds(h["hashrate_ths"].to_numpy(float), hp, _epoch_days(h.index), rel,
                                                eff, power_price_usd_per_kwh)
    # CCAF's own computation of the CBECI (network --method ccaf), beside ours
    out["power_w_ccaf"] = cbeci.cbeci_ccaf_power_bounds(h["hashrate_ths"].to_numpy(float), hp, _epoch_days(h.index),
                                                        rel, eff, power_price_usd_per_kwh)
    for w in (7, 30):
        out[f"episodes_{w}d"] = network.drawdown_episodes(out[f"hashrate_{w}d"][0], MIN_EPISODE_DEPTH)
    out["index"] = mindex.sustainability_index(h["revenue_usd"].to_numpy(float), d)
    out["index_lowest_since"] = network.lowest_since(out["index"])
    return out


@lru_cache(maxsize=2)
def _epoch_facts(path_key: str, mtime: float):  # noqa: ARG001 - the key invalidates the cache
    con = store.connect()
    try:
        ep = con.execute("SELECT start_height, difficulty FROM epochs ORDER BY start_height").fetchall()
        starts = con.execute(
            "SELECT height, timestamp FROM blocks WHERE height % ? = 0", [chain.RETARGET_INTERVAL_BLOCKS]
        ).fetchall()
    finally:
        con.close()
    return {int(h): float(d) for h, d in ep}, {int(h): float(t) for h, t in starts}


def epoch_facts() -> tuple[dict[int, float], dict[int, float]]:
    """Difficulty by epoch start height, and the header time of each epoch's first block where known (cached)."""
    p = store.ensure()
    return _epoch_facts(str(p), p.stat().st_mtime)


def _date(i: int, dates) -> str | None:
    return dates[i].date().isoformat() if i >= 0 else None


def episode_records(ep: dict[str, np.ndarray], dates) -> list[dict[str, Any]]:
    """Drawdown episodes as dicts, with rank by depth and the episode each is the largest since."""
    order = np.argsort(-ep["depth"], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(1, order.size + 1)
    since = network.largest_since(ep["depth"])
    recs = []
    for k in range(ep["depth"].size):
        recs.append({
            "peak_date": _date(int(ep["peak"][k]), dates), "trough_date": _date(int(ep["trough"][k]), dates),
            "recovery_date": _date(int(ep["recovery"][k]), dates), "depth": float(ep["depth"][k]),
            "days_to_trough": int(ep["days_to_trough"][k]), "days_to_recovery": int(ep["days_to_recovery"][k]),
            "rank": int(rank[k]),
            "largest_since": _date(int(ep["peak"][since[k]]), dates) if since[k] >= 0 else None,
        })
    return recs


def _day_index(date: Any, dates) -> tuple[int, dt.date]:
    day = check_day(date)
    return int(np.searchsorted(dates.values, np.datetime64(day, "ns"))), day




def _pool_codes(pools: np.ndarray, merge_templates: bool, include_possible: bool) -> tuple[np.ndarray, list[str]]:
    names = pools.astype(object).copy()
    if merge_templates:
        for g in template_groups()["groups"]:
            members = set(g["members"]) | (set(g["possible"]) if include_possible else set())
            names[np.isin(names, list(members))] = g["name"]
    uniq, codes = np.unique(names, return_inverse=True)
    labels = [str(u) for u in uniq]
    if "unknown" in labels:
        k = labels.index("unknown")
        codes = np.where(codes == k, -1, codes - (codes > k))
        labels.pop(k)
    return codes, labels


def _blocks_arrays():
    p = store.ensure()
    return _blocks_cached(str(p), p.stat().st_mtime)


@lru_cache(maxsize=2)
def _blocks_cached(path_key: str, mtime: float):  # noqa: ARG001 - the key invalidates the cache
    con = store.connect()
    try:
        df = con.execute("SELECT timestamp, pool FROM blocks ORDER BY height").df()
    finally:
        con.close()
    return (df["timestamp"].to_numpy() // 86_400).astype(np.int64), df["pool"].to_numpy(dtype=object)


def block_day_range() -> tuple[dt.date, dt.date]:
    """First full and last full UTC day of the per-block pool data."""
    day, _ = _blocks_arrays()
    e = dt.date(1970, 1, 1)
    return e + dt.timedelta(days=int(day.min()) + 1), e + dt.timedelta(days=int(day.max()) - 1)


def concentration_series(window_days: int = 7, merge_templates: bool = False,
                         include_possible: bool = False) -> dict[str, Any]:
    """Shares, intervals, HHI and Nakamoto coefficient for every day of the block data (cached)."""
    p = store.ensure()
    return _concentration_cached(str(p), p.stat().st_mtime, int(window_days), merge_templates, include_possible)


@lru_cache(maxsize=16)
def _concentration_cached(path_key: str, mtime: float, window_days: int, merge_templates: bool,  # noqa: ARG001
                          include_possible: bool) -> dict[str, Any]:
    day, pools = _blocks_arrays()
    codes, labels = _pool_codes(pools, merge_templates, include_possible)
    out = sec.concentration(day, codes, window_days)
    out["labels"] = labels
    out["dates"] = out["days"].astype("datetime64[D]")
    return out


def _codes():
    p = store.ensure()
    return p, p.stat().st_mtime


@lru_cache(maxsize=4)
def _codes_cached(path_key: str, mtime: float, merge_templates: bool,  # noqa: ARG001 - the key invalidates the cache
                  include_possible: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    day, pools = _blocks_arrays()
    codes, labels = _pool_codes(pools, merge_templates, include_possible)
    return day, codes, labels


def pool_display_names() -> dict[str, str]:
    """Display name by pool slug, from the embedded mempool pool list (``data/pools.json``)."""
    from hashpower.store.catalog import pools as pool_list

    pl = pool_list()
    names = {str(q["slug"]): str(q["name"]) for q in pl.get("pools", []) if q.get("slug") and q.get("name")}
    names.update({str(k): str(v) for k, v in pl.get("names", {}).items()})
    names.setdefault("unknown", "Unknown")
    return names


def concentration_on(day: dt.date, window_days: int, merge_templates: bool = False,
                     include_possible: bool = False, top: int = 10) -> dict[str, Any]:
    """Pool concentration over the ``window_days`` UTC days ending on ``day`` (by block header time).

    ``pools`` holds the ``top`` pools (slug ``pool`` and display ``name``); ``pool_shares`` holds them, the
    unattributed blocks ("Unknown", ranked among them by blocks, as mempool.space does) and one "others" row
    for the pools not shown, so that its shares sum to 1.
    """
    if int(window_days) != window_days or window_days < 1:
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    if isinstance(top, bool) or int(top) != top or top < 1:
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    first, last = block_day_range()
    start = day - dt.timedelta(days=int(window_days) - 1)
    if start < first or day > last:
        raise ValueError(f"a {window_days}-day window ending {day} is beyond the block data ({first} .. {last})")
    p, mtime = _codes()
    d, codes, labels = _codes_cached(str(p), mtime, merge_templates, include_possible)
    e = dt.date(1970, 1, 1)
    k = codes[(d >= (start - e).days) & (d <= (day - e).days)]
    counts = np.bincount(k[k >= 0], minlength=len(labels)).astype(float)
    n = int(k.size)
    split = sec.top_and_rest(counts, n - int(counts.sum()), int(top))
    shares = split["shares"]
    lo, hi = sec.wilson_interval(counts, max(n, 1))
    names = pool_display_names()

    def row(slug: str, name: str, blocks: int, share: float) -> dict[str, Any]:
        lo1, hi1 = sec.wilson_interval(blocks, max(n, 1))
        return {"pool": slug, "name": name, "blocks": int(blocks), "share": float(share),
                "lower_95": float(lo1), "upper_95": float(hi1)}

    pools = [{"pool": labels[j], "name": names.get(labels[j], labels[j]), "blocks": int(counts[j]),
              "share": float(shares[j]), "lower_95": float(lo[j]), "upper_95": float(hi[j])} for j in split["order"]]
    unknown = row("unknown", names["unknown"], n - int(counts.sum()), split["unattributed_share"])
    at = next((i for i, q in enumerate(pools) if q["blocks"] < unknown["blocks"]), len(pools))
    others = {**row("others", "Others", split["others_blocks"], split["others_share"]),
              "pools": split["others_pools"]}
    return {"window_days": int(window_days), "start_date": start.isoformat(), "end_date": day.isoformat(),
            "blocks": n, "unattributed_share": float(1 - shares.sum()), "hhi": float(sec.hhi(shares)),
            "nakamoto_coefficient": int(sec.nakamoto_coefficient(shares)), "merged_template_groups": merge_templates,
            "pools": pools, "top": int(top), "pool_shares": [*pools[:at], unknown, *pools[at:], others]}
