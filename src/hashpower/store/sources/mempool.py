"""mempool.space REST API: new blocks (with coinbase, fees) and difficulty epochs.

``fetch_*`` do the I/O; ``parse_*`` are pure. Endpoints used:

- ``GET /api/blocks/tip/height`` -> the tip height as text;
- ``GET /api/v1/blocks/{height}`` -> up to 15 blocks at and below ``height``,
  newest first, each with ``height``, ``timestamp``, ``bits``, ``difficulty``,
  ``tx_count`` and ``extras`` (``coinbaseRaw``, ``coinbaseAddress``,
  ``totalFees``, ``reward``);
- ``GET /api/v1/difficulty-adjustment`` and ``GET /api/v1/mining/hashrate/3d``
  (the current estimate and the difficulty history).

References
----------
.. [1] mempool.space REST API documentation, https://mempool.space/docs/api/rest
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd

from hashpower.models import chain
from hashpower.store.sources._http import SourceError, json_body, request
from hashpower.store.sources.pools import PoolMatcher

DEFAULT_URL = "https://mempool.space"
#: Blocks returned per ``/api/v1/blocks/{height}`` page.
PAGE_BLOCKS = 15
WHAT = "mempool"


def parse_tip(text: str) -> int:
    """The tip height from ``/api/blocks/tip/height``."""
    try:
        h = int(text.strip())
    except ValueError:
        raise SourceError(f"{WHAT}: the tip height is not a number: {text[:40]!r}") from None
    if h < 0:
        raise SourceError(f"{WHAT}: negative tip height {h}")
    return h


def parse_blocks(payload: Any, matcher: PoolMatcher) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Parse a blocks page into (blocks, block_stats, epoch starts) frames.

    The pool comes from our pool list applied to the coinbase (not from the
    server's own label), so that every block is attributed by one rule.
    """
    if not isinstance(payload, list):
        raise SourceError(f"{WHAT}: the blocks response is not a list")
    blocks, stats, epochs = [], [], []
    for i, b in enumerate(payload):
        try:
            height, ts = int(b["height"]), int(b["timestamp"])
            extras = b.get("extras") or {}
            addrs = extras.get("coinbaseAddresses") or (
                [extras["coinbaseAddress"]] if extras.get("coinbaseAddress") else []
            )
            pool = matcher.match(extras.get("coinbaseRaw"), addrs)
            fees = int(extras["totalFees"])
            txs = int(b["tx_count"])
            bits = int(b["bits"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"{WHAT}: block [{i}] lacks a field or has a bad value ({exc!r})") from None
        blocks.append({"height": height, "timestamp": ts, "pool": pool})
        stats.append({"height": height, "timestamp": ts, "subsidy_sat": int(chain.subsidy_sat(height)),
                      "fees_sat": fees, "tx_count": txs, "size_bytes": b.get("size"),
                      "weight_wu": b.get("weight")})
        if height % chain.RETARGET_INTERVAL_BLOCKS == 0:
            target = chain.target_from_bits(bits)
            epochs.append({
                "epoch": height // chain.RETARGET_INTERVAL_BLOCKS,
                "start_height": height,
                "end_height": height + chain.RETARGET_INTERVAL_BLOCKS - 1,
                "target_hex": f"0x{target:064x}",
                "difficulty": chain.difficulty_from_target(target),
                "end_block_hash": "",
                "start_date": pd.Timestamp(ts, unit="s").date(),
            })
    return pd.DataFrame(blocks), pd.DataFrame(stats), pd.DataFrame(epochs)


def fetch_tip(client: httpx.Client) -> int:
    """The current tip height."""
    return parse_tip(request(client, "GET", "api/blocks/tip/height", what=WHAT).text)


def fetch_blocks(
    client: httpx.Client,
    start: int,
    end: int,
    matcher: PoolMatcher,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Blocks ``start`` .. ``end`` (inclusive) as (blocks, block_stats, epoch starts)."""
    parts: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = []
    total = max(end - start + 1, 0)
    h = start
    while h <= end:
        top = min(h + PAGE_BLOCKS - 1, end)
        resp = request(client, "GET", f"api/v1/blocks/{top}", what=WHAT)
        b, s, e = parse_blocks(json_body(resp, WHAT), matcher)
        keep = (b["height"] >= h) & (b["height"] <= top) if not b.empty else []
        got = set(b.loc[keep, "height"]) if len(b) else set()
        if got != set(range(h, top + 1)):
            raise SourceError(f"{WHAT}: page {top} did not return blocks {h}..{top}")
        parts.append((b[keep], s[keep], e[e["start_height"].between(h, top)] if not e.empty else e))
        if progress:
            progress(top - start + 1, total)
        h = top + 1
    if not parts:
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    return tuple(pd.concat([p[k] for p in parts], ignore_index=True) for k in range(3))  # type: ignore[return-value]


def fetch_difficulty_adjustment(client: httpx.Client) -> dict[str, Any]:
    """The current epoch's progress and the estimated next adjustment."""
    body = json_body(request(client, "GET", "api/v1/difficulty-adjustment", what=WHAT), WHAT)
    if not isinstance(body, dict) or "difficultyChange" not in body:
        raise SourceError(f"{WHAT}: difficulty-adjustment has no 'difficultyChange'")
    return body
