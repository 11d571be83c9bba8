"""API clients page: the secret is shown once and never stored in clear; revoking ends tokens at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from passports.models import ApiClient
from tests.conftest import Credentials, token_request

pytestmark = pytest.mark.django_db


def created_credentials(html: str) -> tuple[str, str]:
    client_id = re.search(r'<code class="secret" id="client-id">([^<]+)</code>', html)
    secret = re.search(r'<code class="secret" id="client-secret">([^<]+)</code>', html)
    assert client_id and secret, "the new client's credentials are shown"
    return client_id.group(1), secret.group(1)


def test_a_new_client_works_with_the_secret_shown_once(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    url = reverse("api-client-list-page")
    response = client.post(url, {"name": "ERP", "scopes": ["read", "write"]})
    assert "no-store" in response["Cache-Control"]
    client_id, secret = created_credentials(response.content.decode())
    api_client = ApiClient.objects.get(name="ERP")
    assert api_client.scope_set == {"read", "write"}
    assert api_client.application.client_secret != secret  # stored hashed
    credentials = Credentials(client=api_client, client_id=client_id, secret=secret)
    token = token_request(credentials.basic())
    assert token.status_code == 200
    assert secret not in client.get(url).content.decode()


def test_revoking_ends_the_clients_tokens(client: Client, tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org, ("read",), name="Old partner")
    token = token_request(credentials.basic()).json()["access_token"]
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert partner.get("/api/v1/products/").status_code == 200
    client.force_login(tenant.owner)
    client.post(reverse("api-client-update-page", args=[credentials.client.pk]), {"_action": "revoke"})
    assert partner.get("/api/v1/products/").status_code == 401
    assert not AccessToken.objects.filter(application=credentials.client.application).exists()
    assert token_request(credentials.basic()).status_code in {400, 401}


def test_scopes_can_be_narrowed(client: Client, tenant: Any, make_credentials: Any) -> None:
    credentials = make_credentials(tenant.org, ("read", "write"))
    client.force_login(tenant.owner)
    client.post(reverse("api-client-update-page", args=[credentials.client.pk]), {"scopes": ["read"]})
    credentials.client.refresh_from_db()
    assert credentials.client.scope_set == {"read"}
    client.post(reverse("api-client-update-page", args=[credentials.client.pk]), {"scopes": []})
    credentials.client.refresh_from_db()
    assert credentials.client.scope_set == {"read"}  # at least one scope stays


def test_a_new_client_needs_a_name_and_a_scope(client: Client, tenant: Any) -> None:
    client.force_login(tenant.owner)
    response = client.post(reverse("api-client-list-page"), {"name": "", "scopes": []})
    assert response.content.decode().count('class="error-text"') == 2
    assert not ApiClient.objects.exists()


def test_another_organizations_client_is_not_found(
    client: Client, tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    theirs = make_credentials(other_tenant.org, name="Their ERP")
    client.force_login(tenant.owner)
    response = client.post(reverse("api-client-update-page", args=[theirs.client.pk]), {"_action": "revoke"})
    assert response.status_code == 404
    theirs.client.refresh_from_db()
    assert theirs.client.revoked_at is None
    assert theirs.client.name not in client.get(reverse("api-client-list-page")).content.decode()


def test_the_clients_page_does_not_query_per_client(
    client: Client, tenant: Any, make_credentials: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(tenant.owner)
    url = reverse("api-client-list-page")
    make_credentials(tenant.org, name="first")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    few_queries = len(few.captured_queries)
    for n in range(8):
        make_credentials(tenant.org, name=f"client {n}")
    with django_assert_max_num_queries(few_queries):
        client.get(url)


def test_a_client_cannot_be_given_an_access_tier(client: Client, tenant: Any, make_credentials: Any) -> None:
    """Tiers of other organizations' data come from their grants; the owner of a client cannot tick one."""
    client.force_login(tenant.owner)
    url = reverse("api-client-list-page")
    response = client.post(url, {"name": "ERP", "scopes": ["read", "legitimate_interest"]})
    assert 'class="error-text"' in response.content.decode()
    assert not ApiClient.objects.filter(name="ERP").exists()
    credentials = make_credentials(tenant.org, ("read",))
    client.post(reverse("api-client-update-page", args=[credentials.client.pk]), {"scopes": ["read", "authority"]})
    credentials.client.refresh_from_db()
    assert credentials.client.scope_set == {"read"}
    refused = token_request(credentials.basic(), scope="read authority")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"
