"""The grammar of quantities: unit tables, prefixes, the text parser and the scaled conversion.

The rules are documented in :mod:`hashpower.models.units`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

#: Canonical unit spellings per kind; the first is the base unit the parsers return.
UNITS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "hashrate": ("H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s", "ZH/s"),
        "power": ("W", "kW", "MW", "GW"),
        "energy": ("Wh", "kWh", "MWh", "GWh", "TWh", "J", "kJ", "MJ", "GJ"),
        "price": ("USD/kWh", "USD/MWh", "$/kWh", "$/MWh", "c/kWh", "¢/kWh"),
        "efficiency": ("J/TH", "W/TH", "J/GH", "J/PH", "TH/J"),
    }
)

#: SI prefix symbols and their decimal exponents [1]_ (``K`` tolerated for kilo).
_PREFIX_EXP = {"": 0, "k": 3, "K": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18, "Z": 21}
#: What a lowercase letter means in SI, for error hints.
_LOWER_SI = {"m": "milli (10^-3)", "p": "pico (10^-12)", "z": "zepto (10^-21)"}
#: Prefixes each unit family accepts.
_HASH_PREFIXES = frozenset(_PREFIX_EXP)
_POWER_PREFIXES = frozenset({"", "k", "K", "M", "G"})
_WH_PREFIXES = frozenset({"", "k", "K", "M", "G", "T"})
_J_PREFIXES = frozenset({"", "k", "K", "M", "G"})
#: Joules per watt-hour.
J_PER_WH = 3600.0

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_TEXT_RE = re.compile(rf"(?P<mant>{_NUMBER})(?:[eE](?P<exp>[+-]?[0-9]+))?\s*(?P<unit>.*)", re.DOTALL)
_NONFINITE_RE = re.compile(r"[+-]?(?:nan|inf(?:inity)?)(?![a-z])", re.IGNORECASE)
_SLASH_RE = re.compile(r"\s*/\s*")
_HASH_RE = re.compile(r"(?P<p>[^\W\d_]?)[Hh]/[sS]")
_HASH_NO_S_RE = re.compile(r"(?P<p>[^\W\d_]?)[Hh]")
_POWER_RE = re.compile(r"(?P<p>[^\W\d_]?)[Ww]")
_WH_RE = re.compile(r"(?P<p>[^\W\d_]?)[Ww][Hh]")
_J_RE = re.compile(r"(?P<p>[^\W\d_]?)[Jj]")
_EFF_RE = re.compile(r"(?:[JjWw]/(?P<p1>[^\W\d_]?)[Hh]|[Ww]/\((?P<p2>[^\W\d_]?)[Hh]/[sS]\)|(?P<p3>[^\W\d_]?)[Hh]/[Jj])")
_PRICE_RE = re.compile(r"(?P<cur>[^/]*)/(?P<energy>.*)", re.DOTALL)
#: Currency symbols of a price and their exponent relative to USD.
_CURRENCY_EXP = {"$": 0, "usd": 0, "c": -2, "¢": -2}

#: A typical quantity of each kind, for error messages.
_EXAMPLE = {
    "hashrate": "890 EH/s",
    "power": "3.5 kW",
    "energy": "12 TWh",
    "price": "0.05 USD/kWh",
    "efficiency": "17.5 J/TH",
}
#: Kinds whose value must be > 0 (otherwise >= 0).
_POSITIVE = frozenset({"hashrate", "efficiency"})


class _Scale(NamedTuple):
    """How a unit maps onto its base unit: ``base = v * 10**exp * mult`` or, if ``recip``, its reciprocal."""

    exp: int
    mult: float = 1.0
    recip: bool = False


def _show(text: object) -> str:
    """``repr`` of an input for an error message, shortened if long."""
    if isinstance(text, str) and len(text) > 80:
        return f"{text[:60]!r}... ({len(text)} characters)"
    try:
        r = repr(text)
    except Exception:  # a broken __repr__ must not hide the real error
        r = f"<{type(text).__name__}>"
    return r if len(r) <= 100 else r[:80] + "..."


def _prefix(kind: str, unit: str, prefix: str, allowed: frozenset[str], template: str) -> int:
    """Exponent of ``prefix`` within ``unit``, or a ValueError explaining why it is refused.

    ``template`` is the canonical spelling of the unit with ``{}`` for the prefix, for the hint.
    """
    if prefix in allowed:
        return _PREFIX_EXP[prefix]
    if prefix.upper() in allowed and prefix.upper() != prefix:
        meaning = _LOWER_SI.get(prefix, "not an SI prefix")
        fixed = template.format(prefix.upper())
        raise ValueError(
            f"unit {_show(unit)}: prefixes are case-sensitive and lowercase {prefix!r} is {meaning}; "
            f"did you mean {fixed!r}?"
        )
    raise ValueError(
        f"unit {_show(unit)}: prefix {prefix!r} is not accepted for {kind}; expected one of {', '.join(UNITS[kind])}"
    )


def _energy_scale(unit: str) -> _Scale:
    """Scale of an energy unit onto Wh."""
    if m := _WH_RE.fullmatch(unit):
        return _Scale(_prefix("energy", unit, m["p"], _WH_PREFIXES, "{}Wh"))
    if m := _J_RE.fullmatch(unit):
        return _Scale(_prefix("energy", unit, m["p"], _J_PREFIXES, "{}J"), 1.0 / J_PER_WH)
    raise ValueError(f"unknown energy unit {_show(unit)}; expected one of {', '.join(UNITS['energy'])}")


def _scale(kind: str, unit: str, *, hint: bool = True) -> _Scale:
    """Scale of ``unit`` onto the base unit of ``kind``; ValueError naming the unit if it is not one.

    With ``hint``, a unit of another kind is named as such in the error.
    """
    expected = f"expected one of {', '.join(UNITS[kind])}"
    error = f"unknown {kind} unit {_show(unit)}; {expected}"
    if kind == "hashrate":
        if m := _HASH_RE.fullmatch(unit):
            return _Scale(_prefix(kind, unit, m["p"], _HASH_PREFIXES, "{}H/s"))
        if (m := _HASH_NO_S_RE.fullmatch(unit)) and m["p"] in _HASH_PREFIXES:
            error = f"unit {_show(unit)} is a number of hashes, not a rate; did you mean {unit + '/s'!r}?"
    elif kind == "power":
        if m := _POWER_RE.fullmatch(unit):
            return _Scale(_prefix(kind, unit, m["p"], _POWER_PREFIXES, "{}W"))
    elif kind == "energy":
        if _WH_RE.fullmatch(unit) or _J_RE.fullmatch(unit):
            return _energy_scale(unit)
    elif kind == "price":
        if m := _PRICE_RE.fullmatch(unit):
            cur = "usd" if m["cur"].lower() == "usd" else m["cur"]
            if cur in _CURRENCY_EXP:
                energy = _energy_scale(m["energy"])
                # USD/kWh = v * 10**cur / (kWh per energy unit) = v * 10**(cur - exp + 3) / mult
                return _Scale(_CURRENCY_EXP[cur] - energy.exp + 3, 1.0 / energy.mult)
            error = (
                f"unit {_show(unit)}: unknown currency {_show(m['cur'])}; "
                "expected '$' or 'USD' (dollars), 'c' or '¢' (US cents)"
            )
    elif kind == "efficiency":
        if m := _EFF_RE.fullmatch(unit):
            if m["p1"] is not None:
                p, template = m["p1"], unit[0].upper() + "/{}H"
            elif m["p2"] is not None:
                p, template = m["p2"], "W/({}H/s)"
            else:
                p, template = m["p3"], "{}H/J"
            exp = _prefix(kind, unit, p, _HASH_PREFIXES, template)
            if m["p3"] is not None:  # xH/J: J/TH = 1 / (v * 10**(x - 12))
                return _Scale(exp - 12, recip=True)
            return _Scale(12 - exp)  # J/xH and W/xH: J/TH = v * 10**(12 - x)
    else:  # pragma: no cover - internal misuse
        raise AssertionError(kind)
    if hint:
        for other in UNITS:
            if other != kind:
                try:
                    _scale(other, unit, hint=False)
                except ValueError:
                    continue
                raise ValueError(f"{_show(unit)} is a unit of {other}, not of {kind}; {expected}")
    raise ValueError(error)


def _parse(text: object, kind: str, default_unit: str | None) -> float:
    """Parse ``text`` as a quantity of ``kind`` into its base unit (see the module docstring)."""
    what = f"{kind} {_show(text)}"
    if not isinstance(text, str):
        raise ValueError(
            f"{kind} must be given as a string such as {_EXAMPLE[kind]!r}, got "
            f"{type(text).__name__} {_show(text)}; use convert_{kind} for numbers"
        )
    if default_unit is not None:
        if not isinstance(default_unit, str):
            raise ValueError(f"default_unit must be a string, got {_show(default_unit)}")
        try:
            _scale(kind, _SLASH_RE.sub("/", default_unit.strip()))
        except ValueError as e:
            raise ValueError(f"default_unit: {e}") from None
    s = text.strip()
    if not s:
        raise ValueError(f"{what} is empty; expected a number and a unit such as {_EXAMPLE[kind]!r}")
    dollar_first = False
    if kind == "price" and (m := re.match(r"([+-]?)\$", s)):
        s = m[1] + s[m.end() :].lstrip()
        dollar_first = True
    m = _TEXT_RE.fullmatch(s)
    if m is None:
        if _NONFINITE_RE.match(s):
            raise ValueError(f"{what} must be a finite number, not NaN or infinity")
        raise ValueError(
            f"{what} does not start with a number; expected a number and a unit such as {_EXAMPLE[kind]!r}"
        )
    unit = _SLASH_RE.sub("/", m["unit"])
    if unit[:1] in (",", ".", "_") or unit[:1].isdigit():
        raise ValueError(
            f"{what} has a malformed number; write plain digits with an optional decimal point "
            "(thousands separators such as ',', '_' or spaces are not accepted)"
        )
    if dollar_first:
        if not unit.startswith("/"):
            raise ValueError(f"{what}: after a leading '$' expected a per-energy unit such as '/kWh'")
        unit = "$" + unit
    if not unit:
        if default_unit is None:
            raise ValueError(
                f"{what} has no unit and a bare number is ambiguous; write it with its unit, e.g. {_EXAMPLE[kind]!r}"
            )
        unit = _SLASH_RE.sub("/", default_unit.strip())
    try:
        scale = _scale(kind, unit)
    except ValueError as e:
        raise ValueError(f"cannot parse {what}: {e}") from None

    mant = m["mant"]
    negative = mant.startswith("-")
    digits = mant.lstrip("+-")
    if negative and digits.strip("0.") != "":
        raise ValueError(f"{what} is negative; expected a value >= 0")
    # Fold the unit's power of ten into the decimal exponent so that float() rounds once:
    # "1.1 EH/s" gives exactly float("1.1e18").
    exp = m["exp"] or "0"
    exp_sign = "-" if exp.startswith("-") else ""
    exp_digits = exp.lstrip("+-").lstrip("0") or "0"
    if len(exp_digits) <= 9:
        v = float(f"{digits}e{int(exp_sign + exp_digits) + scale.exp}")
    else:  # an exponent of ten digits or more: already 0 or inf, whatever the unit
        v = float(f"{digits}e{exp_sign}{exp_digits}")
    v *= scale.mult
    nonzero_input = digits.strip("0.") != ""
    if scale.recip and v != 0.0:
        v = 1.0 / v
    elif scale.recip and nonzero_input:
        v = float("inf")  # the scaled value underflowed: its reciprocal overflows
    if not math.isfinite(v):
        raise ValueError(f"{what} overflows the floating-point range once converted to {UNITS[kind][0]}")
    if v == 0.0:
        if kind in _POSITIVE:
            reason = "underflows to zero" if nonzero_input else "is zero"
            raise ValueError(f"{what} {reason}; {kind} must be > 0")
        return 0.0
    return v


def _values(value: ArrayLike, *, positive: bool) -> np.ndarray:
    """``value`` as a float array; ValueError naming it unless finite and >= 0 (> 0 if ``positive``)."""
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise ValueError(f"value must be real numbers, got {_show(value)}")
    a = a.astype(float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"value must be finite, got {_show(value)}")
    if positive and np.any(a <= 0):
        raise ValueError(f"value must be > 0 to convert between reciprocal units, got {_show(value)}")
    if np.any(a < 0):
        raise ValueError(f"value must be >= 0, got {_show(value)}")
    return a


def _times_ten(a: np.ndarray, exp: int) -> np.ndarray:
    """``a * 10**exp``, dividing for negative ``exp`` so that exact powers of ten round once."""
    return a * 10.0**exp if exp >= 0 else a / 10.0**-exp


def _convert(kind: str, value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Vectorised conversion between two units of ``kind``."""
    scales = []
    for name, unit in (("from_unit", from_unit), ("to_unit", to_unit)):
        if not isinstance(unit, str):
            raise ValueError(f"{name} must be a string, got {_show(unit)}")
        try:
            scales.append(_scale(kind, _SLASH_RE.sub("/", unit.strip())))
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    a, b = scales
    reciprocal = a.recip != b.recip
    x = _values(value, positive=reciprocal)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        if reciprocal:  # base = 1 / (x * s_a) and y = 1 / (base * s_b), or the mirror: y = 1 / (x * s_a * s_b)
            y = 1.0 / (_times_ten(x, a.exp + b.exp) * (a.mult * b.mult))
        else:  # both direct (base = x * s_a, y = base / s_b) or both reciprocal: y = x * s_a / s_b
            y = _times_ten(x, a.exp - b.exp)
            if a.mult != b.mult:
                y = y * (a.mult / b.mult)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"value {_show(value)} overflows the floating-point range in {to_unit!r}")
    return y

