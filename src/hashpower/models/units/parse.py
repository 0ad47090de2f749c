"""Text to base units: ``parse_hashrate``, ``parse_power``, ``parse_energy``, ``parse_price``, ``parse_efficiency``."""

from __future__ import annotations

from hashpower.models.units._grammar import _parse


def parse_hashrate(text: str, *, default_unit: str | None = None) -> float:
    """Parse a hashrate such as ``"890 EH/s"`` or ``"1.2e3 Th/s"`` into H/s.

    Parameters
    ----------
    text : str
        A number [-] and a hashrate unit (H/s with an SI prefix k, M, G, T, P, E or Z [1]_).
    default_unit : str, optional
        Unit applied to a bare number such as ``"890"``; without it a bare number is an error.

    Returns
    -------
    float
        Hashrate [H/s], > 0.

    Raises
    ------
    ValueError
        For anything else, with the text quoted: no number, an unknown unit, a
        lowercase prefix other than ``k`` (``m`` would be milli), a negative,
        zero, NaN, infinite or overflowing value.

    Examples
    --------
    >>> parse_hashrate("890EH/s") == parse_hashrate("890 EH/s") == 8.9e20
    True
    >>> parse_hashrate("200", default_unit="TH/s")
    200000000000000.0

    References
    ----------
    .. [1] BIPM, *The International System of Units (SI)*, 9th edition, 2019, Table 7.
    """
    return _parse(text, "hashrate", default_unit)


def parse_power(text: str, *, default_unit: str | None = None) -> float:
    """Parse a power such as ``"3.5 kW"`` into W.

    Parameters
    ----------
    text : str
        A number [-] and one of the units W, kW, MW, GW (``K`` accepted for kilo,
        ``w`` for ``W``; lowercase ``m`` refused as milli).
    default_unit : str, optional
        Unit applied to a bare number; without it a bare number is an error.

    Returns
    -------
    float
        Power [W], >= 0 (zero is an idle machine).

    Examples
    --------
    >>> parse_power("3.5 kW")
    3500.0
    """
    return _parse(text, "power", default_unit)


def parse_energy(text: str, *, default_unit: str | None = None) -> float:
    """Parse an energy such as ``"12 TWh"`` or ``"3600 J"`` into Wh.

    Parameters
    ----------
    text : str
        A number [-] and one of the units Wh, kWh, MWh, GWh, TWh or J, kJ, MJ, GJ.
    default_unit : str, optional
        Unit applied to a bare number; without it a bare number is an error.

    Returns
    -------
    float
        Energy [Wh], >= 0.

    Notes
    -----
    1 Wh = 3600 J exactly (1 W = 1 J/s). To convert joules and watt-hours use
    :func:`convert_energy`, e.g. ``convert_energy(x, "J", "Wh")``.

    Examples
    --------
    >>> parse_energy("3600 J")
    1.0
    """
    return _parse(text, "energy", default_unit)


def parse_price(text: str, *, default_unit: str | None = None) -> float:
    """Parse an electricity price such as ``"$0.05/kWh"``, ``"50 USD/MWh"`` or ``"5 ¢/kWh"`` into USD/kWh.

    Parameters
    ----------
    text : str
        A number [-] and a currency (``$``, ``USD`` in any case, or US cents as
        ``c`` or ``¢``) per energy unit (any unit :func:`parse_energy` accepts,
        e.g. kWh, MWh). The dollar sign may also come first: ``"$0.05/kWh"``.
    default_unit : str, optional
        Unit applied to a bare number; without it a bare number is an error.

    Returns
    -------
    float
        Price [USD/kWh], >= 0 (zero is free energy). Negative prices, which
        wholesale markets sometimes clear at, are refused: this is the price a
        miner pays.

    Examples
    --------
    >>> parse_price("50 $/MWh") == parse_price("5 c/kWh") == 0.05
    True
    """
    return _parse(text, "price", default_unit)


def parse_efficiency(text: str, *, default_unit: str | None = None) -> float:
    """Parse a miner efficiency such as ``"17.5 J/TH"``, ``"0.0175 J/GH"`` or ``"57 GH/J"`` into J/TH.

    Parameters
    ----------
    text : str
        A number [-] and one of: J/xH or W/xH or W/(xH/s) (energy per hash), or
        xH/J (hashes per joule, the reciprocal some sources quote), where x is a
        hashrate prefix (none, k, M, G, T, P, E, Z).
    default_unit : str, optional
        Unit applied to a bare number; without it a bare number is an error.

    Returns
    -------
    float
        Efficiency [J/TH], > 0.

    Notes
    -----
    1 W/(TH/s) = 1 (J/s)/(TH/s) = 1 J/TH, and 1 J/GH = 1000 J/TH. A value q in
    TH/J is 1/q J/TH, so zero is refused in either form.

    Examples
    --------
    >>> parse_efficiency("0.0175 J/GH")
    17.5
    >>> parse_efficiency("0.05 TH/J")
    20.0
    """
    return _parse(text, "efficiency", default_unit)


