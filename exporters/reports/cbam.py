"""The CBAM communication of one installation and reporting period, and the importer's embedded emissions.

Operators of installations outside the EU hand their customers, the EU importers (reporting declarants),
the data of Implementing Regulation (EU) 2023/1773, Annex IV: the installation and operator, the reporting
period and, for each good, its CN code, production route, qualifying parameters, specific direct and indirect
embedded emissions with the method used, precursors, and any carbon price due. ``communication`` builds that
content from a ``cbam-installation`` passport version, and recomputes each good's specific embedded
emissions from the installation's own figures (Regulation (EU) 2023/956, Annex IV; Implementing Regulation
(EU) 2023/1773, Annex III):

    SEE_direct   = (AttrEm_direct + sum(M_i x SEE_direct,i)) / AL
    SEE_indirect = (E_el x EF_el + sum(M_i x SEE_indirect,i)) / AL

``importer_summary`` multiplies the specific figures by the quantities an importer brought in. Arithmetic is
decimal on the figures as written, so every number can be checked by hand. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

FORMAT = "urn:dpp-platform:cbam-communication"
FORMAT_VERSION = "1.0"
LEGAL_BASIS = "Implementing Regulation (EU) 2023/1773, Annex IV"  # the transitional period (cbam-installation 1.0)
# From 2026 (cbam-installation 1.1 onwards): the methods of the definitive period replace the transitional ones.
DEFINITIVE_LEGAL_BASIS = "Regulation (EU) 2023/956, Art. 7 and Annex IV; Implementing Regulation (EU) 2025/2547"
PLACES = Decimal("0.000001")  # results to the gram (t CO2e) or the millionth of a currency unit

# Regulation (EU) 2023/956, Art. 7(1) and Annex II: for these goods only direct emissions count towards the
# CBAM certificates of the definitive period; for cement, fertilisers and electricity indirect ones count too.
DIRECT_ONLY_CATEGORIES = frozenset(
    {
        "hydrogen",
        "sintered_ore",
        "pig_iron",
        "ferro_alloys",
        "direct_reduced_iron",
        "crude_steel",
        "iron_or_steel_products",
        "unwrought_aluminium",
        "aluminium_products",
    }
)

_PASSED_THROUGH = (
    "functional_unit",  # cbam-installation 1.1 onwards (Implementing Regulation (EU) 2025/2547, Art. 4)
    "direct_emissions_method",
    "indirect_emissions_method",
    "attributed_direct_emissions",
    "electricity",
    "precursors",
    "qualifying_parameters",
    "carbon_price_due",
)


class SummaryError(ValueError):
    """The quantities do not fit the communication; ``problems`` name each one as (JSON Pointer, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{pointer}: {message}" for pointer, message in problems))
        self.problems = problems


def decimal(value: Any) -> Decimal:
    """The figure as written: ``2.0885`` becomes Decimal('2.0885'), never the float's binary expansion."""
    return Decimal(str(value))


def as_number(value: Decimal) -> float | int:
    """A JSON number for a decimal result, rounded to ``PLACES``; whole numbers stay integers."""
    rounded = value.quantize(PLACES, rounding=ROUND_HALF_EVEN)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def normalise_cn(code: str) -> str:
    """CN codes are written with or without spaces ("7207 12 10"); compare digits only."""
    return "".join(ch for ch in code if ch.isdigit())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def calculated_see(good: Mapping[str, Any]) -> dict[str, float | int] | None:
    """Recompute a good's specific embedded emissions from the installation's data, or None if data lacks.

    Direct needs the attributed direct emissions, indirect the electricity consumed and its emission
    factor; both add the precursors' embedded emissions and divide by the production level (AL).
    """
    level = good.get("production_level", {}).get("value")
    attributed = good.get("attributed_direct_emissions")
    electricity = good.get("electricity") or {}
    consumption, factor = electricity.get("consumption"), electricity.get("emission_factor")
    precursors = good.get("precursors") or []
    if not (_number(level) and level > 0 and _number(attributed) and _number(consumption) and _number(factor)):
        return None
    if not all(
        _number(item.get("quantity_consumed"))
        and _number(item.get("specific_direct_embedded_emissions"))
        and _number(item.get("specific_indirect_embedded_emissions"))
        for item in precursors
    ):
        return None
    direct_in = sum(
        (decimal(p["quantity_consumed"]) * decimal(p["specific_direct_embedded_emissions"]) for p in precursors),
        Decimal(0),
    )
    indirect_in = sum(
        (decimal(p["quantity_consumed"]) * decimal(p["specific_indirect_embedded_emissions"]) for p in precursors),
        Decimal(0),
    )
    direct = (decimal(attributed) + direct_in) / decimal(level)
    indirect = (decimal(consumption) * decimal(factor) + indirect_in) / decimal(level)
    return {"direct": as_number(direct), "indirect": as_number(indirect), "total": as_number(direct + indirect)}


def _period_emissions(good: Mapping[str, Any]) -> dict[str, float | int]:
    level = decimal(good["production_level"]["value"])
    see = good["specific_embedded_emissions"]
    return {part: as_number(decimal(see[part]) * level) for part in ("direct", "indirect", "total")}


def _good(good: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cn_code": normalise_cn(str(good["cn_code"])),
        "aggregated_goods_category": good["aggregated_goods_category"],
        "production_route": good["production_route"],
        "production_level": dict(good["production_level"]),
        "specific_embedded_emissions": dict(good["specific_embedded_emissions"]),
        "embedded_emissions_of_period": _period_emissions(good),
    }
    if good.get("goods_description"):
        entry["goods_description"] = good["goods_description"]
    calculated = calculated_see(good)
    if calculated is not None:
        entry["calculated_specific_embedded_emissions"] = calculated
    for key in _PASSED_THROUGH:
        if key in good:
            entry[key] = good[key]
    return entry


def legal_basis_for(schema_version: str) -> str:
    """The rules a communication of data under ``cbam-installation`` ``schema_version`` was made by.

    1.0 keeps the transitional basis its communications have always named, so they stay reproducible.
    """
    return LEGAL_BASIS if schema_version == "1.0" else DEFINITIVE_LEGAL_BASIS


def communication(
    data: Mapping[str, Any], *, source: Mapping[str, Any], legal_basis: str = LEGAL_BASIS
) -> dict[str, Any]:
    """Return the Annex IV communication of a ``cbam-installation`` passport's data (cut to a tier already).

    ``source`` names the passport version it comes from (identifier, version, content hash, status,
    publication time), so an importer can trace each figure to signed data; ``legal_basis`` the rules the
    data follows (`legal_basis_for` its schema version).
    """
    missing = [key for key in ("installation", "operator", "reporting_period", "goods") if key not in data]
    if missing:
        raise ValueError(f"the communication needs {', '.join(missing)}; read the data at the legitimate-interest tier")
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "legal_basis": legal_basis,
        "source": dict(source),
        "installation": data["installation"],
        "operator": data["operator"],
        "reporting_period": data["reporting_period"],
        "goods": [_good(good) for good in data["goods"]],
    }
    for key in ("electricity", "verification"):
        if key in data:
            document[key] = data[key]
    return document


