"""A Bitcoin Core node over JSON-RPC: new blocks, their fees and subsidy, their pool.

Calls (batched): ``getblockchaininfo``, ``getblockhash``, ``getblockheader``,
``getblockstats``, and for the pool ``getblock`` (verbosity 1, for the
coinbase txid) with ``getrawtransaction`` (given the block hash, so no
``-txindex`` is needed). Credentials are a user/password pair or the node's
cookie file; they go into the HTTP Authorization header only and are never
printed, logged or stored.

References
----------
.. [1] Bitcoin Core RPC reference, https://developer.bitcoin.org/reference/rpc/
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from hashpower.models import chain
from hashpower.store.sources._http import SourceError, json_body, request
from hashpower.store.sources.pools import PoolMatcher

DEFAULT_URL = "http://127.0.0.1:8332"
#: Heights fetched per batch of calls.
BATCH_BLOCKS = 50
STATS = ["height", "time", "subsidy", "totalfee", "txs", "total_size", "total_weight", "avgfeerate", "medianfee"]
WHAT = "bitcoind"


#: Largest cookie file read [bytes]: Core writes ``__cookie__:`` and 64 hex digits.
COOKIE_MAX_BYTES = 4096


def auth(
    user: str | None = None, password: str | None = None, cookie_file: str | Path | None = None
) -> httpx.BasicAuth:
    """HTTP basic auth from a user/password pair or a cookie file (``__cookie__:secret``)."""
    if cookie_file:
        from hashpower.store.bounded import read_bounded

        try:  # a regular file of at most 4 KiB (Bitcoin Core's cookie is under 100 bytes)
            text = read_bounded(cookie_file, "cookie", COOKIE_MAX_BYTES).strip()
        except ValueError as exc:
            raise SourceError(f"{WHAT}: {exc}") from None
        if ":" not in text:
            raise SourceError(f"{WHAT}: the cookie file {cookie_file} is not user:password")
        u, p = text.split(":", 1)
        return httpx.BasicAuth(u, p)
    if user is None or password is None:
        raise SourceError(f"{WHAT}: give an RPC user and password, or a cookie file")
    return httpx.BasicAuth(user, password)


def call(client: httpx.Client, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
    """Send a JSON-RPC batch; return the results in order or raise on any error."""
    body = [{"jsonrpc": "1.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    try:
        resp = request(client, "POST", "", json=body, what=WHAT)
    except SourceError as exc:
        if "HTTP 401" in str(exc) or "HTTP 403" in str(exc):
            raise SourceError(f"{WHAT}: the node refused the credentials") from None
        raise
    return parse_batch(json_body(resp, WHAT), len(calls))


def parse_batch(payload: Any, n: int) -> list[Any]:
    """Results of a JSON-RPC batch response, ordered by id."""
    if not isinstance(payload, list) or len(payload) != n:
        raise SourceError(f"{WHAT}: expected a batch of {n} replies")
    out: list[Any] = [None] * n
    for r in payload:
        if not isinstance(r, dict) or not isinstance(r.get("id"), int) or not 0 <= r["id"] < n:
            raise SourceError(f"{WHAT}: a reply has no valid id")
        if r.get("error"):
            err = r["error"]
            msg = err.get("message") if isinstance(err, dict) else str(err)
            raise SourceError(f"{WHAT}: RPC error: {str(msg)[:200]}")
        out[r["id"]] = r.get("result")
    return out


def fetch_tip(client: httpx.Client) -> int:
    """The node's best height (``getblockchaininfo.blocks``)."""
    (info,) = call(client, [("getblockchaininfo", [])])
    try:
        return int(info["blocks"])
    except (KeyError, TypeError, ValueError):
        raise SourceError(f"{WHAT}: getblockchaininfo has no 'blocks'") from None


def _coinbase(tx: dict[str, Any]) -> tuple[str | None, list[str]]:
    vin = tx.get("vin") or [{}]
    addrs = [o.get("scriptPubKey", {}).get("address") for o in tx.get("vout", [])]
    return vin[0].get("coinbase"), [a for a in addrs if a]


def fetch_blocks(
    client: httpx.Client,
    start: int,
    end: int,
    matcher: PoolMatcher,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Blocks ``start`` .. ``end`` as (blocks, block_stats, epoch starts)."""
    blocks, stats, epochs = [], [], []
    total = max(end - start + 1, 0)
    for lo in range(start, end + 1, BATCH_BLOCKS):
        heights = list(range(lo, min(lo + BATCH_BLOCKS, end + 1)))
        hashes = call(client, [("getblockhash", [h]) for h in heights])
        calls: list[tuple[str, list[Any]]] = []
        for h, bh in zip(heights, hashes, strict=True):
            calls += [("getblockheader", [bh]), ("getblockstats", [h, STATS]), ("getblock", [bh, 1])]
        res = call(client, calls)
        try:
            cb_txids = [res[3 * i + 2]["tx"][0] for i in range(len(heights))]
        except (KeyError, IndexError, TypeError):
            raise SourceError(f"{WHAT}: getblock returned no transactions") from None
        txs = call(client, [("getrawtransaction", [t, True, bh]) for t, bh in zip(cb_txids, hashes, strict=True)])
        for i, h in enumerate(heights):
            header, st, tx = res[3 * i], res[3 * i + 1], txs[i]
            try:
                ts = int(header["time"])
                coinbase_hex, addrs = _coinbase(tx)
                subsidy = int(st["subsidy"])
                if subsidy != int(chain.subsidy_sat(h)):
                    raise SourceError(f"{WHAT}: block {h} subsidy {subsidy} breaks the subsidy schedule")
                stats.append({"height": h, "timestamp": ts, "subsidy_sat": subsidy, "fees_sat": int(st["totalfee"]),
                              "tx_count": int(st["txs"]), "size_bytes": st.get("total_size"),
                              "weight_wu": st.get("total_weight"), "avg_feerate_sat_per_vb": st.get("avgfeerate"),
                              "median_fee_sat": st.get("medianfee")})
                blocks.append({"height": h, "timestamp": ts, "pool": matcher.match(coinbase_hex, addrs)})
                if h % chain.RETARGET_INTERVAL_BLOCKS == 0:
                    target = chain.target_from_bits(int(header["bits"], 16))
                    epochs.append({"epoch": h // chain.RETARGET_INTERVAL_BLOCKS, "start_height": h,
                                   "end_height": h + chain.RETARGET_INTERVAL_BLOCKS - 1,
                                   "target_hex": f"0x{target:064x}",
                                   "difficulty": chain.difficulty_from_target(target), "end_block_hash": "",
                                   "start_date": pd.Timestamp(ts, unit="s").date()})
            except (KeyError, TypeError, ValueError) as exc:
                raise SourceError(f"{WHAT}: block {h}: a reply lacks a field ({exc!r})") from None
        if progress:
            progress(heights[-1] - start + 1, total)
    return pd.DataFrame(blocks), pd.DataFrame(stats), pd.DataFrame(epochs)
