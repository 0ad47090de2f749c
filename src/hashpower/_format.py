"""Formatting shared by the terminal output and the HTML report."""

from __future__ import annotations

import math


def money(x: float | None) -> str:
    """USD with a k/M/B suffix: ``$1.57M``; "n/a" for a missing or non-finite value."""
    if x is None or not math.isfinite(x):
        return "n/a"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"${x / scale:,.2f}{suffix}"
    return f"${x:,.2f}"
