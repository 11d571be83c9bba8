"""The answers tests/routes/pact.py declares for each PACT route and caller, checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lca.pact.services import sharing_create
from tests.conftest import token_request
from tests.routes.pact import EXPECTED, ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(tenant: Any, other_tenant: Any, login_api: Any, make_credentials: Any, bearer_api: Any) -> dict[str, Any]:
    """Anonymous, the owner's session, a stranger's client and a partner's client the owner shares with."""
    partner_credentials = make_credentials(other_tenant.org, ("read",), name="partner")
    sharing_create(org=tenant.org, partner=partner_credentials.client)
    partner = APIClient()
    partner.credentials(
        HTTP_AUTHORIZATION="Bearer " + token_request(partner_credentials.basic()).json()["access_token"]
    )
    return {
        "anonymous": APIClient(),
        "session": login_api(tenant.owner),
        "stranger": bearer_api(other_tenant.org, ("read", "write")),
        "partner": partner,
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_answers(name: str, tenant: Any, callers: dict[str, Any]) -> None:
    row = ROWS[name]
    kwargs = row.make(tenant) if row.make else {}
    url = reverse(name, kwargs=kwargs if "pf_id" in kwargs else {})
    for who, client in callers.items():
        method = row.methods[0]
        response = client.get(url) if method == "get" else client.post(url, {}, format="json")
        assert response.status_code == EXPECTED[name][who], (who, response.status_code, response.content)
        body = response.content.decode()
        assert ("OWNER-SECRET" in body) == (who == "partner" and method == "get" and row.make is not None), who
