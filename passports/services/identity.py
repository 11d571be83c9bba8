"""The identifiers in a passport's data that belong to the passport itself, written and checked on every save.

The Battery Regulation ((EU) 2023/1542, Art. 77(3) and Annex XIII(1)(a)) asks each battery passport for a unique
battery identifier and a passport identifier, both naming this battery and no other. Batch and item passports
store only what differs from their model passport, so until this check every item silently inherited the model
passport's identifiers, and three batteries claimed the identity of a fourth. The rules here:

- the **passport identifier** is the passport's own GS1 Digital Link URI, the one its QR code, resolver and
  credential carry. The platform writes it on every save; a value naming another GTIN, lot or serial is refused.
  One with the same GS1 key under another host (a brand's own resolver domain, or our address before a move) is
  the same identifier by GS1's rules, and is written under the address the printed QR code resolves at;
- the **unit identifier** (the battery's unique identifier) is what the operator gives, unique among the
  organization's passports; when a passport gives none (an item created from a serial number), it is the GS1
  element string of its Digital Link, e.g. ``(01)08801234000017(21)P96A2603120417``: GS1 is an issuing agency
  under ISO/IEC 15459, the standard Art. 77(3) names.

Which fields these are is said per schema category below rather than in the schema files: a shipped schema that
passports already use may not change (``passports.registry``), and these rules apply to its passports as well.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from core.pointers import pointer_of
from passports.identifiers import DigitalLink, DigitalLinkError
from passports.models import Facility, Organization, PassportVersion, Product
from passports.selectors.passports import effective_data_of

# Per schema category: (path of the passport identifier, path of the unit identifier).
IDENTITY_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "battery": (
        ("general_product_information", "battery_passport_identifier"),
        ("general_product_information", "product_identifier"),
    ),
}


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _put(data: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[path[-1]] = value


@dataclass(frozen=True)
class IdentityProblem:
    """An identifier in the data that names another passport: where (JSON Pointer) and why, in English and Korean."""

    pointer: str
    message: str
    message_ko: str


def identity_fill(
    category: str, *, identifier: str, data: dict[str, Any], effective: Mapping[str, Any]
) -> tuple[dict[str, Any], list[IdentityProblem]]:
    """``data`` (what the passport stores itself) with its own identifiers written in, and what was refused.

    ``identifier`` is the passport's Digital Link URI, ``effective`` its merged data (model data included), which
    tells whether the section is begun at all: an empty or missing section is left for validation to name.
    Plain data in, plain data out, so the web form, the API and the CSV import judge a row the same way.
    """
    fields = IDENTITY_FIELDS.get(category)
    if fields is None:
        return data, []
    link_path, unit_path = fields
    if not isinstance(_get(effective, link_path[:-1]), Mapping):
        return data, []
    filled = copy.deepcopy(data)
    problems: list[IdentityProblem] = []
    own = DigitalLink.parse(identifier)
    given = _get(filled, link_path)
    named: DigitalLink | None = None
    if isinstance(given, str):
        try:
            named = DigitalLink.parse(given)
        except DigitalLinkError:
            named = None
    if given is None or (named is not None and named.same_key(own)):
        _put(filled, link_path, identifier)
    else:
        problems.append(
            IdentityProblem(
                pointer_of(link_path),
                f"is {given!r}, but this passport's identifier is its GS1 Digital Link {identifier}; "
                "leave the field empty and the platform writes it",
                f"{given!r}은(는) 다른 식별자입니다. 이 제품 여권의 식별자는 GS1 디지털 링크 {identifier}입니다. "
                "비워 두면 플랫폼이 기록합니다.",
            )
        )
    if _get(filled, unit_path) is None:
        # Nothing given (an item made from a serial number): the unit's own identifier from its Digital Link.
        _put(filled, unit_path, own.element_string())
    return filled, problems


def locked_fields(category: str, *, identifier: str) -> dict[str, str]:
    """``{JSON Pointer: value}`` of the fields ``identity_fill`` writes on every save of a ``category`` passport.

    The editor shows them read-only with that value (``passports.web.schema_forms.build_form``): a field the
    save overwrites or refuses is not one to offer as free text.
    """
    fields = IDENTITY_FIELDS.get(category)
    return {pointer_of(fields[0]): identifier} if fields is not None and identifier else {}


def unit_identifier_of(category: str, data: Mapping[str, Any]) -> str | None:
    fields = IDENTITY_FIELDS.get(category)
    value = _get(data, fields[1]) if fields is not None else None
    return value if isinstance(value, str) else None


def unit_identifiers_held(*, org_id: int, category: str, values: Iterable[str]) -> dict[str, set[str]]:
    """For each of ``values``, the identifiers of the organization's passports whose versions carry it (one query)."""
    fields = IDENTITY_FIELDS.get(category)
    wanted = sorted(set(values))
    if fields is None or not wanted:
        return {}
    key = "data__" + "__".join(fields[1])
    held: dict[str, set[str]] = {}
    rows = PassportVersion.objects.filter(organization_id=org_id, **{f"{key}__in": wanted}).values_list(
        key, "passport__identifier"
    )
    for value, passport_identifier in rows:
        held.setdefault(value, set()).add(passport_identifier)
    return held