def _match_good(goods: Sequence[Mapping[str, Any]], line: Mapping[str, Any], pointer: str) -> tuple[int | None, str]:
    cn = normalise_cn(str(line.get("cn_code", "")))
    candidates = [index for index, good in enumerate(goods) if good["cn_code"] == cn]
    route = line.get("production_route")
    if route:
        candidates = [index for index in candidates if goods[index]["production_route"] == route]
    if not candidates:
        return None, f"no good with CN code {cn or '(none)'} in this communication"
    if len(candidates) > 1:
        return None, f"several goods have CN code {cn}; name the production_route"
    return candidates[0], ""


def importer_summary(document: Mapping[str, Any], quantities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Embedded emissions of the quantities an importer brought in, good by good, with totals.

    Each line: quantity x specific embedded emissions (direct, indirect, total), the emissions that count
    for CBAM certificates (direct only for iron, steel, aluminium and hydrogen; Regulation (EU) 2023/956,
    Art. 7(1) and Annex II) and quantity x each carbon price due (Art. 9). Quantities are in the good's
    production unit (t, or MWh for electricity). Raises SummaryError naming every bad line.
    """
    goods = document["goods"]
    problems: list[tuple[str, str]] = []
    lines: list[dict[str, Any]] = []
    totals = {"direct": Decimal(0), "indirect": Decimal(0), "total": Decimal(0), "counted_for_certificates": Decimal(0)}
    with_defaults = Decimal(0)
    saved = Decimal(0)
    if not quantities:
        problems.append(("/quantities", "give at least one quantity"))
    for number, line in enumerate(quantities):
        pointer = f"/quantities/{number}"
        quantity = line.get("quantity")
        if not isinstance(quantity, int | float) or isinstance(quantity, bool) or quantity <= 0:
            problems.append((f"{pointer}/quantity", "a quantity above zero is needed"))
            continue
        index, problem = _match_good(goods, line, pointer)
        if index is None:
            problems.append((f"{pointer}/cn_code", problem))
            continue
        good = goods[index]
        amount = decimal(quantity)
        see = good["specific_embedded_emissions"]
        embedded = {part: decimal(see[part]) * amount for part in ("direct", "indirect", "total")}
        direct_only = good["aggregated_goods_category"] in DIRECT_ONLY_CATEGORIES
        counted = embedded["direct"] if direct_only else embedded["total"]
        for part in ("direct", "indirect", "total"):
            totals[part] += embedded[part]
        totals["counted_for_certificates"] += counted
        entry: dict[str, Any] = {}
        compared = good.get("default_value_comparison")
        if compared:
            # The same quantity declared with the default value instead (Implementing Regulation (EU) 2025/2621).
            default_counted = decimal(compared["default_counted"]) * amount
            with_defaults += default_counted
            saved += default_counted - counted
            entry["default_value_comparison"] = {
                "default_counted_per_unit": compared["default_counted"],
                "counted_with_default": as_number(default_counted),
                "certificates_saved_by_actual_data": as_number(default_counted - counted),
            }
        lines.append(
            entry
            | {
                "good": index + 1,
                "cn_code": good["cn_code"],
                "goods_description": good.get("goods_description", ""),
                "production_route": good["production_route"],
                "quantity": quantity,
                "unit": good["production_level"]["unit"],
                "specific_embedded_emissions": dict(see),
                "embedded_emissions": {part: as_number(value) for part, value in embedded.items()} | {"unit": "t CO2e"},
                "counted_for_certificates": as_number(counted),
                "counted_emissions": "direct" if direct_only else "direct_and_indirect",
                "carbon_price_due": [
                    {
                        "instrument_name": price["instrument_name"],
                        "country": price["country"],
                        "currency": price["currency"],
                        "amount_per_unit": price["amount"],
                        "amount": as_number(decimal(price["amount"]) * amount),
                    }
                    for price in good.get("carbon_price_due", [])
                ],
            }
        )
    if problems:
        raise SummaryError(problems)
    summary: dict[str, Any] = {
        "installation": document["installation"]["installation_identifier"],
        "reporting_period": document["reporting_period"],
        "source": document["source"],
        "lines": lines,
        "totals": {part: as_number(value) for part, value in totals.items()} | {"unit": "t CO2e"},
    }
    if "default_values" in document:
        basis = document["default_values"]
        summary["default_values"] = {
            key: basis[key] for key in ("legal_basis", "source", "table_sha256", "import_year", "country_of_production")
        } | {
            "counted_with_defaults": as_number(with_defaults),
            "certificates_saved_by_actual_data": as_number(saved),
            "lines_without_default": [line["good"] for line in lines if "default_value_comparison" not in line],
            "note": "Saving before the free allocation adjustment (Regulation (EU) 2023/956, Art. 31).",
        }
    return summary
