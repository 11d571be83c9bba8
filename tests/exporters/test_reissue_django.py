"""Moving to a new public address: one bulk re-issue; earlier credentials keep verifying until revoked; the
resolver serves the newest (issue 16.1)."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from exporters.credentials.verification import verify_token
from exporters.models import IssuedCredential
from passports.models import Passport
from passports.services.passports import passport_publish, passport_revoke
from tests.factories import ProductFactory, make_passport

pytestmark = pytest.mark.django_db

PILOT = "http://localhost:8000"
DOMAIN = "https://passports.example.com"


def _published(tenant: Any, **fields: Any) -> Passport:
    passport = make_passport(tenant.org, **fields)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


def _reissue() -> str:
    out = io.StringIO()
    call_command("reissue_credentials", "--all", stdout=out)
    return out.getvalue()


def test_a_move_reissues_once_and_both_generations_verify_until_revoked(
    tenant: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PLATFORM_BASE_URL = PILOT
    product = ProductFactory(organization=tenant.org)
    model = _published(tenant, product=product)
    item = _published(tenant, product=product, granularity="item", serial="SN-1", data={})
    old_jws = model.versions.get().issued_credential.jws
    old_did = f"did:web:localhost%3A8000:orgs:{tenant.org.slug}"
    assert json.loads(APIClient().get(f"/orgs/{tenant.org.slug}/did.json").content)["id"] == old_did

    settings.PLATFORM_BASE_URL = DOMAIN
    settings.PLATFORM_PREVIOUS_BASE_URLS = [PILOT]
    settings.ALLOWED_HOSTS = ["passports.example.com", "localhost", "testserver"]
    new_did = f"did:web:passports.example.com:orgs:{tenant.org.slug}"
    client = APIClient()
    # Before the re-issue the new address already answers its DID document (the key is published by fragment).
    assert client.get(f"/orgs/{tenant.org.slug}/did.json", HTTP_HOST="passports.example.com").json()["id"] == new_did

    printed = _reissue()
    assert f"{tenant.org.slug}: 2 Digital Link(s) moved, 2 credential(s) issued, 2 status list(s) signed" in printed
    assert "0 credential(s) issued" in _reissue()  # idempotent

    model.refresh_from_db()
    item.refresh_from_db()
    assert model.identifier.startswith(DOMAIN + "/01/") and item.identifier.endswith("/21/SN-1")
    version = model.versions.get()
    assert IssuedCredential.objects.filter(version=version).count() == 2
    served = client.get(urlsplit(model.identifier).path, {"format": "vc-jwt"}, HTTP_HOST="passports.example.com")
    new_jws = served.content.decode()
    assert new_jws == version.issued_credential.jws != old_jws  # the resolver serves the newest
    new_report, old_report = verify_token(new_jws), verify_token(old_jws)
    assert new_report.valid and new_report.issuer == new_did, new_report.as_dict()
    assert old_report.valid and old_report.issuer == old_did, old_report.as_dict()
    # The earlier address still answers for what was issued there: its DID and its status list.
    old_document = client.get(f"/orgs/{tenant.org.slug}/did.json", HTTP_HOST="localhost:8000").json()
    assert old_document["id"] == old_did
    old_status = client.get(f"/orgs/{tenant.org.slug}/status/revocation", HTTP_HOST="localhost:8000")
    assert old_status.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        passport_revoke(version=version, reason="wrong data", by=tenant.owner)
    assert verify_token(new_jws).status == verify_token(old_jws).status == "revoked"


def test_an_owner_reissues_from_the_organization_page(tenant: Any, settings: Any, client: Any) -> None:
    settings.PLATFORM_BASE_URL = PILOT
    passport = _published(tenant)
    settings.PLATFORM_BASE_URL = DOMAIN
    settings.PLATFORM_PREVIOUS_BASE_URLS = [PILOT]
    client.force_login(tenant.editor)
    assert client.get("/organization/public-address/").status_code == 403  # owners only
    client.force_login(tenant.owner)
    page = client.get("/organization/public-address/").content.decode()
    assert f"did:web:passports.example.com:orgs:{tenant.org.slug}" in page
    assert "1 of them names an earlier address." in page
    done = client.post("/organization/public-address/", follow=True)
    moved = "1 Digital Link(s) moved to https://passports.example.com and 1 credential(s) issued"
    assert moved in done.content.decode()
    passport.refresh_from_db()
    assert passport.identifier.startswith(DOMAIN + "/01/")
    assert IssuedCredential.objects.filter(version__passport=passport).count() == 2
