"""Who owns a GTIN on this platform: the rule over GS1 Company Prefix claims (issue 21, item 2).

A GTIN lies under a prefix when its 13 digits after the indicator (the 14-digit form without its first digit)
begin with the prefix. Among the claims that are not rejected and cover a GTIN:

- a claim verified by the platform's staff wins: its organization owns the GTIN;
- otherwise, if all those claims belong to one organization, it owns the GTIN (uncontested);
- otherwise the GTIN is *contested* and frozen: nobody may create a product under it and the resolver serves
  none of its passports, until staff verify one claim.

Only this module says so; the product services, the import and the resolver ask it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from passports.identifiers import is_valid_gtin
from passports.models.prefixes import CompanyPrefix


def gtin_body(gtin: str) -> str:
    """The 13 digits of a GTIN's 14-digit form after the indicator digit, where company prefixes start."""
    return gtin.zfill(14)[1:]


def covering_prefixes(gtin: str) -> list[str]:
    """Every string that would be a company prefix covering ``gtin`` (4 to 12 leading digits of its body)."""
    body = gtin_body(gtin)
    return [body[:length] for length in range(4, 13)]


@dataclass(frozen=True)
class GtinStanding:
    """What the claims say about one GTIN: its owner (an organization id), or why there is none."""

    owner_id: int | None
    contested: bool
    claimant_ids: frozenset[int]

    def allows(self, org_id: int) -> bool:
        return self.owner_id == org_id


def standing_from(claims: Iterable[tuple[int, str]]) -> GtinStanding:
    """The standing of a GTIN from the ``(organization id, status)`` of the claims covering it."""
    live = [(org_id, status) for org_id, status in claims if status != CompanyPrefix.Status.REJECTED]
    claimants = frozenset(org_id for org_id, _status in live)
    verified = {org_id for org_id, status in live if status == CompanyPrefix.Status.VERIFIED}
    if len(verified) == 1:
        return GtinStanding(next(iter(verified)), contested=False, claimant_ids=claimants)
    if not verified and len(claimants) == 1:
        return GtinStanding(next(iter(claimants)), contested=False, claimant_ids=claimants)
    return GtinStanding(None, contested=len(claimants) > 1, claimant_ids=claimants)


def gtin_standing(gtin: str) -> GtinStanding:
    """One indexed query: the claims whose prefix is one of the GTIN's leading digit strings."""
    if not is_valid_gtin(gtin):
        return GtinStanding(None, contested=False, claimant_ids=frozenset())
    rows = CompanyPrefix.objects.filter(prefix__in=covering_prefixes(gtin)).values_list("organization_id", "status")
    return standing_from(rows)


def standings(gtins: Iterable[str]) -> dict[str, GtinStanding]:
    """The standing of many GTINs with one query (the import checks a chunk's products at once)."""
    wanted = {gtin for gtin in gtins if is_valid_gtin(gtin)}
    candidates = {prefix for gtin in wanted for prefix in covering_prefixes(gtin)}
    by_prefix: dict[str, list[tuple[int, str]]] = {}
    for prefix, org_id, status in CompanyPrefix.objects.filter(prefix__in=candidates).values_list(
        "prefix", "organization_id", "status"
    ):
        by_prefix.setdefault(prefix, []).append((org_id, status))
    return {
        gtin: standing_from(claim for prefix in covering_prefixes(gtin) for claim in by_prefix.get(prefix, []))
        for gtin in wanted
    }


def gtin_refusal(standing: GtinStanding, org_id: int, gtin: str) -> str | None:
    """Why ``org_id`` may not use ``gtin`` for a product, in words for the person (None: it may)."""
    if standing.allows(org_id):
        return None
    if standing.contested and org_id in standing.claimant_ids:
        return _(
            "GTIN %(gtin)s lies under a GS1 Company Prefix that another organization claims too; it is frozen "
            "until the platform's staff verify the owner (send them your GS1 licence)."
        ) % {"gtin": gtin}
    if standing.owner_id is not None or standing.contested:
        return _("GTIN %(gtin)s lies under a GS1 Company Prefix registered by another organization.") % {"gtin": gtin}
    return _(
        "GTIN %(gtin)s lies under none of your organization's GS1 Company Prefixes; register the prefix first."
    ) % {"gtin": gtin}


def gtin_refusal_texts(standing: GtinStanding, org_id: int, gtin: str) -> tuple[str, str] | None:
    """``gtin_refusal`` in English and Korean, for import error reports that carry both."""
    if standing.allows(org_id):
        return None
    texts = []
    for language in ("en", "ko"):
        with translation.override(language):
            texts.append(gtin_refusal(standing, org_id, gtin) or "")
    return texts[0], texts[1]