def unit_taken_problem(category: str, value: str, other: str) -> IdentityProblem:
    fields = IDENTITY_FIELDS[category]
    return IdentityProblem(
        pointer_of(fields[1]),
        f"{value!r} already identifies the passport {other}; each unit needs its own identifier",
        f"{value!r}은(는) 이미 제품 여권 {other}의 식별자입니다. 단위마다 고유한 식별자가 필요합니다.",
    )


def identity_fields_apply(version: PassportVersion) -> None:
    """Write the passport's own identifiers into ``version.data`` or raise ``ValidationError`` naming the field.

    ``version.data`` holds what its passport stores itself (for a batch or item: the overrides), so the values go
    there and the model passport's never show through. A unit identifier copied from the model passport is
    refused like any other taken one.
    """
    category = version.schema.category
    passport = version.passport
    data = version.data if isinstance(version.data, dict) else {}
    filled, problems = identity_fill(
        category, identifier=passport.identifier, data=data, effective=effective_data_of(version)
    )
    unit = unit_identifier_of(category, filled)
    if unit is not None and not problems:
        others = unit_identifiers_held(org_id=passport.organization_id, category=category, values=[unit]).get(unit)
        others = (others or set()) - {passport.identifier}
        if others:
            problems.append(unit_taken_problem(category, unit, min(others)))
    if problems:
        raise ValidationError({"data": [f"{problem.pointer}: {problem.message}" for problem in problems]})
    version.data = filled


def _as_gtin14(number: str) -> str:
    return number.zfill(14)


def gln_gtin_clash(*, org_id: int, gln: str | None = None, gtin: str | None = None) -> str | None:
    """Why a GLN or GTIN the organization is about to use would read as one of its other GS1 keys, else None.

    GLN (AI 414/417) and GTIN (AI 01) are separate GS1 keys, but a 13-digit GLN equal to a 13-digit GTIN reads
    the same everywhere a human or a verifier compares numbers: the demo's issuer carried its product's GTIN as
    its GLN, and a credential then named the company and the battery alike. Refused inside one organization.
    """
    if gln and Product.objects.filter(organization_id=org_id, gtin__in={gln, _as_gtin14(gln)}).exists():
        return f"GLN {gln} is the GTIN of one of your products; a location needs its own number"
    if gtin:
        thirteen = _as_gtin14(gtin)[1:] if _as_gtin14(gtin).startswith("0") else None
        if thirteen is not None:
            held = Organization.objects.filter(pk=org_id, gln=thirteen).exists() or (
                Facility.objects.filter(organization_id=org_id, gln=thirteen).exists()
            )
            if held:
                return f"GTIN {gtin} is a GLN of your organization or one of its facilities; a product needs its own"
    return None
