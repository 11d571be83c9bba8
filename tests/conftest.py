"""Fixtures shared by the whole suite: two organizations, their people, their API clients."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from rest_framework.test import APIClient

from passports.models import ApiClient, CompanyPrefix, Membership, Organization
from passports.services.tenants import api_client_create
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class Tenant:
    org: Organization
    owner: AbstractUser
    editor: AbstractUser
    viewer: AbstractUser


#: The GS1 Company Prefixes each test organization holds (issue 21: a product's GTIN must lie under one):
#: the first covers ``gtin_from``'s GTINs (factories, import files) and the ones tests type by hand.
TEST_PREFIXES = {"acme-cells": ("880000", "8801234"), "other-corp": ("4006381",)}


def _tenant(slug: str, country: str) -> Tenant:
    org = OrganizationFactory(slug=slug, name=slug.replace("-", " ").title(), country=country)
    for prefix in TEST_PREFIXES[slug]:
        CompanyPrefix.objects.create(organization=org, prefix=prefix)
    people = {
        role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{slug}-{role}")).user
        for role in (Membership.Role.OWNER, Membership.Role.EDITOR, Membership.Role.VIEWER)
    }
    return Tenant(org=org, owner=people["owner"], editor=people["editor"], viewer=people["viewer"])


@pytest.fixture
def tenant(db: Any) -> Tenant:
    return _tenant("acme-cells", "KR")


@pytest.fixture
def other_tenant(db: Any) -> Tenant:
    return _tenant("other-corp", "DE")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def login_api() -> Callable[[AbstractUser], APIClient]:
    def make(user: AbstractUser) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=None)
        client.force_login(user)
        return client

    return make


@dataclass
class Credentials:
    client: ApiClient
    client_id: str
    secret: str

    def basic(self) -> str:
        raw = f"{self.client_id}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()


@pytest.fixture
def make_credentials() -> Callable[..., Credentials]:
    def make(
        org: Organization,
        scopes: tuple[str, ...] = ("read", "write"),
        name: str = "partner",
        outside_party: bool = False,
    ) -> Credentials:
        client, secret = api_client_create(org=org, name=name, scopes=list(scopes), outside_party=outside_party)
        return Credentials(client=client, client_id=client.client_id, secret=secret)

    return make


def token_request(authorization: str, **form: str) -> Any:
    """POST /auth/token as RFC 6749 §4.4 says: form-encoded body, client credentials by HTTP Basic."""
    body = urlencode({"grant_type": "client_credentials", **form})
    return APIClient().post(
        "/auth/token", body, content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=authorization
    )


@pytest.fixture
def bearer_api(make_credentials: Callable[..., Credentials]) -> Callable[..., APIClient]:
    """An API client authenticated with a real token from /auth/token for the given organization."""

    def make(org: Organization, scopes: tuple[str, ...] = ("read", "write")) -> APIClient:
        credentials = make_credentials(org, scopes)
        response = token_request(credentials.basic())
        assert response.status_code == 200, response.content
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
        return client

    return make


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """A media folder of this test alone (uploads, packs, backups)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST with the test client, then run what the request queued for after its commit (a Celery task)."""

    def send(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return send


from tests.workers import celery_worker  # noqa: E402  # fixture re-exported for every test module

__all__ = ["celery_worker"]
