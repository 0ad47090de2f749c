"""Parse and convert the physical quantities of Bitcoin mining.

Five kinds of quantity, each with one base unit that every parser returns:

============  ===========  ==========================================================
kind          base unit    accepted units (canonical spellings)
============  ===========  ==========================================================
hashrate      H/s          H/s, kH/s, MH/s, GH/s, TH/s, PH/s, EH/s, ZH/s
power         W            W, kW, MW, GW
energy        Wh           Wh, kWh, MWh, GWh, TWh, J, kJ, MJ, GJ (1 Wh = 3600 J)
price         USD/kWh      $/kWh, USD/kWh, c/kWh, ¢/kWh, and per any energy unit
efficiency    J/TH         J/xH, W/xH, W/(xH/s) and the reciprocal xH/J, for any
                           hashrate prefix x (1 W/TH = 1 J/TH, 1 J/GH = 1000 J/TH)
============  ===========  ==========================================================

Text grammar: ``<number><optional whitespace><unit>``, surrounding whitespace
ignored, whitespace around ``/`` in the unit ignored.

- Numbers: plain decimals and scientific notation (``1.2e3``), an optional sign.
  Thousands separators are **rejected** (``"1,000 W"``, ``"1_000 W"``, ``"1 000 W"``):
  ``1,000`` reads as one thousand in English and as one in much of Europe, and a
  silent factor of 1000 is worse than an error.
- Prefixes are the case-sensitive SI symbols [1]_, with one tolerance: ``K`` is
  accepted for kilo (``k``), since nothing else could be meant. Every other
  lowercase prefix is an error with a hint, because ``m`` is milli and ``p`` is
  pico in SI: ``"100 mh/s"`` could be 0.1 H/s or 10^8 H/s, so neither is guessed,
  and ``"th/s"`` is refused too so that the rule stays one rule.
- Unit symbols after the prefix are case-insensitive, since there they are
  unambiguous: ``TH/s``, ``Th/s``, ``TH/S``; ``kWh``, ``KWH``; ``J/TH``, ``j/Th``.
- A bare number (``"890"``) is ambiguous and is rejected unless ``default_unit``
  is given. ``"890 EH"`` (no ``/s``) is rejected as a hashrate.
- Prices may also put the dollar sign first: ``"$0.05/kWh"``.
- Zero: a hashrate or efficiency of zero is meaningless (and zero efficiency
  would be an infinite reciprocal), so they must be > 0. Power, energy and
  price may be zero (an idle machine, free energy). No quantity may be
  negative, NaN or infinite, including after scaling (``"1e300 ZH/s"`` overflows).

Every failure raises :class:`ValueError` whose message quotes the input and
says what was expected; no string input raises anything else.

The converters are vectorised: they take array_like values and return numpy,
with the same rules (finite, >= 0, and > 0 across a reciprocal conversion).

References
----------
.. [1] BIPM, *The International System of Units (SI)*, 9th edition, 2019,
   Table 7 (SI prefixes). https://www.bipm.org/en/publications/si-brochure
"""

from __future__ import annotations

from hashpower.models.units._grammar import UNITS
from hashpower.models.units.convert import (
    convert_efficiency,
    convert_energy,
    convert_hashrate,
    convert_power,
    convert_price,
    to_ehs,
    to_ths,
)
from hashpower.models.units.parse import parse_efficiency, parse_energy, parse_hashrate, parse_power, parse_price

__all__ = [
    "UNITS",
    "convert_efficiency",
    "convert_energy",
    "convert_hashrate",
    "convert_power",
    "convert_price",
    "parse_efficiency",
    "parse_energy",
    "parse_hashrate",
    "parse_power",
    "parse_price",
    "to_ehs",
    "to_ths",
]
