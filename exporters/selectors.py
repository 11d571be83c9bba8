"""Reading signing keys, credentials, status lists and what the resolver shows.

The resolver and the DID documents are public by nature (anyone holding a QR code or a credential reads them),
so their lookups are by public names (slug, Digital Link, credential id) rather than by the caller's
organization; everything that serves an organization's own API goes through ``passports.scoping``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from exporters.credentials.did import DidError, PublishedKey, build_did_document, did_web, did_web_url
from exporters.models import IssuedCredential, SigningKey, StatusList
from exporters.services.credentials import URN_UUID_PREFIX
from exporters.services.keys import base_for_host, did_at, organization_did
from exporters.services.status_lists import status_list_jws_at
from passports.identifiers import DigitalLink
from passports.models import Organization, Passport, PassportVersion
from passports.prefixes import gtin_standing
from passports.scoping import scoped

#: Versions the public may see: every version that was ever published. Drafts never leave their organization.
RESOLVABLE = (
    PassportVersion.Status.PUBLISHED,
    PassportVersion.Status.SUPERSEDED,
    PassportVersion.Status.REVOKED,
)


def organization_by_slug(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404("No such organization.")
    return org


def published_keys(org: Organization) -> list[PublishedKey]:
    """Every key of the organization with its status, oldest first (compromised ones included)."""
    keys = SigningKey.objects.filter(organization=org).order_by("created_at", "pk")
    # By fragment: a key is published under whichever of the platform's addresses the document is asked at.
    return [
        PublishedKey(kid="#" + key.kid.rsplit("#", 1)[1], public_jwk=key.public_jwk, status=key.status)  # type: ignore[arg-type]  # status is one of the three KeyStatus values
        for key in keys
    ]


def did_document(org: Organization, host: str | None = None) -> dict[str, Any]:
    """The organization's DID document: current and retired keys; compromised keys are left out.

    Asked on an earlier address of the platform (``host``), it is the document of the DID under that address,
    which credentials issued there name.
    """
    base = base_for_host(host) if host else None
    return build_did_document(did_at(org, base) if base else organization_did(org), published_keys(org))


def signing_key_list(*, org: Organization | None) -> QuerySet[SigningKey]:
    return scoped(SigningKey, org).order_by("-created_at", "-pk")


def platform_key(kid: str) -> dict[str, Any] | None:
    """The public JWK of one of our keys with its ``status``: the resolver ``exporters.credentials.signing`` expects.

    Our own DIDs are resolved from the database, never over the network; compromised keys are returned
    marked, so a verifier learns *why* a signature no longer counts.
    """
    did, _, fragment = kid.partition("#")
    try:
        url = urlsplit(did_web_url(did))
    except DidError:
        return None
    slug = url.path.removeprefix("/orgs/").removesuffix("/did.json")
    if not fragment or base_for_host(url.netloc) is None or did != did_web(url.netloc, slug):
        return None
    found = list(
        SigningKey.objects.filter(organization__slug=slug, kid__endswith=f"#{fragment}")
        .order_by()
        .values_list("public_jwk", "status")[:1]
    )
    if not found:
        return None
    jwk, status = found[0]
    return {**jwk, "status": status}


def status_list_tokens(urls: list[str]) -> dict[str, str]:
    """The signed status list credentials served at ``urls`` (those that are ours), in one query."""
    wanted: dict[str, tuple[str, str]] = {}  # asked URL -> (its address, the path the list is kept under)
    for url in urls:
        split = urlsplit(url)
        base = base_for_host(split.netloc)
        if base is not None:
            wanted[url] = (base, split.path)
    if not wanted:
        return {}
    paths = {path for _base, path in wanted.values()}
    lists = {
        urlsplit(row.url).path: row
        for row in StatusList.objects.select_related("organization").filter(
            url__regex=r"^https?://[^/]+(" + "|".join(re.escape(path) for path in paths) + r")$"
        )
    }
    return {url: status_list_jws_at(lists[path], base) for url, (base, path) in wanted.items() if path in lists}


@dataclass(frozen=True)
class IssuedFacts:
    credential_id: str
    version_id: int
    content_hash: str
    schema_id: int
    organization_slug: str


def issued_credential_facts(credential_id: str) -> IssuedFacts | None:
    """What verification needs to know of one of our credentials, without loading its version."""
    row = (
        IssuedCredential.objects.filter(credential_id=credential_id)
        .order_by()
        .values("credential_id", "version_id", "version__content_hash", "version__schema_id", "organization__slug")
        .first()
    )
    if row is None:
        return None
    return IssuedFacts(
        credential_id=str(row["credential_id"]),
        version_id=int(row["version_id"]),
        content_hash=str(row["version__content_hash"]),
        schema_id=int(row["version__schema_id"]),
        organization_slug=str(row["organization__slug"]),
    )


def status_list_get(org: Organization, purpose: str, number: int = 1) -> StatusList:
    found = StatusList.objects.filter(organization=org, purpose=purpose, number=number).first()
    if found is None:
        raise Http404("No such status list.")
    return found


def credential_of(version: PassportVersion) -> IssuedCredential | None:
    return IssuedCredential.objects.select_related("signing_key").filter(version=version).first()


def credential_by_key(org: Organization, key: str) -> IssuedCredential:
    found = (
        IssuedCredential.objects.select_related("version__schema", "version__passport", "version__base_version")
        .filter(organization=org, credential_id=f"{URN_UUID_PREFIX}{key}")
        .first()
    )
    if found is None:
        raise Http404("No such credential.")
    return found


def _gtin_holder(gtin: str) -> int | None:
    """The organization whose GS1 Company Prefix holds ``gtin`` (None while contested or unclaimed).

    The resolver answers only for passports of that organization: a passport under someone else's GTIN, or
    under a prefix two organizations claim until the platform's staff verify one, is not served (issue 21).
    """
    return gtin_standing(gtin).owner_id


def passport_by_link(link: DigitalLink) -> Passport:
    """The passport a Digital Link names on this platform (404 unless some version of it was published)."""
    try:
        passport = Passport.objects.select_related("product", "organization").get(
            identifier=link.uri(settings.PLATFORM_BASE_URL)
        )
    except Passport.DoesNotExist as exc:
        raise Http404("No passport for this identifier.") from exc
    if _gtin_holder(link.gtin) != passport.organization_id:
        raise Http404("No passport for this identifier.")
    return passport


def passports_for_levels(levels: list[DigitalLink]) -> list[Passport]:
    """The passports with a resolvable version among ``levels`` (most specific first), in that order.

    A GS1 resolver walks up the tree: an unknown serial or lot still reaches the product's passport.
    """
    uris = [link.uri(settings.PLATFORM_BASE_URL) for link in levels]
    if not uris:
        return []
    holder = _gtin_holder(levels[0].gtin)
    found = {
        passport.identifier: passport
        for passport in Passport.objects.select_related("product", "organization")
        .filter(identifier__in=uris, versions__status__in=RESOLVABLE, organization_id=holder)
        .distinct()
    }
    return [found[uri] for uri in uris if uri in found]


#: What listing a passport's versions needs; data and schema are loaded for the one version shown.
_VERSION_SUMMARY = (
    "pk",
    "passport_id",
    "organization_id",
    "schema_id",
    "number",
    "status",
    "published_at",
    "revoked_at",
)


def resolvable_versions(passport: Passport) -> list[PassportVersion]:
    """The versions the public may see, newest first (summaries without data); 404 if there is none."""
    versions = list(
        PassportVersion.objects.filter(passport=passport, status__in=RESOLVABLE)
        .order_by("-number")
        .only(*_VERSION_SUMMARY)
    )
    if not versions:
        raise Http404("No published passport for this identifier.")
    for version in versions:
        version.passport = passport
    return versions


def version_with_data(version: PassportVersion) -> PassportVersion:
    """The version with its data, schema and base version loaded, for rendering or serving its data."""
    full = PassportVersion.objects.select_related("schema", "base_version").get(pk=version.pk)
    full.passport = version.passport
    return full


def version_to_resolve(versions: list[PassportVersion], number: str | None) -> PassportVersion:
    """``?version=N`` if given, else the published version, else the newest (e.g. a revoked passport)."""
    if number not in (None, ""):
        chosen = next((version for version in versions if str(version.number) == number), None)
        if chosen is None:
            raise Http404("No such version of this passport.")
        return chosen
    published = next((v for v in versions if v.status == PassportVersion.Status.PUBLISHED), None)
    return published or versions[0]


def latest_published(versions: list[PassportVersion]) -> PassportVersion | None:
    return next((v for v in versions if v.status == PassportVersion.Status.PUBLISHED), None)
