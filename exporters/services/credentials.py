"""Issuing, re-signing, revoking and suspending the credential of a published passport version.

``credential_issue`` runs inside the publishing transaction (the first step of ``exporters.services.publication``):
a version is never published without its signed credential, and a
signing failure rolls the publication back. The credential links the version's data tier by tier
(``relatedResource`` with ``digestSRI``); the public tier is also attached, because the credential itself is
public. ESPR (Regulation (EU) 2024/1781) Art. 9-10: passport data must be authentic and tamper-evident.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from exporters.credentials import document_loader
from exporters.credentials.mapping import FacilityFacts, PassportFacts, credential_input
from exporters.credentials.passport_context import context_url, newest_version
from exporters.credentials.signing import sign_compact
from exporters.credentials.vc import (
    UNTP_DPP_CONTEXT,
    ContextRef,
    IssuerInfo,
    PartyRef,
    StatusEntry,
    build_credential,
    canonical_json,
)
from exporters.credentials.vc import credential_payload as payload_of
from exporters.models import IssuedCredential, SigningKey
from exporters.resolver.public_cache import invalidate_all, invalidate_passport
from exporters.services.keys import absolute_url, current_key, kid_under, organization_did, private_key_of
from exporters.services.status_lists import (
    PURPOSES,
    count_issued,
    draw_index,
    open_list,
    status_list_url,
    status_lists_resign,
    status_set,
)
from passports.identifiers import DigitalLink, is_valid_gln, is_valid_lei
from passports.models import Organization, Passport, PassportVersion
from passports.selectors.passports import effective_data_of
from passports.tiers import TIERS, render_for_tier

URN_UUID_PREFIX = "urn:uuid:"


class NotIssuableError(ValueError):
    """Only published (or later superseded or revoked) versions carry a credential; drafts never do."""


def credential_uuid(credential: IssuedCredential) -> str:
    return credential.credential_id.removeprefix(URN_UUID_PREFIX)


def tier_data_url(org: Organization, credential_key: str, tier: str) -> str:
    """Where the resolver serves one tier of a version's data, byte for byte as the credential hashed it."""
    return tier_data_url_for(org.slug, credential_key, tier)


def tier_data_url_for(slug: str, credential_key: str, tier: str) -> str:
    return absolute_url(reverse("passport-data", kwargs={"slug": slug, "credential": credential_key, "tier": tier}))


def tier_data(version: PassportVersion, tier: str) -> dict[str, Any]:
    """The version's effective data as a viewer of ``tier`` sees it (fields above the tier left out)."""
    return render_for_tier(version.schema.document, effective_data_of(version), tier)


def tier_data_bytes(version: PassportVersion, tier: str) -> bytes:
    """The RFC 8785 canonical JSON of `tier_data`: exactly the bytes whose digest the credential carries."""
    return canonical_json(tier_data(version, tier))


def digest_sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def organization_identifiers(org: Organization) -> list[PartyRef]:
    """The organization's registered identifiers that have a public URI: LEI (GLEIF) and GLN (GS1)."""
    identifiers: list[PartyRef] = []
    if org.lei and is_valid_lei(org.lei):
        identifiers.append(PartyRef(f"https://search.gleif.org/#/record/{org.lei}", org.name, org.lei))
    if org.gln and is_valid_gln(org.gln):
        identifiers.append(PartyRef(f"https://id.gs1.org/417/{org.gln}", org.name, org.gln))
    return identifiers


def credential_contexts() -> list[ContextRef]:
    """The UNTP context and our passport context, each with the digest of the file shipped here.

    Our context is named under ``PLATFORM_BASE_URL`` (where this platform serves it); both digests come from the
    files the offline loader expands credentials with, so what a verifier fetches can be checked against them.
    """
    base = settings.PLATFORM_BASE_URL
    ours = context_url(base, newest_version(document_loader.own_context_paths()))
    return [
        ContextRef(UNTP_DPP_CONTEXT, document_loader.digest_sri(UNTP_DPP_CONTEXT)),
        ContextRef(ours, document_loader.digest_sri(ours, base_url=base)),
    ]


def _facts(version: PassportVersion, key: str, number: int, index: int, public: dict[str, Any]) -> PassportFacts:
    passport = version.passport
    product = passport.product
    org = passport.organization
    facility = product.facility
    return PassportFacts(
        category=version.schema.category,
        identifier=passport.identifier,
        granularity=passport.granularity,
        gtin=product.gtin,
        product_name=product.name,
        product_description=product.description or None,
        cn_code=product.cn_code or None,
        lot=passport.lot or None,
        serial=passport.serial or None,
        issuer=IssuerInfo(did=organization_did(org), name=org.name, identifiers=organization_identifiers(org)),
        issuer_country=org.country,
        credential_id=f"{URN_UUID_PREFIX}{key}",
        valid_from=version.published_at or timezone.now(),
        data_url=tier_data_url(org, key, "public"),
        public_data=public,
        schema=version.schema.document,
        facility=(
            FacilityFacts(name=facility.name, country=facility.country, gln=facility.gln or None, key=str(facility.pk))
            if facility is not None
            else None
        ),
        status=[StatusEntry(status_list_url(org, purpose, number), index, purpose) for purpose in PURPOSES],
        contexts=credential_contexts(),
    )


def tier_views(version: PassportVersion) -> dict[str, dict[str, Any]]:
    """The version's data as each tier sees it, computed from one effective-data merge."""
    schema = version.schema.document
    effective = effective_data_of(version)
    return {tier: render_for_tier(schema, effective, tier) for tier in TIERS}


