"""Formatting shared by the terminal output and the HTML report."""

from __future__ import annotations

import math
from typing import Any


def money(x: float | None) -> str:
    """USD with a k/M/B suffix: ``$1.57M``, ``-$101.92M``; "n/a" for a missing or non-finite value."""
    if x is None or not math.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 and round(abs(x), 2) > 0 else ""
    a = abs(x)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"{sign}${a / scale:,.2f}{suffix}"
    return f"{sign}${a:,.2f}"


def json_safe(obj: Any) -> Any:
    """Replace non-finite floats (not valid JSON) by None, recursively: "no value" on that day."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj
