"""Units of measure for the footprint engine: parsing, dimension checks and conversion factors.

Activity data arrive as free text ("2,000 g", "t.km", "MMBtu", "piece"). Everything is parsed once, at the
boundary, with pint; the engine then works with plain float conversion factors so that the hot loops never
touch pint objects. Conversion factors are cached per (from, to) pair because a catalogue of products reuses
a handful of unit strings millions of times.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import pint

__all__ = [
    "UnitError",
    "conversion_factor",
    "convert",
    "dimensionality",
    "normalise_unit",
    "parse_unit",
    "same_dimension",
]

_REGISTRY: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
# Counted items (cells, modules, finished products) get their own dimension so that "piece" can never be
# converted to a mass or an energy by accident.
# "pc" (parsec in pint) is read as a piece through the aliases below rather than by redefining the symbol.
_REGISTRY.define("piece = [item] = pcs = item")
# The US EPA (40 CFR 98) and the IEA quote fuels per million British thermal units.
_REGISTRY.define("MMBtu = 1e6 * Btu = mmBtu = MMBTU")

# Spellings found in emission-factor tables that pint does not read as intended.
_ALIASES: dict[str, str] = {
    "t.km": "tonne * kilometer",
    "tkm": "tonne * kilometer",
    "tonne.km": "tonne * kilometer",
    "tonne-km": "tonne * kilometer",
    "t-km": "tonne * kilometer",
    "tonnes": "tonne",
    "t": "tonne",
    "l": "liter",
    "L": "liter",
    "m3": "meter ** 3",
    "Nm3": "meter ** 3",
    "kwh": "kilowatt_hour",
    "KWh": "kilowatt_hour",
    "MWh": "megawatt_hour",
    "GWh": "gigawatt_hour",
    "pieces": "piece",
    "pc": "piece",
    "unit": "piece",
    "units": "piece",
}
_PRODUCT_OF_UNITS = re.compile(r"^([A-Za-z]+)\.([A-Za-z]+)$")


class UnitError(ValueError):
    """A unit string that cannot be read, or two units of different dimensions."""


def normalise_unit(text: str) -> str:
    """Return the pint expression for a unit as written in activity data or factor tables."""
    cleaned = text.strip()
    if cleaned in _ALIASES:
        return _ALIASES[cleaned]
    # "kg.km" and similar products written with a dot.
    match = _PRODUCT_OF_UNITS.match(cleaned)
    if match:
        return f"{_ALIASES.get(match.group(1), match.group(1))} * {_ALIASES.get(match.group(2), match.group(2))}"
    return cleaned


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> Any:
    """Parse a unit string into a pint unit; raise UnitError with the text when it is not a unit."""
    if not isinstance(text, str):
        raise UnitError(f"unit must be text, got {text!r}")
    if not text.strip():
        raise UnitError("unit is empty")
    try:
        quantity = _REGISTRY.parse_expression(normalise_unit(text))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError) as exc:
        raise UnitError(f"unit {text!r} is not a known unit") from exc
    except Exception as exc:  # pint's tokenizer raises plain exceptions on malformed input
        raise UnitError(f"unit {text!r} cannot be read") from exc
    if not isinstance(quantity, pint.Quantity) or quantity.magnitude != 1:
        raise UnitError(f"unit {text!r} carries a number; give the number as the amount")
    return quantity.units  # a pint Unit; typed Any because pint's registries return differing Unit classes


def dimensionality(text: str) -> str:
    """Human-readable dimension of a unit, e.g. '[mass]' or '[length] * [mass]'."""
    return str(parse_unit(text).dimensionality)


def same_dimension(first: str, second: str) -> bool:
    """True when amounts in the two units can be converted into each other."""
    return parse_unit(first).dimensionality == parse_unit(second).dimensionality


@lru_cache(maxsize=16384)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiply an amount in ``from_unit`` by this factor to express it in ``to_unit``.

    Raises UnitError naming both units and their dimensions when they cannot be converted
    (kg where kWh is expected).
    """
    if from_unit == to_unit:
        parse_unit(from_unit)
        return 1.0
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimensionality != target.dimensionality:
        raise UnitError(
            f"{from_unit!r} ({source.dimensionality}) cannot be converted to {to_unit!r} ({target.dimensionality})"
        )
    factor = float(_REGISTRY.Quantity(1.0, source).to(target).magnitude)
    if not math.isfinite(factor) or factor <= 0:
        raise UnitError(f"{from_unit!r} to {to_unit!r} has no positive conversion factor")
    return factor


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """Express ``amount`` given in ``from_unit`` in ``to_unit``."""
    return amount * conversion_factor(from_unit, to_unit)