def build_version_credential(
    version: PassportVersion,
    *,
    key: str,
    number: int,
    index: int,
    views: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The unsigned credential of ``version``: the UNTP mapping, plus one digest link per non-public tier."""
    views = views if views is not None else tier_views(version)
    credential = build_credential(credential_input(_facts(version, key, number, index, views["public"])))
    org = version.passport.organization
    # The data tiers follow the public one, before the contexts' digests: the data first, tier by tier.
    credential["relatedResource"][1:1] = [
        {
            "id": tier_data_url(org, key, tier),
            "mediaType": "application/json",
            "digestSRI": digest_sri(canonical_json(views[tier])),
        }
        for tier in TIERS[1:]
    ]
    return credential


def _sign(credential: dict[str, Any], org: Organization) -> tuple[str, SigningKey]:
    key = current_key(org)
    kid = kid_under(str(credential["issuer"]["id"]), key)
    return sign_compact(payload_of(credential), private_key_of(key), kid, alg=key.alg), key


#: How many times an index is drawn again when a concurrent publication took the same one (see below).
_INDEX_ATTEMPTS = 8


@transaction.atomic
def credential_issue(*, version: PassportVersion, reissue: bool = False) -> IssuedCredential:
    """Issue and store the signed credential of a published version (idempotent: a second call returns it).

    The status index is drawn at random among those the organization does not use; the unique constraint on
    ``(organization, list, index)`` settles the rare race between two publications that drew the same one.
    """
    existing = IssuedCredential.objects.filter(version=version).first()
    if existing is not None and not reissue:
        return existing
    if version.status == PassportVersion.Status.DRAFT:
        raise NotIssuableError("a draft has no credential; publish it first")
    org = version.passport.organization
    views = tier_views(version)
    number, size = open_list(org)
    key_text = str(uuid.uuid4())
    for _attempt in range(_INDEX_ATTEMPTS):
        index = draw_index(org, number, size)
        credential = build_version_credential(version, key=key_text, number=number, index=index, views=views)
        jws, key = _sign(credential, org)
        try:
            with transaction.atomic():
                issued = IssuedCredential.objects.create(
                    organization=org,
                    version=version,
                    signing_key=key,
                    credential_id=credential["id"],
                    credential=credential,
                    jws=jws,
                    kid=kid_under(organization_did(org), key),
                    status_list_number=number,
                    status_index=index,
                    issued_at=timezone.now(),
                )
        except IntegrityError:
            concurrent = IssuedCredential.objects.filter(version=version).first()
            if concurrent is not None:
                return concurrent
            continue
        count_issued(org, number)
        if version.status == PassportVersion.Status.REVOKED:
            status_set(credential=issued, purpose="revocation", value=True)
        return issued
    raise RuntimeError(f"no free status index found in {_INDEX_ATTEMPTS} draws")


@transaction.atomic
def credential_resign(*, credential: IssuedCredential) -> IssuedCredential:
    """Sign the same credential again with the organization's current key (after a key was compromised)."""
    jws, key = _sign(credential.credential, credential.organization)
    credential.jws = jws
    credential.kid = kid_under(str(credential.credential["issuer"]["id"]), key)
    credential.signing_key = key
    credential.save(update_fields=["jws", "kid", "signing_key"])
    return credential


def credential_revoke(*, version: PassportVersion) -> IssuedCredential | None:
    """Set the revocation bit of every credential of the version (one per address it was issued under)."""
    credentials = list(IssuedCredential.objects.filter(version=version))
    for credential in credentials:
        status_set(credential=credential, purpose="revocation", value=True)
    return credentials[0] if credentials else None


def credential_suspend(*, version: PassportVersion, suspended: bool) -> IssuedCredential:
    """Suspend the version's credentials (a temporary hold, e.g. while data is checked) or lift the suspension."""
    credentials = list(IssuedCredential.objects.filter(version=version))
    if not credentials:
        raise NotIssuableError("this version has no credential")
    for credential in credentials:
        status_set(credential=credential, purpose="suspension", value=suspended)
    invalidate_passport(version.passport)  # the public page says whether the credential is suspended
    return credentials[0]


@dataclass(frozen=True)
class ReissueResult:
    identifiers_moved: int
    credentials_issued: int
    status_lists_signed: int


@transaction.atomic
def credentials_reissue(*, org: Organization) -> ReissueResult:
    """Issue the organization's published passports again under the current public address.

    For a platform whose ``PLATFORM_BASE_URL`` changed (a domain bought after a pilot): the passports'
    Digital Links move to the new address (their QR codes are redrawn on next use), the status lists are signed
    under the new DID at their new URLs, and every published or superseded version gets a new credential
    issued by the new DID. The earlier credentials are kept, not revoked: they verify for as long as the earlier
    address (listed in ``PLATFORM_PREVIOUS_BASE_URLS``) still reaches the platform, or until the version is
    revoked, which revokes all of its credentials. The resolver serves the newest. Running it again issues
    nothing new.
    """
    base = settings.PLATFORM_BASE_URL.rstrip("/")
    moved = 0
    for passport in Passport.objects.filter(organization=org).exclude(identifier__startswith=base + "/"):
        passport.identifier = DigitalLink.parse(passport.identifier).uri(base)
        passport.save(update_fields=["identifier", "updated_at"])
        moved += 1
    signed = status_lists_resign(org=org)
    did = organization_did(org)
    issued = 0
    versions = PassportVersion.objects.filter(
        organization=org, status__in=[PassportVersion.Status.PUBLISHED, PassportVersion.Status.SUPERSEDED]
    ).select_related("passport__product", "passport__organization", "schema")
    for version in versions:
        newest = IssuedCredential.objects.filter(version=version).first()
        if newest is not None and newest.credential["issuer"]["id"] == did:
            continue
        credential_issue(version=version, reissue=True)
        issued += 1
    invalidate_all()
    return ReissueResult(identifiers_moved=moved, credentials_issued=issued, status_lists_signed=signed)
