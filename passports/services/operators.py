"""Which organizations on the platform a passport names as its economic operator (issue #14 item 6).

The Battery Regulation ((EU) 2023/1542) Art. 41 and 77 and Art. 4 of Regulation (EU) 2019/1020 (to which ESPR
(EU) 2024/1781 refers) make the importer or authorised representative answer for a product placed on the Union
market, and the passport names it (``/general_product_information/operator_information`` in the battery schema,
``/responsible_economic_operator`` and ``/importer`` in the ESPR-based ones). That operator sees the passport at
the legitimate-interest tier without a grant (``passports.access``).

Matching is done when the owner publishes a version, from that version's effective data, and kept as
``OperatorLink`` rows the owner sees; it is never redone at read time. An organization's identifiers are
declared by the organization itself, so a match decided at read time would let anyone who types another
company's EORI number (printed on the public page) into its settings read the data: here, the identifier must
be held by exactly one active organization at the moment the owner publishes (or asks to match again), and
the owner sees which one it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from django.db import transaction
from django.db.models import Q

from passports import audit
from passports.models import OperatorLink, Organization, Passport, PassportVersion
from passports.selectors.passports import effective_data_of
from passports.signals import passport_published

#: Where each schema names the economic operator responsible for the passport, and the members holding its
#: identifiers (the EORI number first: customs and the EU registry key on it).
OPERATOR_SECTIONS: Final = (
    ("general_product_information", "operator_information"),
    ("responsible_economic_operator",),
    ("importer",),
)
IDENTIFIER_MEMBERS: Final = ("eori_number", "identifier")
_SPACES = re.compile(r"[\s.\-]")


def named_operator_identifiers(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(pointer of the section, identifier)`` of every operator identifier the passport data gives, in
    schema order, without repeats; blanks, non-strings and overlong values are ignored."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in OPERATOR_SECTIONS:
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            continue
        for member in IDENTIFIER_MEMBERS:
            value = node.get(member)
            if not isinstance(value, str):
                continue
            normalized = _SPACES.sub("", value).upper()
            if 2 <= len(normalized) <= 64 and normalized not in seen:
                seen.add(normalized)
                found.append(("/" + "/".join(path), normalized))
    return found


def _holder(identifier: str, owner_id: int) -> Organization | None:
    """The one active organization (not the owner) holding ``identifier`` as EORI, LEI, VAT or GLN number;
    none when no organization or more than one claims it (an ambiguous claim entitles nobody)."""
    holders = list(
        Organization.objects.filter(is_active=True)
        .filter(Q(eori__iexact=identifier) | Q(lei__iexact=identifier) | Q(vat__iexact=identifier) | Q(gln=identifier))
        .values_list("pk", flat=True)[:2]
    )
    if len(holders) != 1 or holders[0] == owner_id:
        return None
    return Organization.objects.get(pk=holders[0])


@transaction.atomic
def operator_links_refresh(*, version: PassportVersion, by: Any = None) -> list[OperatorLink]:
    """Replaces the passport's operator links by the matches of ``version`` (its published one).

    Called at each publication (``passports.receivers``) and when the owner asks to match again (an importer
    that joined the platform after the passport was published). Each link that appears or ends is an event of
    the owner's audit chain.
    """
    passport: Passport = version.passport
    wanted: dict[int, tuple[Organization, str, str]] = {}
    for pointer, identifier in named_operator_identifiers(effective_data_of(version)):
        holder = _holder(identifier, passport.organization_id)
        if holder is not None and holder.pk not in wanted:
            wanted[holder.pk] = (holder, identifier, pointer)
    existing = {link.operator_id: link for link in OperatorLink.objects.filter(passport=passport)}
    for operator_id, link in existing.items():
        if operator_id not in wanted:
            link.delete()
            _record(passport, "passport.operator_unlinked", link.identifier, operator_id, by)
    links = []
    for operator_id, (holder, identifier, pointer) in wanted.items():
        link = existing.get(operator_id)
        if link is None:
            link = OperatorLink.objects.create(
                organization_id=passport.organization_id,
                passport=passport,
                operator=holder,
                identifier=identifier,
                named_at=pointer,
                version_number=version.number,
            )
            _record(passport, "passport.operator_linked", identifier, operator_id, by)
        else:
            OperatorLink.objects.filter(pk=link.pk).update(
                identifier=identifier, named_at=pointer, version_number=version.number
            )
        links.append(link)
    return links


def operator_links_refresh_passport(*, passport: Passport, by: Any = None) -> list[OperatorLink]:
    """`operator_links_refresh` from the passport's published version; none (links dropped) if it has none."""
    version = passport.versions.filter(status=PassportVersion.Status.PUBLISHED).first()
    if version is None:
        OperatorLink.objects.filter(passport=passport).delete()
        return []
    return operator_links_refresh(version=version, by=by)


def _record(passport: Passport, action: str, identifier: str, operator_id: int, by: Any) -> None:
    audit.record(
        org_id=passport.organization_id,
        action=action,
        object_type="passport",
        object_id=passport.pk,
        object_repr=passport.identifier,
        details={"operator": operator_id, "identifier": identifier},
        by=by,
    )


def on_published(sender: Any, version: PassportVersion, by: Any = None, **kwargs: Any) -> None:
    """``passport_published`` receiver: the new version decides who is named (in the publishing transaction)."""
    operator_links_refresh(version=version, by=by)


def connect_receivers() -> None:
    passport_published.connect(on_published, sender=PassportVersion, dispatch_uid="passports.operators.published")
