"""What a new passport's first draft starts with: the facts the product record already holds.

The GTIN, the CN code and the product's name are typed once, on the product; a new model passport gets
them in whichever fields of its schema carry those names, so nobody types them twice and they cannot
disagree. The same goes for who makes it and where (issue 17, item 3): the manufacturer comes from the
organization's profile, the manufacturing place from the product's facility, and the passport's unique
identifier is the Digital Link the platform computes. Batch and item passports start empty: they inherit
everything from the model passport. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

# How deep to look for a member: the identification groups sit at the first or second level of every schema.
_MAX_DEPTH = 2


def product_prefill(schema: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """A draft holding ``facts`` (``{member name: value}``) wherever the schema has members so named: a
    text for a string member, a mapping for an object member (its own members filled the same way).

    Only objects are followed (never arrays), each fact goes to every place that names it, and empty facts
    are skipped, so what comes out is only what the product record really says.
    """
    wanted = {name: value for name, value in facts.items() if value}
    draft = _fill(schema, wanted, depth=0)
    return draft if isinstance(draft, dict) else {}


class Party(Protocol):
    """What an organization's profile says about it (``passports.models.Organization``)."""

    name: str
    country: str
    address: str
    website: str
    gln: str
    lei: str
    kr_brn: str
    eori: str


class Place(Protocol):
    """What a facility record says about where it is (``passports.models.Facility``)."""

    country: str
    address: str


def maker_facts(*, organization: Party, facility: Place | None, identifier: str) -> dict[str, Any]:
    """The facts of who makes the product and where, under the member names the schemas use.

    The operator identifier is the first the profile holds of GLN, LEI, Korean business registration number
    and EORI (the schemas accept any unique operator identifier). An address is one text on our records, so
    it fills the street address and the country; postal code and locality are left for the person to add.
    """
    operator_id = organization.gln or organization.lei or organization.kr_brn or organization.eori
    maker = {
        "identifier": operator_id,
        "name": organization.name,
        "postal_address": {"street_address": organization.address, "address_country": organization.country},
        "web_address": organization.website,
    }
    facts: dict[str, Any] = {
        "manufacturer": maker,
        "manufacturer_information": maker,
        # The battery passport identifier is written on every save (passports.services.identity).
        "unique_product_identifier": identifier,
    }
    if facility is not None:
        facts["manufacturing_place"] = {"street_address": facility.address, "address_country": facility.country}
    return facts


def _fill(node: Mapping[str, Any], facts: Mapping[str, str], *, depth: int) -> dict[str, Any] | None:
    properties = node.get("properties")
    if not isinstance(properties, Mapping) or depth > _MAX_DEPTH:
        return None
    filled: dict[str, Any] = {}
    for name, child in properties.items():
        if not isinstance(child, Mapping):
            continue
        fact = facts.get(name)
        if isinstance(fact, str) and child.get("type") == "string":
            filled[name] = fact
        elif isinstance(fact, Mapping) and child.get("type") == "object":
            inner = _fill(child, {k: v for k, v in fact.items() if v}, depth=0)
            if inner:
                filled[name] = inner
        elif child.get("type") == "object":
            inner = _fill(child, facts, depth=depth + 1)
            if inner:
                filled[name] = inner
    return filled or None
