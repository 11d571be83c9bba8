"""OAuth2 client credentials at /auth/token, and bearer tokens on the API."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from passports.auth import revoke_client
from passports.models import ApiClient
from tests.conftest import token_request
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def test_token_then_call_own_organization(tenant: Any, other_tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org, ("read",))
    response = token_request(credentials.basic())
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    own = FacilityFactory(organization=tenant.org)
    theirs = FacilityFactory(organization=other_tenant.org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    listing = client.get("/api/v1/facilities/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/facilities/{theirs.pk}/").status_code == 404


def test_bad_secret_is_invalid_client(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org)
    forged = "Basic " + base64.b64encode(f"{credentials.client_id}:wrong-secret".encode()).decode()
    response = token_request(forged)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unknown_client_is_invalid_client(db: Any) -> None:
    response = token_request("Basic " + base64.b64encode(b"nobody:nothing").decode())
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_secret_is_stored_hashed(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org)
    stored = ApiClient.objects.get(pk=credentials.client.pk).application.client_secret
    assert credentials.secret not in stored
    assert stored.startswith(("pbkdf2", "md5", "argon2", "bcrypt"))


def test_read_scope_cannot_write(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org, ("read",))
    assert client.post("/api/v1/facilities/", {"name": "X", "country": "KR"}).status_code == 403
    writer = bearer_api(tenant.org, ("read", "write"))
    assert writer.post("/api/v1/facilities/", {"name": "X", "country": "KR"}).status_code == 201


def test_scope_beyond_grant_is_refused(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org, ("read",))
    response = token_request(credentials.basic(), scope="read write")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_expired_token_is_refused(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org)
    token = token_request(credentials.basic()).json()["access_token"]
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/facilities/").status_code == 401


def test_revoked_client_loses_tokens_and_gets_no_new_ones(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org)
    token = token_request(credentials.basic()).json()["access_token"]
    revoke_client(credentials.client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/facilities/").status_code == 401
    assert token_request(credentials.basic()).status_code == 401


def test_json_body_is_not_accepted_for_token(tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org)
    response = APIClient().post(
        "/auth/token", {"grant_type": "client_credentials"}, format="json", HTTP_AUTHORIZATION=credentials.basic()
    )
    assert response.status_code == 400


def test_create_api_client_command_prints_credentials_once(tenant: Any, capsys: Any) -> None:
    call_command("create_api_client", "--org", tenant.org.slug, "--name", "ERP", "--scopes", "read,write")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("client_id: ")
    assert lines[1].startswith("client_secret: ")
    client_id = lines[0].split(": ", 1)[1]
    secret = lines[1].split(": ", 1)[1]
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    assert token_request(basic).status_code == 200
    assert ApiClient.objects.get(application__client_id=client_id).scope_set == {"read", "write"}


def test_create_api_client_command_refuses_unknown_org_and_scope(tenant: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_client", "--org", "nope", "--name", "x")
    with pytest.raises(CommandError, match="Unknown"):
        call_command("create_api_client", "--org", tenant.org.slug, "--name", "x", "--scopes", "admin")
