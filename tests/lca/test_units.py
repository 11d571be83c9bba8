"""Unit parsing, dimension checks and conversion factors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lca.engine.units import UnitError, conversion_factor, convert, dimensionality, parse_unit, same_dimension


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("g", "kg", 0.001),
        ("t", "kg", 1000.0),
        ("tonnes", "kg", 1000.0),
        ("kWh", "MJ", 3.6),
        ("MWh", "kWh", 1000.0),
        ("t.km", "kg*km", 1000.0),
        ("tkm", "t.km", 1.0),
        ("L", "m3", 0.001),
        ("piece", "pcs", 1.0),
        ("units", "piece", 1.0),
        # 1 MMBtu = 1e6 Btu (ISO, 1055.056 J) = 1.055056 GJ = 293.0711 kWh.
        ("MMBtu", "GJ", 1.055056),
    ],
)
def test_conversion_factors(source: str, target: str, factor: float) -> None:
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-9)


def test_mass_is_not_energy() -> None:
    with pytest.raises(UnitError) as error:
        conversion_factor("kg", "kWh")
    assert "'kg'" in str(error.value) and "[mass]" in str(error.value)


def test_pieces_never_convert_to_mass() -> None:
    assert not same_dimension("piece", "kg")
    assert dimensionality("piece") == "[item]"


@pytest.mark.parametrize("text", ["", "   ", "furlongs-per-parsec", "2 kg", "kg)"])
def test_unreadable_units(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)


@given(
    st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.sampled_from([("g", "kg"), ("kWh", "MJ"), ("t.km", "kg*km"), ("L", "m3"), ("MMBtu", "kWh"), ("t", "g")]),
)
def test_conversion_round_trips(amount: float, units: tuple[str, str]) -> None:
    there = convert(amount, *units)
    assert convert(there, units[1], units[0]) == pytest.approx(amount, rel=1e-12)
