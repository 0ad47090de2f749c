"""Parsing and conversion of mining quantities (`hashpower.models.units`)."""

from __future__ import annotations

import doctest
import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashpower.models import units
from hashpower.models.units import (
    UNITS,
    convert_efficiency,
    convert_energy,
    convert_hashrate,
    convert_power,
    convert_price,
    parse_efficiency,
    parse_energy,
    parse_hashrate,
    parse_power,
    parse_price,
    to_ehs,
    to_ths,
)

PARSERS = {
    "hashrate": parse_hashrate,
    "power": parse_power,
    "energy": parse_energy,
    "price": parse_price,
    "efficiency": parse_efficiency,
}
CONVERTERS = {
    "hashrate": convert_hashrate,
    "power": convert_power,
    "energy": convert_energy,
    "price": convert_price,
    "efficiency": convert_efficiency,
}

# Independent oracle: size of one unit in the base unit (H/s, W, Wh, USD/kWh, J/TH), written out by hand from the
# SI prefixes (BIPM SI Brochure, 9th ed., 2019, Table 7) and 1 Wh = 3600 J. TH/J is reciprocal and tested apart.
FACTORS = {
    "hashrate": {
        "H/s": 1.0,
        "kH/s": 1e3,
        "MH/s": 1e6,
        "GH/s": 1e9,
        "TH/s": 1e12,
        "PH/s": 1e15,
        "EH/s": 1e18,
        "ZH/s": 1e21,
    },
    "power": {"W": 1.0, "kW": 1e3, "MW": 1e6, "GW": 1e9},
    "energy": {
        "Wh": 1.0,
        "kWh": 1e3,
        "MWh": 1e6,
        "GWh": 1e9,
        "TWh": 1e12,
        "J": 1 / 3600,
        "kJ": 1e3 / 3600,
        "MJ": 1e6 / 3600,
        "GJ": 1e9 / 3600,
    },
    "price": {
        "USD/kWh": 1.0,
        "USD/MWh": 1e-3,
        "$/kWh": 1.0,
        "$/MWh": 1e-3,
        "c/kWh": 1e-2,
        "¢/kWh": 1e-2,
        "$/Wh": 1e3,
        "$/MJ": 3.6,
    },
    "efficiency": {
        "J/TH": 1.0,
        "W/TH": 1.0,
        "W/(TH/s)": 1.0,
        "J/GH": 1e3,
        "J/PH": 1e-3,
        "J/MH": 1e6,
        "W/GH": 1e3,
    },
}
RECIPROCAL_EFFICIENCY = {"TH/J": 1.0, "GH/J": 1e-3, "PH/J": 1e3}  # J/TH = 1 / (v x factor)

KINDS = list(PARSERS)
#: Every (kind, unit) pair, for the converters, including the reciprocal efficiencies.
ALL_UNITS = {k: list(FACTORS[k]) + (list(RECIPROCAL_EFFICIENCY) if k == "efficiency" else []) for k in KINDS}

finite_positive = st.floats(min_value=1e-100, max_value=1e100, allow_nan=False, allow_infinity=False)


def test_public_names_are_pinned():
    assert sorted(units.__all__) == sorted(
        [
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
    )
    for name in units.__all__:
        assert hasattr(units, name)


@pytest.mark.parametrize("module", [units.parse, units.convert])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("kind", KINDS)
def test_canonical_units_are_parsed_and_first_is_base(kind):
    assert set(UNITS) == set(KINDS)
    assert PARSERS[kind](f"1 {UNITS[kind][0]}") == 1.0
    for unit in UNITS[kind]:
        assert PARSERS[kind](f"2 {unit}") > 0


@pytest.mark.parametrize("kind", KINDS)
def test_oracle_agrees_with_every_canonical_unit(kind):
    table = FACTORS[kind] | (RECIPROCAL_EFFICIENCY if kind == "efficiency" else {})
    assert set(UNITS[kind]) <= set(table)


# --- hashrate -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["890EH/s", "890 EH/s", "  890\tEH/s \n", "890\u00a0EH/s", "890\u202fEH/s", "890 Eh/s", "890 EH/S", "890 EH / s",
     "+890 EH/s", "8.9e2 EH/s", "8.9E2 EH/s", "0.89 ZH/s", "890000000 TH/s", "8.9e20 H/s", "890e+0 EH/s"],
)  # fmt: skip
def test_hashrate_spellings_of_890_ehs(text):
    # 1 EH/s = 10^18 H/s (docs/nomenclature.md, SI prefix E = 10^18)
    assert parse_hashrate(text) == pytest.approx(8.9e20, rel=1e-15)


