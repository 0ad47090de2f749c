"""Attribute a block to a mining pool from its coinbase, as mempool.space does.

Each pool in the embedded list (``pools.json``, from mempool/mining-pools
``pools-v2.json``, MIT) has coinbase tags, matched as case-insensitive regular
expressions against the ASCII of the coinbase scriptSig, and payout
addresses. An address match wins over a tag match, as in mempool's
``PoolsParser``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

UNKNOWN = "unknown"


@dataclass(frozen=True)
class PoolMatcher:
    """Compiled tags and addresses of the pool list."""

    by_address: dict[str, str]
    tags: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def from_list(cls, pools: Iterable[dict[str, Any]]) -> PoolMatcher:
        """Build a matcher from ``[{slug, tags, addresses}]``."""
        by_address: dict[str, str] = {}
        tags = []
        for p in pools:
            for a in p.get("addresses", []):
                by_address.setdefault(a, p["slug"])
            for t in p.get("tags", []):
                try:
                    tags.append((re.compile(t, re.IGNORECASE), p["slug"]))
                except re.error:
                    tags.append((re.compile(re.escape(t), re.IGNORECASE), p["slug"]))
        return cls(by_address, tuple(tags))

    def match(self, coinbase_hex: str | None, addresses: Iterable[str] = ()) -> str:
        """The slug of the pool that mined a block, or ``"unknown"``."""
        for a in addresses:
            if a in self.by_address:
                return self.by_address[a]
        if coinbase_hex:
            try:
                text = bytes.fromhex(coinbase_hex).decode("ascii", errors="ignore")
            except ValueError:
                text = ""
            for pattern, slug in self.tags:
                if pattern.search(text):
                    return slug
        return UNKNOWN
