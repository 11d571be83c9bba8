"""The economic operator named in a passport sees it (issue #14 item 6): ``passports.services.operators``."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from passports.access import ANONYMOUS, access_for, tier_for, viewer_of_client, viewer_of_user
from passports.models import AccessLogEntry, AuditEvent, OperatorLink
from passports.services.operators import named_operator_identifiers
from passports.services.passports import passport_draft_update, passport_publish, passport_version_new
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, example_data, make_passport

pytestmark = pytest.mark.django_db

EORI = "DE5512340000123"  # the importer the battery example names


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def importer(other_tenant: Any) -> Any:
    """The other tenant is the EU importer the example battery passport names, by its EORI number."""
    other_tenant.org.eori = EORI
    other_tenant.org.save(update_fields=["eori"])
    return other_tenant


def _published(tenant: Any, data: dict[str, Any] | None = None) -> Any:
    passport = make_passport(tenant.org, data=data)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_operator_sections_of_each_schema_are_read() -> None:
    assert named_operator_identifiers(example_data("battery")) == [
        ("/general_product_information/operator_information", EORI)
    ]
    textile = named_operator_identifiers(example_data("textile"))
    assert textile == [("/responsible_economic_operator", "NL859876543")]  # the importer repeats it: once
    assert named_operator_identifiers({"importer": {"eori_number": " de 12-34.5 "}}) == [("/importer", "DE12345")]
    assert named_operator_identifiers({"importer": {"eori_number": 12345, "identifier": ""}, "other": []}) == []


def test_the_named_importer_sees_the_passport_at_the_legitimate_interest_tier(tenant: Any, importer: Any) -> None:
    passport = _published(tenant)
    for viewer in (viewer_of_user(importer.viewer), viewer_of_user(importer.owner)):
        access = access_for(viewer, passport)
        assert (access.tier, access.basis, access.reader_organization_id) == (
            "legitimate_interest",
            "operator",
            importer.org.pk,
        )
    assert tier_for(ANONYMOUS, passport) == "public"
    link = OperatorLink.objects.get(passport=passport)
    assert (link.operator_id, link.identifier, link.version_number) == (importer.org.pk, EORI, 1)
    event = AuditEvent.objects.get(organization=tenant.org, action="passport.operator_linked")
    assert event.details == {"operator": importer.org.pk, "identifier": EORI}


def test_an_outside_party_client_of_the_importer_stays_public(
    tenant: Any, importer: Any, make_credentials: Any
) -> None:
    passport = _published(tenant)
    own = make_credentials(importer.org, ("read",), name="importer ERP").client
    handed_out = make_credentials(importer.org, ("read",), name="their customer", outside_party=True).client
    assert tier_for(viewer_of_client(own), passport) == "legitimate_interest"
    assert tier_for(viewer_of_client(handed_out), passport) == "public"


def test_an_identifier_two_organizations_claim_entitles_neither(tenant: Any, importer: Any) -> None:
    OrganizationFactory(name="Claims the same EORI", eori=EORI)
    passport = _published(tenant)
    assert not OperatorLink.objects.filter(passport=passport).exists()
    assert tier_for(viewer_of_user(importer.viewer), passport) == "public"


def test_typing_a_published_eori_into_ones_settings_later_gives_nothing(tenant: Any, other_tenant: Any) -> None:
    """The EORI is on the public page: claiming it after publication must not open the data (no match at read
    time). Only the owner's next publication, or its "Match again", links an organization."""
    passport = _published(tenant)
    other_tenant.org.eori = EORI
    other_tenant.org.save(update_fields=["eori"])
    assert tier_for(viewer_of_user(other_tenant.viewer), passport) == "public"
    url = reverse("operator-links-match-page", args=[passport.pk])
    assert _web(tenant.editor).post(url).status_code == 403  # an owner's decision (passports.roles)
    assert _web(other_tenant.owner).post(url).status_code == 404
    assert tier_for(viewer_of_user(other_tenant.viewer), passport) == "public"
    response = _web(tenant.owner).post(url)
    assert response.status_code == 302
    assert tier_for(viewer_of_user(other_tenant.viewer), passport) == "legitimate_interest"