def test_hashrate_no_space_equals_space_exactly():
    assert parse_hashrate("890EH/s") == parse_hashrate("890 EH/s") == 8.9e20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 H/s", 1.0),
        ("1 h/s", 1.0),
        ("1 kH/s", 1e3),
        ("1 KH/s", 1e3),
        ("1 kh/s", 1e3),
        ("1 Kh/S", 1e3),
        ("1 MH/s", 1e6),
        ("1 Mh/s", 1e6),
        ("1 GH/s", 1e9),
        ("1 Gh/s", 1e9),
        ("200 TH/s", 2e14),
        ("200 Th/s", 2e14),
        ("1.5 PH/s", 1.5e15),
        ("1.5 Ph/s", 1.5e15),
        ("1 ZH/s", 1e21),
        ("1.2e3 TH/s", 1.2e15),
        (".5 TH/s", 5e11),
        ("5. TH/s", 5e12),
    ],
)
def test_hashrate_case_variants(text, expected):
    assert parse_hashrate(text) == pytest.approx(expected, rel=1e-15)


def test_parse_rounds_once_in_decimal():
    # the unit's power of ten is folded into the decimal exponent before float() rounds
    assert parse_hashrate("1.1 EH/s") == 1.1e18
    assert parse_hashrate("0.3 TH/s") == 0.3e12
    assert parse_price("7 c/kWh") == 0.07
    assert parse_price("70 $/MWh") == 0.07


def test_default_unit_for_bare_numbers():
    assert parse_hashrate("890", default_unit="EH/s") == 8.9e20
    assert parse_hashrate("890 TH/s", default_unit="EH/s") == 8.9e14  # the text's own unit wins
    assert parse_power("3.5", default_unit="kW") == 3500.0
    assert parse_price("5", default_unit="c/kWh") == 0.05
    assert parse_efficiency("17.5", default_unit="J / TH") == 17.5


def test_to_ths_and_to_ehs():
    assert to_ths("890 EH/s") == 8.9e8
    assert isinstance(to_ths("890 EH/s"), float)
    assert to_ehs("890000000 TH/s") == pytest.approx(890.0)
    assert to_ths("200", unit="TH/s") == 200.0
    np.testing.assert_allclose(to_ehs([500e6, 890e6], "TH/s"), [500.0, 890.0])
    np.testing.assert_allclose(to_ths(np.array([[1.0], [2.0]]), "PH/s"), [[1e3], [2e3]])
    with pytest.raises(ValueError, match="unit is required"):
        to_ths(200)
    with pytest.raises(ValueError, match="no unit"):
        to_ehs("200")


# --- power, energy, price, efficiency ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3500 W", 3500.0), ("3500W", 3500.0), ("3500 w", 3500.0), ("3.5 kW", 3500.0), ("3.5 KW", 3500.0),
     ("3.5 kw", 3500.0), ("20 GW", 2e10), ("1.5 MW", 1.5e6), ("0 W", 0.0), ("0.0 kW", 0.0), ("-0 W", 0.0)],
)  # fmt: skip
def test_power(text, expected):
    got = parse_power(text)
    assert got == pytest.approx(expected, rel=1e-15)
    if expected == 0:
        assert math.copysign(1.0, got) == 1.0  # never -0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1 Wh", 1.0), ("1 kWh", 1e3), ("1 KWH", 1e3), ("1 kwh", 1e3), ("1 MWh", 1e6), ("1 MWH", 1e6),
     ("1 GWh", 1e9), ("120 TWh", 1.2e14), ("3600 J", 1.0), ("3.6 MJ", 1e3), ("3.6 kJ", 1.0), ("1 GJ", 1e9 / 3600),
     ("0 kWh", 0.0)],
)  # fmt: skip
def test_energy(text, expected):
    assert parse_energy(text) == pytest.approx(expected, rel=1e-15)


def test_joules_and_watt_hours():
    # 1 Wh = 1 W x 3600 s = 3600 J
    assert convert_energy(3600, "J", "Wh") == pytest.approx(1.0)
    assert convert_energy(1, "kWh", "MJ") == pytest.approx(3.6)
    np.testing.assert_allclose(convert_energy([1.0, 2.0], "Wh", "J"), [3600.0, 7200.0])


@pytest.mark.parametrize(
    "text",
    ["0.05 $/kWh", "0.05$/kWh", "$0.05/kWh", "$ 0.05 / kWh", "0.05 USD/kWh", "0.05 usd/kWh", "0.05 Usd/KWH",
     "50 $/MWh", "50 USD/MWh", "50 usd/MWH", "5 c/kWh", "5c/kWh", "5 ¢/kWh", "5¢/kWh", "5e-5 $/Wh", "0.05 USD / kWh"],
)  # fmt: skip
def test_price_spellings_of_5_cents(text):
    assert parse_price(text) == pytest.approx(0.05, rel=1e-15)


def test_price_zero_is_free_energy():
    assert parse_price("0 $/kWh") == 0.0
    assert parse_price("$0/kWh") == 0.0
    np.testing.assert_array_equal(convert_price([0.0, 50.0], "$/MWh", "c/kWh"), [0.0, 5.0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("17.5 J/TH", 17.5), ("17.5J/TH", 17.5), ("17.5 W/TH", 17.5), ("17.5 W/(TH/s)", 17.5), ("17.5 W / (TH/s)", 17.5),
     ("17.5 J/Th", 17.5), ("17.5 j/TH", 17.5), ("17.5 w/Th", 17.5), ("0.0175 J/GH", 17.5),
     ("0.0175 W/GH", 17.5), ("17500 J/PH", 17.5), ("17.5e-6 J/MH", 17.5), ("0.05 TH/J", 20.0), ("0.05 Th/j", 20.0),
     ("50 GH/J", 20.0), ("5e-5 PH/J", 20.0)],
)  # fmt: skip
def test_efficiency(text, expected):
    assert parse_efficiency(text) == pytest.approx(expected, rel=1e-14)


def test_antminer_s21_spec_is_consistent():
    # Bitmain Antminer S21 specification sheet: 200 TH/s, 17.5 J/TH, 3500 W (power = hashrate x efficiency)
    hashrate_ths = to_ths("200 TH/s")
    efficiency_j_per_th = parse_efficiency("17.5 J/TH")
    assert hashrate_ths * efficiency_j_per_th == pytest.approx(parse_power("3.5 kW"))
    assert convert_efficiency(17.5, "J/TH", "TH/J") == pytest.approx(1 / 17.5)
    assert convert_efficiency(17.5, "J/TH", "J/GH") == pytest.approx(0.0175)


# --- converters: reference values, arrays, broadcasting -----------------------------------------------------


def test_converter_reference_values():
    assert convert_hashrate(890, "EH/s", "TH/s") == pytest.approx(8.9e8)
    assert convert_hashrate(1, "ZH/s", "EH/s") == pytest.approx(1000.0)
    assert convert_power(20, "GW", "MW") == pytest.approx(20_000.0)
    assert convert_energy(120, "TWh", "GWh") == pytest.approx(120_000.0)
    assert convert_price(50, "$/MWh", "c/kWh") == pytest.approx(5.0)
    assert convert_price(5, "¢/kWh", "USD/MWh") == pytest.approx(50.0)
    assert convert_efficiency(20, "J/TH", "TH/J") == pytest.approx(0.05)
    assert convert_efficiency(0.05, "TH/J", "GH/J") == pytest.approx(50.0)
    assert convert_efficiency(0.0175, "J/GH", "W/TH") == pytest.approx(17.5)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (4, 1, 2)])
def test_converters_keep_shape_and_return_floats(kind, shape):
    a_unit, b_unit = ALL_UNITS[kind][0], ALL_UNITS[kind][-1]
    x = np.arange(1, 1 + int(np.prod(shape)), dtype=np.int64).reshape(shape)
    y = CONVERTERS[kind](x, a_unit, b_unit)
    assert np.shape(y) == shape
    assert np.asarray(y).dtype == np.float64
    back = CONVERTERS[kind](y, b_unit, a_unit)
    np.testing.assert_allclose(back, x, rtol=1e-12)


