"""Demo of who sees what, for ``manage.py seed_demo``: Hanbit grants its EU importer the legitimate-interest
data of its passports, a German market surveillance authority is verified by the platform's staff, and both
have read a few passports, so the access log has something to show; the Dutch importer the textile passports
name as their economic operator is on the platform and sees them without a grant. Idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from passports.access import access_for, log_read, viewer_of_user
from passports.demo import DEMO_PASSWORD, DemoTenants
from passports.models import AccessLogEntry, AuthorityStatus, Grant, Membership, Organization, Passport
from passports.services.authorities import authority_verify
from passports.services.grants import grant_create
from passports.services.operators import operator_links_refresh_passport

IMPORTER_PURPOSE = (
    "Importer of record in the EU (Battery Regulation Art. 41): checks conformity documentation, answers "
    "market surveillance requests, and informs repairers and recyclers."
)


def _user(username: str, **fields: Any) -> Any:
    user, created = get_user_model().objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def seed_named_operator() -> None:
    """Lage Landen Fashion Import, named by EORI in the shipped textile examples, joins the platform; the
    textile passports' owner matches its operators again, so the importer sees them (``lagelanden-owner``)."""
    operator, _ = Organization.objects.update_or_create(
        slug="lagelanden-fashion",
        defaults={
            "name": "Lage Landen Fashion Import B.V.",
            "country": "NL",
            "role": Organization.Role.IMPORTER,
            "eori": "NL859876543",
            "address": "Herengracht 210, 1016 BS Amsterdam, Netherlands",
        },
    )
    person = _user("lagelanden-owner", first_name="Sanne", last_name="de Vries", email="sanne@lagelanden.example")
    Membership.objects.get_or_create(user=person, organization=operator, defaults={"role": Membership.Role.OWNER})
    for passport in Passport.objects.filter(schema__category="textile", status="published").exclude(
        operator_links__operator=operator
    ):
        operator_links_refresh_passport(passport=passport)


def seed_access(tenants: DemoTenants) -> None:
    seed_named_operator()
    maker, importer = tenants.maker, tenants.importer
    if not Grant.objects.filter(organization=maker, grantee_organization=importer, legitimate_interest=True).exists():
        grant_create(
            grantor=maker,
            by=tenants.users["owner"],
            grantee_organization=importer,
            rights=["legitimate_interest"],
            scope=Grant.Scope.CATEGORY,
            category="battery",
            purpose=IMPORTER_PURPOSE,
        )
    msa, _ = Organization.objects.get_or_create(
        slug="msa-nrw-demo",
        defaults={
            "name": "Marktüberwachung Batterien NRW (demo)",
            "country": "DE",
            "role": Organization.Role.DISTRIBUTOR,
            "address": "Demo authority: not a real office",
        },
    )
    inspector = _user("msa-inspector", first_name="Jonas", last_name="Becker", email="inspector@msa-nrw.example")
    Membership.objects.get_or_create(user=inspector, organization=msa, defaults={"role": Membership.Role.OWNER})
    staff = _user("platform-staff", first_name="Platform", last_name="Staff", email="staff@dpp.example", is_staff=True)
    if not AuthorityStatus.objects.current().filter(organization=msa).exists():
        authority_verify(
            org=msa,
            kind=AuthorityStatus.Kind.MARKET_SURVEILLANCE,
            member_state="DE",
            evidence="Demo: appointment letter checked, contact confirmed by phone to the ministry's published number.",
            by=staff,
        )
    if AccessLogEntry.objects.filter(organization=maker, passport__isnull=False).exists():
        return  # seeded already (the PACT demo's footprint reads are entries too, without a passport)
    published = Passport.objects.filter(organization=maker, versions__status="published").order_by("pk").distinct()
    readers = [(viewer_of_user(tenants.users["importer-owner"]), "html"), (viewer_of_user(inspector), "json")]
    for passport in published[:2]:
        version = passport.versions.filter(status="published").first()
        for viewer, output in readers:
            log_read(viewer, passport, version, access_for(viewer, passport), output)
