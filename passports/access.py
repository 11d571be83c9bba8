"""Which access tier a caller gets on one passport: the one rule every output asks.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(d) and 10 and the Battery Regulation ((EU) 2023/1542) Art. 77(2)
and Annex XIII split passport data by who asks; the economic operator responsible for the passport decides
whom it trusts. So a tier is never something a caller declares about itself (an OAuth2 scope, a checkbox
on its own settings page): it follows from who the caller is *for this passport*:

- the people and API clients of the organization that owns the passport see all of its data (``authority``,
  the top tier: it is their own), except a client the owner made for an outside party
  (``ApiClient.outside_party``), which sees what is granted to it;
- a grantee of a grant in force from the owner that covers the passport and carries the
  ``legitimate_interest`` right sees that tier (``passports.models.grants``); a grant to an organization
  covers its people and its API clients, a grant to an API client that client alone;
- the people and (own-system) API clients of an organization the platform's staff verified as an authority
  (market surveillance, notified body, Commission, customs: ``passports.models.authorities``) see the
  ``authority`` tier; the market rule applied is in ``passports.services.authorities``;
- the people and (own-system) API clients of the organization the passport's published data names as its
  economic operator (the importer or authorised representative, matched when the owner published it:
  ``passports.services.operators``) see the ``legitimate_interest`` tier without a grant, read-only;
- everyone else sees the ``public`` tier.

The resolver, the data links, the API, the exports, the reports and the credentials all call `access_for`;
nothing caches its answer, so a change of who may see what holds from the next request on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import APIException

from passports import audit
from passports.auth import ApiClientAuthentication
from passports.models import (
    AccessLogEntry,
    ApiClient,
    AuthorityStatus,
    Grant,
    Membership,
    OperatorLink,
    Organization,
    Passport,
    PassportVersion,
    Product,
)

#: Why a caller has its tier; the access log records it beside the tier.
OWNER = "owner"
AUTHORITY = "authority"
GRANT = "grant"
OPERATOR = "operator"
PUBLIC = "public"


@dataclass(frozen=True)
class Viewer:
    """Who is reading, reduced to what the tier rule looks at.

    A person acts for every active organization they belong to (any of them may entitle them); an API client
    acts for its own organization only. An anonymous caller has neither.
    """

    organizations: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    client_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.client_id is None


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class Access:
    """The tier a viewer gets on one passport, and why (``owner``, ``authority``, ``grant``, ``operator``,
    ``public``);
    ``grant_id`` names the grant that gave it."""

    tier: str
    basis: str
    grant_id: int | None = None
    #: The organization on whose behalf the reader gets the tier (the grantee, the authority), for the log.
    reader_organization_id: int | None = None


def viewer_of_client(client: ApiClient) -> Viewer:
    """An API client acts for the organization that owns it; a client handed to an outside party acts for
    nobody but itself (it reads what is granted to that client alone)."""
    if client.outside_party:
        return Viewer(client_id=client.pk)
    return Viewer(organizations=frozenset({client.organization_id}), client_id=client.pk)


def viewer_of_user(user: Any) -> Viewer:
    """A logged-in person acts for each active organization they are a member of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    client = getattr(user, "client", None)  # an ApiClientPrincipal from DRF authentication
    if isinstance(client, ApiClient):
        return viewer_of_client(client)
    organizations = Membership.objects.filter(user=user, organization__is_active=True).values_list(
        "organization_id", flat=True
    )
    return Viewer(organizations=frozenset(organizations), user_id=user.pk)


def viewer_of_request(request: HttpRequest) -> Viewer:
    """The caller of a plain Django view: a bearer token's API client, else the session's person.

    A bearer token that does not authenticate (expired, revoked client) is ignored, not an error: the caller
    is then anonymous and gets the public tier, as anyone scanning the product would.
    """
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        try:
            result = ApiClientAuthentication().authenticate(request)  # type: ignore[arg-type]  # oauthlib reads a Django request
        except APIException:
            return ANONYMOUS
        return viewer_of_client(result[0].client) if result is not None else ANONYMOUS
    return viewer_of_user(getattr(request, "user", None))


def access_for(viewer: Viewer, passport: Passport) -> Access:
    """The tier ``viewer`` gets on ``passport``, computed afresh on every call (see the module docstring)."""
    if passport.organization_id in viewer.organizations:
        return Access(tier="authority", basis=OWNER)
    authorities = AuthorityStatus.objects.current().filter(organization__in=viewer.organizations)
    authority_org = authorities.values_list("organization_id", flat=True).first() if viewer.organizations else None
    if authority_org is not None:
        return Access(tier="authority", basis=AUTHORITY, reader_organization_id=authority_org)
    grant = (
        covering_grants(viewer, passport, "legitimate_interest")
        .values_list("pk", "grantee_organization_id", "grantee_client__organization_id")
        .first()
    )
    if grant is not None:
        grant_id, grantee_org, client_org = grant
        return Access(
            tier="legitimate_interest", basis=GRANT, grant_id=grant_id, reader_organization_id=grantee_org or client_org
        )
    if viewer.organizations:
        named = (
            OperatorLink.objects.filter(passport_id=passport.pk, operator_id__in=viewer.organizations)
            .values_list("operator_id", flat=True)
            .first()
        )
        if named is not None:
            return Access(tier="legitimate_interest", basis=OPERATOR, reader_organization_id=named)
    return Access(tier="public", basis=PUBLIC)


def log_read(viewer: Viewer, passport: Passport, version: PassportVersion | None, access: Access, output: str) -> None:
    """Records a read above the public tier by someone outside the passport's organization (``AccessLogEntry``),
    in the access log and in the owner's audit chain. Reads of the public tier, and an organization's reads of
    its own passports, are not logged."""
    if access.basis in {OWNER, PUBLIC}:
        return
    label = _reader_label(viewer, access)
    entry = AccessLogEntry.objects.create(
        organization_id=passport.organization_id,
        passport=passport,
        version=version,
        version_number=version.number if version is not None else None,
        tier=access.tier,
        basis=access.basis,
        grant_id=access.grant_id,
        output=output,
        reader_organization_id=access.reader_organization_id,
        reader_user_id=viewer.user_id,
        reader_client_id=viewer.client_id,
        reader_label=label,
    )
    audit.record(
        org_id=passport.organization_id,
        action="passport.read",
        object_type="passport",
        object_id=passport.pk,
        object_repr=passport.identifier,
        details={
            "access_log": entry.pk,
            "version": entry.version_number,
            "tier": access.tier,
            "basis": access.basis,
            "grant": access.grant_id,
            "output": output,
            "reader": label,
        },
    )


def _reader_label(viewer: Viewer, access: Access) -> str:
    org = Organization.objects.filter(id__in=[access.reader_organization_id]).values_list("name", flat=True).first()
    if viewer.client_id is not None:
        name, client_id = ApiClient.objects.filter(pk=viewer.client_id).values_list("name", "application__client_id")[0]
        who = f"API client {name} ({client_id})"
    else:
        users = get_user_model().objects.filter(id__in=[viewer.user_id])
        who = users.values_list("username", flat=True).first() or "?"
    return (f"{who}, {org}" if org else who)[:200]


def grantee_q(viewer: Viewer) -> Q:
    """Grants whose grantee is the viewer: one of its organizations, or its API client."""
    condition = Q(grantee_organization_id__in=viewer.organizations) if viewer.organizations else Q(pk__in=[])
    if viewer.client_id is not None:
        condition |= Q(grantee_client_id=viewer.client_id)
    return condition


def covers_q(passport: Passport) -> Q:
    """Grants whose scope takes in ``passport``: all, its category, its product, it or its model passport."""
    chosen = [passport.pk] if passport.parent_id is None else [passport.pk, passport.parent_id]
    return (
        Q(scope=Grant.Scope.ALL)
        | Q(scope=Grant.Scope.CATEGORY, category=passport.product.category)
        | Q(
            scope=Grant.Scope.PRODUCTS,
            pk__in=Grant.products.through.objects.filter(product_id=passport.product_id).values("grant_id"),
        )
        | Q(
            scope=Grant.Scope.PASSPORTS,
            pk__in=Grant.passports.through.objects.filter(passport_id__in=chosen).values("grant_id"),
        )
    )


def covering_grants(viewer: Viewer, passport: Passport, right: str) -> QuerySet[Grant]:
    """The grants in force, from the passport's owner to ``viewer``, that cover ``passport`` with ``right``."""
    if viewer.is_anonymous:
        return Grant.objects.none()
    return (
        Grant.objects.in_force()
        .with_right(right)
        .filter(grantee_q(viewer), covers_q(passport), organization_id=passport.organization_id)
        .order_by("pk")
    )


def tier_for(viewer: Viewer, passport: Passport) -> str:
    """Shorthand for ``access_for(viewer, passport).tier``."""
    return access_for(viewer, passport).tier


def _scope_rows_sql(right: str) -> str:
    """One statement listing what a client's grants with ``right`` cover, as ``(grant, grantor, product or NULL)``.

    The SQL form of `covering_grants`, for the PACT list, whose every request reads it (``lca.pact.server``):
    a grant of everything is one row with no product; any other scope is one row per product it takes in.
    Table and column names come from the models' metadata; every value is a parameter.
    """
    grant, product, passport = Grant._meta.db_table, Product._meta.db_table, Passport._meta.db_table
    client = ApiClient._meta.db_table
    chosen_products = Grant.products.through._meta.db_table
    chosen_passports = Grant.passports.through._meta.db_table
    flag = right  # a BooleanField of Grant: its column is its name
    # A client acts for its organization unless it was made for an outside party (`viewer_of_client`).
    client_org = f"SELECT organization_id FROM {client} WHERE id = %s AND outside_party = %s"  # noqa: S608
    in_force = (
        f"g.{flag} = %s AND g.revoked_at IS NULL AND g.starts_at <= %s"
        " AND (g.expires_at IS NULL OR g.expires_at > %s)"
        f" AND (g.grantee_client_id = %s OR g.grantee_organization_id = ({client_org}))"
    )
    parts = [
        f"SELECT g.id, g.organization_id, NULL FROM {grant} g WHERE {in_force} AND g.scope = 'all'",  # noqa: S608  # names from metadata
        (
            f"SELECT g.id, g.organization_id, c.product_id FROM {grant} g JOIN {chosen_products} c ON c.grant_id = g.id"  # noqa: S608
            f" WHERE {in_force} AND g.scope = 'products'"
        ),
        (
            f"SELECT g.id, g.organization_id, p.id FROM {grant} g JOIN {product} p"  # noqa: S608
            f" ON p.organization_id = g.organization_id AND p.category = g.category"
            f" WHERE {in_force} AND g.scope = 'category'"
        ),
        (
            f"SELECT g.id, g.organization_id, p.product_id FROM {grant} g"  # noqa: S608
            f" JOIN {chosen_passports} c ON c.grant_id = g.id"
            f" JOIN {passport} p ON p.id = c.passport_id WHERE {in_force} AND g.scope = 'passports'"
        ),
    ]
    return " UNION ALL ".join(parts)


_SCOPE_ROWS_SQL = {right: _scope_rows_sql(right) for right in Grant.RIGHTS}


def client_grant_rows(client_id: int, right: str) -> list[tuple[int, int, int | None]]:
    """``(grant id, grantor id, product id or None for all)`` of every grant in force to the client (or its
    organization) with ``right``; one query."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [True, now, now, client_id, client_id, False] * 4
    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_ROWS_SQL[right], params)
        return [(grant, org, product) for grant, org, product in cursor.fetchall()]


def client_grant_scope(client_id: int, right: str) -> list[tuple[int, int | None]]:
    """``(grantor id, product id or None for all)`` of every grant in force to the client with ``right``."""
    return [(org, product) for _grant, org, product in client_grant_rows(client_id, right)]


@dataclass(frozen=True)
class FootprintRead:
    """One PACT footprint a partner's client read under a grant of its owner."""

    owner_id: int
    product_id: int
    footprint_id: uuid.UUID
    grant_id: int | None


def log_footprint_reads(viewer: Viewer, reads: Sequence[FootprintRead], *, reader_organization_id: int | None) -> None:
    """Records footprints read through the PACT API in their owners' access logs, one row per footprint, and
    one event per owner in its audit chain naming the rows. The caller passes only footprints this client has
    not read yet today (``lca.pact.reads``): a partner polling the list is one row a day, not one a poll."""
    if not reads:
        return
    access = Access(tier="legitimate_interest", basis=GRANT, reader_organization_id=reader_organization_id)
    label = _reader_label(viewer, access)
    entries = AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                organization_id=read.owner_id,
                product_id=read.product_id,
                footprint_id=read.footprint_id,
                tier="legitimate_interest",
                basis=GRANT,
                grant_id=read.grant_id,
                output=AccessLogEntry.Output.PACT,
                reader_organization_id=reader_organization_id,
                reader_user_id=viewer.user_id,
                reader_client_id=viewer.client_id,
                reader_label=label,
            )
            for read in reads
        ]
    )
    by_owner: dict[int, list[AccessLogEntry]] = {}
    for entry in entries:
        by_owner.setdefault(entry.organization_id, []).append(entry)
    for owner_id, owned in sorted(by_owner.items()):
        audit.record(
            org_id=owner_id,
            action="footprint.read",
            object_type="pact_footprint",
            object_id=None,
            object_repr=f"{len(owned)} PACT footprint(s)",
            details={
                "access_log": [entry.pk for entry in owned],
                "footprints": [str(entry.footprint_id) for entry in owned],
                "grants": sorted({entry.grant_id for entry in owned if entry.grant_id is not None}),
                "output": AccessLogEntry.Output.PACT,
                "reader": label,
            },
        )