def test_converters_elementwise_and_broadcast():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    np.testing.assert_allclose(convert_hashrate(x, "PH/s", "TH/s"), x * 1e3)
    np.testing.assert_allclose(convert_hashrate([1, 2.5], "EH/s", "H/s"), [1e18, 2.5e18])
    np.testing.assert_allclose(convert_efficiency(x, "J/TH", "TH/J"), 1 / x)
    # results broadcast like any array: a column of hashrates [EH/s] against a row of efficiencies [J/TH] -> W
    hashrate_ths = convert_hashrate(np.array([[500.0], [900.0]]), "EH/s", "TH/s")
    efficiency_j_per_th = convert_efficiency(np.array([0.015, 0.020, 0.025]), "J/GH", "J/TH")
    power_gw = convert_power(hashrate_ths * efficiency_j_per_th, "W", "GW")
    assert power_gw.shape == (2, 3)
    np.testing.assert_allclose(power_gw, [[7.5, 10.0, 12.5], [13.5, 18.0, 22.5]])


def test_converters_accept_zero_except_across_a_reciprocal():
    np.testing.assert_array_equal(convert_hashrate([0, 1], "EH/s", "TH/s"), [0.0, 1e6])
    np.testing.assert_array_equal(convert_efficiency([0.0, 2.0], "J/TH", "J/GH"), [0.0, 0.002])
    with pytest.raises(ValueError, match=r"value must be > 0 to convert between reciprocal units"):
        convert_efficiency([0.0, 2.0], "J/TH", "TH/J")
    with pytest.raises(ValueError, match=r"> 0"):
        convert_efficiency(0, "TH/J", "J/TH")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: convert_hashrate(1, "XH/s", "TH/s"), r"from_unit: unit 'XH/s': prefix 'X' is not accepted"),
        (lambda: convert_hashrate(1, "TH/s", "th/s"), r"to_unit: .*did you mean 'TH/s'"),
        (lambda: convert_hashrate(1, "TH/s", "kW"), r"to_unit: 'kW' is a unit of power, not of hashrate"),
        (lambda: convert_power(1, "kWh", "W"), r"from_unit: 'kWh' is a unit of energy, not of power"),
        (lambda: convert_price(1, "EUR/kWh", "$/kWh"), r"unknown currency 'EUR'"),
        (lambda: convert_energy(1, "kWh", None), r"to_unit must be a string, got None"),
        (lambda: convert_hashrate(-1, "TH/s", "EH/s"), r"value must be >= 0, got -1"),
        (lambda: convert_hashrate([1, -1e-300], "TH/s", "EH/s"), r"value must be >= 0"),
        (lambda: convert_power(np.nan, "W", "kW"), r"value must be finite, got nan"),
        (lambda: convert_power([1.0, np.inf], "W", "kW"), r"value must be finite"),
        (lambda: convert_power("5", "W", "kW"), r"value must be real numbers, got '5'"),
        (lambda: convert_power(["1", "2"], "W", "kW"), r"value must be real numbers"),
        (lambda: convert_power(1 + 2j, "W", "kW"), r"value must be real numbers"),
        (lambda: convert_power(True, "W", "kW"), r"value must be real numbers"),
        (lambda: convert_power(None, "W", "kW"), r"value must be real numbers"),
        (lambda: convert_hashrate(1e300, "ZH/s", "H/s"), r"overflows the floating-point range in 'H/s'"),
        (lambda: convert_efficiency(1e-300, "J/ZH", "TH/J"), r"overflows"),
    ],
)
def test_converter_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- bad text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parser", "text", "match"),
    [
        (parse_hashrate, "", r"hashrate '' is empty"),
        (parse_hashrate, "   \t", r"is empty"),
        (parse_hashrate, "890", r"'890' has no unit and a bare number is ambiguous"),
        (parse_hashrate, "890 EH", r"is a number of hashes, not a rate; did you mean 'EH/s'"),
        (parse_hashrate, "890 XH/s", r"prefix 'X' is not accepted for hashrate"),
        (parse_hashrate, "890 mH", r"unknown hashrate unit 'mH'"),
        (parse_hashrate, "100 mh/s", r"lowercase 'm' is milli .*did you mean 'MH/s'"),
        (parse_hashrate, "100 mH/s", r"lowercase 'm' is milli"),
        (parse_hashrate, "1.5 ph/s", r"lowercase 'p' is pico .*did you mean 'PH/s'"),
        (parse_hashrate, "1.5 th/s", r"lowercase 't' is not an SI prefix; did you mean 'TH/s'"),
        (parse_hashrate, "1.5 eh/s", r"did you mean 'EH/s'"),
        (parse_hashrate, "1 zh/s", r"lowercase 'z' is zepto"),
        (parse_hashrate, "5 µH/s", r"prefix 'µ' is not accepted"),
        (parse_hashrate, "5 TH/h", r"unknown hashrate unit 'TH/h'"),
        (parse_hashrate, "5 TH/s/s", r"unknown hashrate unit"),
        (parse_hashrate, "5 TH/s extra", r"unknown hashrate unit"),
        (parse_hashrate, "5 kW", r"'kW' is a unit of power, not of hashrate"),
        (parse_hashrate, "5 J/TH", r"'J/TH' is a unit of efficiency"),
        (parse_hashrate, "-5 TH/s", r"'-5 TH/s' is negative"),
        (parse_hashrate, "-5e-9 TH/s", r"is negative"),
        (parse_hashrate, "0 TH/s", r"'0 TH/s' is zero; hashrate must be > 0"),
        (parse_hashrate, "0.000e7 TH/s", r"is zero"),
        (parse_hashrate, "-0 TH/s", r"is zero"),
        (parse_hashrate, "1e-400 TH/s", r"underflows to zero"),
        (parse_hashrate, "1e999 TH/s", r"'1e999 TH/s' overflows the floating-point range"),
        (parse_hashrate, "1e300 ZH/s", r"overflows"),
        (parse_hashrate, "1e99999999999999999999999 H/s", r"overflows"),
        (parse_hashrate, "1e-99999999999999999999999 H/s", r"underflows"),
        (parse_hashrate, "nan TH/s", r"must be a finite number, not NaN or infinity"),
        (parse_hashrate, "NaN", r"not NaN or infinity"),
        (parse_hashrate, "inf EH/s", r"not NaN or infinity"),
        (parse_hashrate, "-Infinity EH/s", r"not NaN or infinity"),
        (parse_hashrate, "1,000 TH/s", r"'1,000 TH/s' has a malformed number.*thousands separators"),
        (parse_hashrate, "1 000 TH/s", r"thousands separators"),
        (parse_hashrate, "1_000 TH/s", r"thousands separators"),
        (parse_hashrate, "1,5 TH/s", r"thousands separators"),
        (parse_hashrate, "1.2.3 TH/s", r"malformed number"),
        (parse_hashrate, "TH/s", r"does not start with a number"),
        (parse_hashrate, "EH/s 890", r"does not start with a number"),
        (parse_hashrate, ". TH/s", r"does not start with a number"),
        (parse_hashrate, "0x10 TH/s", r"unknown hashrate unit 'x10 TH/s'"),
        (parse_hashrate, "\u0663 TH/s", r"does not start with a number"),  # Arabic-Indic digit three
        (parse_hashrate, "５ TH/s", r"does not start with a number"),  # fullwidth five
        (parse_hashrate, "\x00", r"does not start with a number"),
        (parse_power, "1,000 W", r"thousands separators"),
        (parse_power, "3.5 mW", r"lowercase 'm' is milli .*did you mean 'MW'"),
        (parse_power, "2 TW", r"prefix 'T' is not accepted for power; expected one of W, kW, MW, GW"),
        (parse_power, "5 Wh", r"'Wh' is a unit of energy, not of power"),
        (parse_power, "5 VA", r"unknown power unit 'VA'"),
        (parse_power, "-1 kW", r"is negative"),
        (parse_power, "3.5", r"bare number is ambiguous"),
        (parse_energy, "2 mWh", r"did you mean 'MWh'"),
        (parse_energy, "2 mJ", r"did you mean 'MJ'"),
        (parse_energy, "5 W", r"'W' is a unit of power, not of energy"),
        (parse_energy, "5 PWh", r"prefix 'P' is not accepted for energy"),
        (parse_energy, "5 cal", r"unknown energy unit 'cal'"),
        (parse_price, "5 C/kWh", r"unknown currency 'C'"),
        (parse_price, "5 EUR/kWh", r"unknown currency 'EUR'"),
        (parse_price, "5 /kWh", r"unknown currency ''"),
        (parse_price, "5 $/mwh", r"did you mean 'MWh'"),
        (parse_price, "5 $/kW", r"unknown energy unit 'kW'"),
        (parse_price, "5 $", r"unknown price unit '\$'"),
        (parse_price, "$5", r"after a leading '\$' expected a per-energy unit"),
        (parse_price, "$5 $/kWh", r"after a leading '\$'"),
        (parse_price, "$", r"does not start with a number"),
        (parse_price, "-$0.05/kWh", r"is negative"),
        (parse_price, "-0.05 $/kWh", r"is negative"),
        (parse_price, "5 J/TH", r"'J/TH' is a unit of efficiency, not of price"),
        (parse_efficiency, "0 J/TH", r"is zero; efficiency must be > 0"),
        (parse_efficiency, "0 TH/J", r"is zero"),
        (parse_efficiency, "1e400 TH/J", r"underflows to zero"),
        (parse_efficiency, "1e-400 TH/J", r"overflows"),
        (parse_efficiency, "17.5 j/th", r"did you mean 'J/TH'"),
        (parse_efficiency, "17.5 W/(th/s)", r"did you mean 'W/\(TH/s\)'"),
        (parse_efficiency, "0.05 th/J", r"did you mean 'TH/J'"),
        (parse_efficiency, "17.5 J/TH/s", r"unknown efficiency unit 'J/TH/s'"),
        (parse_efficiency, "0.05 TH/W", r"unknown efficiency unit 'TH/W'"),
        (parse_efficiency, "17.5 kJ/TH", r"unknown efficiency unit"),
        (parse_efficiency, "17.5 kW", r"'kW' is a unit of power, not of efficiency"),
        (parse_efficiency, "-17.5 J/TH", r"is negative"),
    ],
)
def test_bad_text(parser, text, match):
    with pytest.raises(ValueError, match=match) as info:
        parser(text)
    if text.strip():
        assert repr(text) in str(info.value)  # the message quotes the input


