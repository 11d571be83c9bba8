"""Partners and access (web): owners grant and revoke, partners see what they were granted, owners read the log."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from passports.models import AccessLogEntry, AuditEvent, Grant
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_json(client: Any, passport: Any) -> dict[str, Any]:
    response = client.get(urlsplit(passport.identifier).path, HTTP_ACCEPT="application/json")
    while response.status_code in {301, 302, 307, 308}:
        response = client.get(response["Location"], HTTP_ACCEPT="application/json")
    return json.loads(response.content)


def test_an_owner_grants_by_eori_and_revokes_and_the_partner_sees_it(tenant: Any, other_tenant: Any) -> None:
    other_tenant.org.eori = "DE1234567890123"
    other_tenant.org.save()
    passport = make_passport(tenant.org)
    passport_publish(passport=passport, by=tenant.owner)
    owner, partner = as_user(tenant.owner), as_user(other_tenant.viewer)
    response = owner.post(
        reverse("partners-page"),
        {"grantee": "de1234567890123", "rights": ["legitimate_interest"], "scope": "all", "purpose": "Recycling"},
    )
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.grantee_organization, grant.created_by) == (other_tenant.org, tenant.owner)
    assert "Recycling" in partner.get(reverse("partners-page")).content.decode()  # "granted to you"
    assert "battery_materials" in read_json(partner, passport)["material_composition"]
    owner.post(reverse("grant-revoke-page", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_by == tenant.owner
    assert "battery_materials" not in read_json(partner, passport)["material_composition"]
    assert AuditEvent.objects.filter(organization=tenant.org, object_type="grant", actor_label=tenant.owner.username)


def test_refusals_show_beside_their_field(tenant: Any, other_tenant: Any) -> None:
    theirs = make_passport(other_tenant.org)
    owner = as_user(tenant.owner)
    cases = [
        ({"grantee": tenant.org.slug}, "already sees its own data"),
        ({"grantee": "nobody-here"}, "No organization or active API client"),
        ({"grantee": other_tenant.org.slug, "scope": "products"}, "Choose at least one product"),
        ({"grantee": other_tenant.org.slug, "scope": "passports", "passports": [theirs.pk]}, "Select a valid choice"),
        ({"grantee": other_tenant.org.slug, "rights": []}, "This field is required"),
    ]
    for fields, message in cases:
        body = {"rights": ["legitimate_interest"], "scope": "all", "purpose": "Repairs", **fields}
        response = owner.post(reverse("partners-page"), body)
        assert response.status_code == 400, fields
        assert message in response.content.decode(), fields
    assert not Grant.objects.exists()


def test_only_owners_grant_and_revoke(tenant: Any, other_tenant: Any) -> None:
    editor = as_user(tenant.editor)
    body = {"grantee": other_tenant.org.slug, "rights": ["legitimate_interest"], "scope": "all", "purpose": "x"}
    assert editor.post(reverse("partners-page"), body).status_code == 403
    assert editor.get(reverse("partners-page")).status_code == 200  # members read the lists
    as_user(tenant.owner).post(reverse("partners-page"), body)
    grant = Grant.objects.get()
    assert editor.post(reverse("grant-revoke-page", args=[grant.pk])).status_code == 403
    assert as_user(other_tenant.owner).post(reverse("grant-revoke-page", args=[grant.pk])).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_owner_reads_filters_and_exports_the_access_log(tenant: Any, other_tenant: Any, bearer_api: Any) -> None:
    first, second = make_passport(tenant.org), make_passport(tenant.org)
    for passport in (first, second):
        passport_publish(passport=passport, by=tenant.owner)
    as_user(tenant.owner).post(
        reverse("partners-page"),
        {"grantee": other_tenant.org.slug, "rights": ["legitimate_interest"], "scope": "all", "purpose": "Audit"},
    )
    partner_person, partner_client = as_user(other_tenant.viewer), bearer_api(other_tenant.org, ("read",))
    read_json(partner_person, first)
    read_json(partner_client, second)
    read_json(APIClient(), first)  # public: not logged
    read_json(as_user(tenant.viewer), first)  # the owner's own people: not logged
    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [(e.passport_id, e.tier, e.output, e.basis) for e in entries] == [
        (first.pk, "legitimate_interest", "json", "grant"),
        (second.pk, "legitimate_interest", "json", "grant"),
    ]
    assert entries[0].reader_label == f"{other_tenant.viewer.username}, {other_tenant.org.name}"
    assert entries[1].reader_label.startswith("API client partner")
    owner = as_user(tenant.owner)
    page = owner.get(reverse("access-log-page"), {"passport": first.pk}).content.decode()
    assert other_tenant.viewer.username in page and "API client partner" not in page
    exported = owner.get(reverse("access-log-page"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["at", "passport", "identifier", "version", "tier"]
    assert {row[1] for row in rows[1:]} == {str(first.pk), str(second.pk)}
    assert "Audit" not in as_user(other_tenant.owner).get(reverse("access-log-page")).content.decode()
    reads = AuditEvent.objects.filter(organization=tenant.org, action="passport.read")
    assert sorted(e.details["access_log"] for e in reads) == [e.pk for e in entries]
    with pytest.raises(PermissionError):
        entries[0].delete()


def test_the_pages_speak_korean(tenant: Any) -> None:
    owner = as_user(tenant.owner)
    page = owner.get(reverse("partners-page"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "파트너와 접근 권한" in page and "접근 권한 부여" in page
    log = owner.get(reverse("access-log-page"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "접근 기록" in log