def test_a_version_that_no_longer_names_the_operator_ends_its_access(tenant: Any, importer: Any) -> None:
    passport = _published(tenant)
    data = copy.deepcopy(example_data("battery"))
    data["general_product_information"]["operator_information"].update(
        identifier="FR9988776655", eori_number="FR9988776655"
    )
    draft = passport_version_new(passport=passport)
    passport_draft_update(version=draft, data=data, if_match="*")
    passport_publish(passport=passport, by=tenant.owner)
    assert not OperatorLink.objects.filter(passport=passport).exists()
    assert tier_for(viewer_of_user(importer.viewer), passport) == "public"
    assert AuditEvent.objects.filter(organization=tenant.org, action="passport.operator_unlinked").count() == 1


def test_the_operators_read_is_logged_and_both_sides_see_the_link(tenant: Any, importer: Any) -> None:
    passport = _published(tenant)
    path = passport.identifier.split("://", 1)[1].split("/", 1)[1]
    response = _web(importer.viewer).get(f"/{path}", {"format": "json"})
    assert response.status_code == 200
    assert "battery_materials" in response.json()["material_composition"]  # legitimate interest, Annex XIII 2
    assert "result_of_test_report" not in response.json().get("labeling", {})  # authorities only
    entry = AccessLogEntry.objects.get(passport=passport)
    assert (entry.basis, entry.tier) == ("operator", "legitimate_interest")
    assert entry.reader_organization_id == importer.org.pk
    partners = _web(importer.viewer).get(reverse("partners-page")).content.decode()
    assert passport.identifier in partners
    dashboard = _web(importer.viewer).get(reverse("home")).content.decode()
    assert passport.identifier in dashboard
    owner_page = _web(tenant.viewer).get(reverse("passport-detail-page", args=[passport.pk])).content.decode()
    assert importer.org.name in owner_page and EORI in owner_page
    assert importer.org.name in _web(tenant.viewer).get(reverse("partners-page")).content.decode()
    korean = _web(tenant.viewer).get(reverse("partners-page"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "귀사 여권에 기재된 경제 운영자" in korean


def test_the_api_lists_the_links_both_ways_and_to_nobody_else(
    tenant: Any, importer: Any, login_api: Any, django_assert_max_num_queries: Any
) -> None:
    passports = [_published(tenant) for _ in range(3)]
    owner, operator = login_api(tenant.viewer), login_api(importer.viewer)
    with django_assert_max_num_queries(12):
        given = owner.get("/api/v1/operator-links/")
    assert given.status_code == 200
    rows = given.json()["results"] if isinstance(given.json(), dict) else given.json()
    assert {(r["passport"], r["operator_name"], r["identifier"]) for r in rows} == {
        (p.pk, importer.org.name, EORI) for p in passports
    }
    received = operator.get("/api/v1/operator-links/", {"direction": "received"}).json()
    received_rows = received["results"] if isinstance(received, dict) else received
    assert {r["identifier_of_passport"] for r in received_rows} == {p.identifier for p in passports}
    assert {r["owner"] for r in received_rows} == {tenant.org.name}
    for direction in ("given", "received"):
        third = OrganizationFactory(name=f"Third {direction}")
        person = UserFactory(username=f"third-{direction}")
        MembershipFactory(organization=third, user=person, role="owner")
        answer = login_api(person).get("/api/v1/operator-links/", {"direction": direction}).json()
        assert (answer["results"] if isinstance(answer, dict) else answer) == []
    refused = owner.get("/api/v1/operator-links/", {"direction": "sideways"})
    assert refused.status_code == 400 and "direction" in refused.content.decode()


def test_the_migration_links_passports_published_before_links_existed(tenant: Any, importer: Any) -> None:
    """0020 applies what each earlier publication said (same rule as publishing); run twice, it adds nothing."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("passports.migrations.0020_operator_links_backfill")
    model = _published(tenant)
    item = make_passport(tenant.org, product=model.product, granularity="item", serial="S1", data={})
    item.parent = model
    item.save(update_fields=["parent"])
    passport_publish(passport=item, by=tenant.owner)  # inherits the model's operator section
    OperatorLink.objects.all().delete()  # as before migration 0018
    backfill.link_published(apps, None)
    backfill.link_published(apps, None)
    links = OperatorLink.objects.order_by("passport_id")
    assert [(link.passport_id, link.operator_id, link.identifier) for link in links] == [
        (model.pk, importer.org.pk, EORI),
        (item.pk, importer.org.pk, EORI),
    ]
    assert tier_for(viewer_of_user(importer.viewer), item) == "legitimate_interest"