def test_bad_default_unit():
    with pytest.raises(ValueError, match=r"default_unit: unit 'XH/s'"):
        parse_hashrate("890", default_unit="XH/s")
    with pytest.raises(ValueError, match=r"default_unit: 'kW' is a unit of power"):
        parse_hashrate("890 EH/s", default_unit="kW")
    with pytest.raises(ValueError, match=r"default_unit must be a string, got 5"):
        parse_hashrate("890", default_unit=5)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", [None, 5, 5.0, b"5 TH/s", ["5 TH/s"], np.float64(5.0), object()])
def test_non_strings_are_rejected(kind, value):
    with pytest.raises(ValueError, match=rf"{kind} must be given as a string .* got {type(value).__name__}"):
        PARSERS[kind](value)


def test_huge_text_is_rejected_with_a_short_message():
    text = "1" * 100_000 + " TH/s"
    with pytest.raises(ValueError, match=r"overflows") as info:
        parse_hashrate(text)
    assert "(100005 characters)" in str(info.value)
    assert len(str(info.value)) < 300
    for text in ["1 " + "x" * 100_000, "1 " + "/" * 100_000, "1 " + "a/" * 100_000, "5 " + "€" * 100_000 + "/kWh"]:
        with pytest.raises(ValueError, match=r"unknown|currency") as info:
            (parse_price if "kWh" in text else parse_hashrate)(text)
        assert len(str(info.value)) < 600  # the unit is shortened too


def test_very_long_but_valid_number():
    assert parse_hashrate("0." + "0" * 5000 + "1e5010 H/s") == pytest.approx(1e9)
    assert parse_hashrate("1e" + "0" * 100_000 + "5 TH/s") == pytest.approx(1e17)  # longer than int()'s digit limit
    assert parse_hashrate("1e-" + "0" * 100_000 + "5 TH/s") == pytest.approx(1e7)


# --- properties -------------------------------------------------------------------------------------------------

unit_pairs = st.sampled_from(KINDS).flatmap(
    lambda kind: st.tuples(st.just(kind), st.sampled_from(ALL_UNITS[kind]), st.sampled_from(ALL_UNITS[kind]))
)


@given(x=finite_positive, pair=unit_pairs)
def test_convert_round_trips(x, pair):
    kind, a, b = pair
    convert = CONVERTERS[kind]
    assert convert(convert(x, a, b), b, a) == pytest.approx(x, rel=1e-12)


@given(x=finite_positive, pair=unit_pairs)
def test_convert_goes_through_the_base_unit(x, pair):
    kind, a, b = pair
    convert = CONVERTERS[kind]
    base = UNITS[kind][0]
    assert convert(x, a, b) == pytest.approx(convert(convert(x, a, base), base, b), rel=1e-12)


@given(xs=st.lists(finite_positive, min_size=1, max_size=20), pair=unit_pairs)
def test_convert_is_elementwise(xs, pair):
    kind, a, b = pair
    convert = CONVERTERS[kind]
    np.testing.assert_allclose(convert(xs, a, b), [convert(x, a, b) for x in xs], rtol=1e-15)


@given(x=finite_positive, kind_unit=st.sampled_from([(k, u) for k in KINDS for u in FACTORS[k]]))
def test_parse_matches_oracle(x, kind_unit):
    kind, unit = kind_unit
    expected = x * FACTORS[kind][unit]
    assert PARSERS[kind](f"{x} {unit}") == pytest.approx(expected, rel=1e-14)
    assert PARSERS[kind](f"{x}{unit}") == PARSERS[kind](f"{x} {unit}")
    assert PARSERS[kind](str(x), default_unit=unit) == PARSERS[kind](f"{x} {unit}")


@given(x=finite_positive, unit=st.sampled_from(sorted(RECIPROCAL_EFFICIENCY)))
def test_parse_reciprocal_efficiency_matches_oracle(x, unit):
    assert parse_efficiency(f"{x} {unit}") == pytest.approx(1 / (x * RECIPROCAL_EFFICIENCY[unit]), rel=1e-14)


@given(x=finite_positive, kind_unit=st.sampled_from([(k, u) for k in KINDS for u in ALL_UNITS[k]]))
def test_parse_agrees_with_convert(x, kind_unit):
    kind, unit = kind_unit
    assert PARSERS[kind](f"{x} {unit}") == pytest.approx(CONVERTERS[kind](x, unit, UNITS[kind][0]), rel=1e-14)


@given(x=st.floats(min_value=1e-6, max_value=1e6), prefix=st.sampled_from(["", "k", "M", "G", "T", "P", "E", "Z"]))
def test_hashrate_case_of_h_and_s_does_not_matter(x, prefix):
    values = {parse_hashrate(f"{x} {prefix}{h}/{s}") for h, s in itertools.product("Hh", "sS")}
    assert len(values) == 1


def _check_only_value_error(text: str, **kwargs) -> None:
    for kind, parser in PARSERS.items():
        try:
            v = parser(text, **kwargs)
        except ValueError as e:
            assert str(e)
        else:
            assert isinstance(v, float)
            assert math.isfinite(v)
            assert v > 0 if kind in ("hashrate", "efficiency") else v >= 0


@given(text=st.text())
def test_arbitrary_text_raises_only_value_error(text):
    _check_only_value_error(text)


@given(text=st.text())
def test_arbitrary_text_with_default_unit_raises_only_value_error(text):
    for kind, parser in PARSERS.items():
        try:
            parser(text, default_unit=UNITS[kind][1])
        except ValueError:
            pass


_near_miss_alphabet = "0123456789.,_+-eE /()$¢cCuUsSdDkKmMgGtTpPzZhHwWjJnaifx\u00a0\t"


@given(text=st.text(alphabet=_near_miss_alphabet, max_size=20))
def test_near_miss_text_raises_only_value_error(text):
    _check_only_value_error(text)


_UNIT_SHAPED = re.compile(
    r"[+-]?[0-9]{0,4}\.?[0-9]{0,3}([eE][+-]?[0-9]{1,4})? ?"  # a number, maybe
    r"[$¢cuUkKmMGTPEZ]?[sSdD]?/?[kKMGTPEZ]?[HhWwJj]?/?[sSJjh]?"  # something like a unit
)


@given(text=st.from_regex(_UNIT_SHAPED, fullmatch=True))
def test_unit_shaped_text_raises_only_value_error(text):
    _check_only_value_error(text)
