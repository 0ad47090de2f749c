"""Formatting shared by the terminal output and the HTML report."""

from __future__ import annotations

import math
from typing import Any


def money(x: float | None) -> str:
    """USD with a k/M/B suffix: ``$1.57M``; "n/a" for a missing or non-finite value."""
    if x is None or not math.isfinite(x):
        return "n/a"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"${x / scale:,.2f}{suffix}"
    return f"${x:,.2f}"


def json_safe(obj: Any) -> Any:
    """Replace non-finite floats (not valid JSON) by None, recursively: "no value" on that day."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj
