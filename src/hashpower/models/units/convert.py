"""Vectorised conversions between units of one kind, and hashrates to TH/s and EH/s."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hashpower.models.units._grammar import _convert, _show
from hashpower.models.units.parse import parse_hashrate


def convert_hashrate(value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Convert hashrates between units, e.g. ``convert_hashrate(890, "EH/s", "TH/s")``.

    Parameters
    ----------
    value : array_like
        Hashrate [from_unit], finite and >= 0.
    from_unit, to_unit : str
        Hashrate units as :func:`parse_hashrate` accepts them (``"TH/s"``, ``"EH/s"``, ...).

    Returns
    -------
    numpy.ndarray
        Hashrate [to_unit], the shape of ``value``.
    """
    return _convert("hashrate", value, from_unit, to_unit)


def convert_power(value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Convert powers between W, kW, MW and GW.

    Parameters
    ----------
    value : array_like
        Power [from_unit], finite and >= 0.
    from_unit, to_unit : str
        Power units as :func:`parse_power` accepts them.

    Returns
    -------
    numpy.ndarray
        Power [to_unit].
    """
    return _convert("power", value, from_unit, to_unit)


def convert_energy(value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Convert energies between Wh, kWh, MWh, GWh, TWh and J, kJ, MJ, GJ (1 Wh = 3600 J).

    Parameters
    ----------
    value : array_like
        Energy [from_unit], finite and >= 0.
    from_unit, to_unit : str
        Energy units as :func:`parse_energy` accepts them.

    Returns
    -------
    numpy.ndarray
        Energy [to_unit].
    """
    return _convert("energy", value, from_unit, to_unit)


def convert_price(value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Convert electricity prices, e.g. ``convert_price(50, "$/MWh", "c/kWh")`` gives 5.

    Parameters
    ----------
    value : array_like
        Price [from_unit], finite and >= 0.
    from_unit, to_unit : str
        Price units as :func:`parse_price` accepts them.

    Returns
    -------
    numpy.ndarray
        Price [to_unit].
    """
    return _convert("price", value, from_unit, to_unit)


def convert_efficiency(value: ArrayLike, from_unit: str, to_unit: str) -> np.ndarray:
    """Convert miner efficiencies, e.g. J/GH to J/TH, or J/TH to its reciprocal TH/J.

    Parameters
    ----------
    value : array_like
        Efficiency [from_unit], finite and >= 0; > 0 when exactly one of the
        units is a reciprocal (xH/J), since 1/0 is not a finite efficiency.
    from_unit, to_unit : str
        Efficiency units as :func:`parse_efficiency` accepts them.

    Returns
    -------
    numpy.ndarray
        Efficiency [to_unit].
    """
    return _convert("efficiency", value, from_unit, to_unit)


def _to(target: str, quantity: str | ArrayLike, unit: str | None) -> float | np.ndarray:
    if isinstance(quantity, str):
        return float(_convert("hashrate", parse_hashrate(quantity, default_unit=unit), "H/s", target))
    if unit is None:
        raise ValueError(f"unit is required for a numeric hashrate, got {_show(quantity)} without one")
    return convert_hashrate(quantity, unit, target)


def to_ths(quantity: str | ArrayLike, unit: str | None = None) -> float | np.ndarray:
    """A hashrate in TH/s, from text (``"890 EH/s"``) or from numbers and their unit.

    Parameters
    ----------
    quantity : str or array_like
        Text for :func:`parse_hashrate`, or hashrates [unit].
    unit : str, optional
        For text, the unit of a bare number; for numbers, their unit (required).

    Returns
    -------
    float or numpy.ndarray
        Hashrate [TH/s]: a float for text, an array for numbers.

    Examples
    --------
    >>> to_ths("890 EH/s")
    890000000.0
    """
    return _to("TH/s", quantity, unit)


def to_ehs(quantity: str | ArrayLike, unit: str | None = None) -> float | np.ndarray:
    """A hashrate in EH/s, from text (``"890000000 TH/s"``) or from numbers and their unit.

    Parameters
    ----------
    quantity : str or array_like
        Text for :func:`parse_hashrate`, or hashrates [unit].
    unit : str, optional
        For text, the unit of a bare number; for numbers, their unit (required).

    Returns
    -------
    float or numpy.ndarray
        Hashrate [EH/s]: a float for text, an array for numbers.

    Examples
    --------
    >>> to_ehs([500e6, 890e6], "TH/s")
    array([500., 890.])
    """
    return _to("EH/s", quantity, unit)

