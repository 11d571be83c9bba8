"""Forwarding headers only from trusted proxies; PACT throttles per client and per real address; chunked
bodies arrive whole."""

from __future__ import annotations

import io
import ipaddress
import json
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.chunked import ChunkedBodyMiddleware
from core.proxies import client_address
from lca.pact.services import sharing_create
from tests.conftest import token_request
from tests.lca.pact_support import publish

pytestmark = pytest.mark.django_db

DISCOVERY = "/.well-known/openid-configuration"


@pytest.fixture(autouse=True)
def _clean(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as in production
    cache.clear()


def _token_endpoint(**headers: str) -> str:
    return str(APIClient().get(DISCOVERY, **headers).json()["token_endpoint"])


def test_forwarded_proto_from_anyone_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert _token_endpoint(HTTP_X_FORWARDED_PROTO="https").startswith("http://")
    settings.SECURE_SSL_REDIRECT = True
    # A plain-HTTP request claiming to be https is still redirected, not served as secure.
    response = APIClient().get("/3/footprints", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301


def test_forwarded_proto_from_the_named_proxy_is_believed(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _token_endpoint(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https").startswith("https://")
    assert _token_endpoint(REMOTE_ADDR="10.0.1.5", HTTP_X_FORWARDED_PROTO="https").startswith("http://")


def test_client_address_walks_past_trusted_hops_only() -> None:
    networks = (ipaddress.ip_network("10.0.0.0/8"),)
    # The client wrote "1.1.1.1" itself; the proxy appended the address it saw (203.0.113.9).
    assert client_address("10.0.0.5", "1.1.1.1, 203.0.113.9", networks) == "203.0.113.9"
    assert client_address("10.0.0.5", "203.0.113.9, 10.0.0.7", networks) == "203.0.113.9"  # two proxies
    assert client_address("198.51.100.1", "1.1.1.1", networks) == "198.51.100.1"  # peer not a proxy
    assert client_address("10.0.0.5", "not-an-address", networks) == "10.0.0.5"


def test_bad_token_throttle_counts_the_real_peer_not_the_forwarded_address(settings: Any) -> None:
    """Inventing a new X-Forwarded-For per request does not reset the budget of requests without a token."""
    settings.TRUSTED_PROXIES = []
    settings.PACT_THROTTLE_ANON_RATE = "3/min"
    answers = [APIClient().get("/3/footprints", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 429, 429]
    refused = APIClient().get("/2/footprints", HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert json.loads(refused.content)["code"] == "TooManyRequests"
    # Another real address has its own budget.
    assert APIClient().get("/3/footprints", REMOTE_ADDR="198.51.100.20").status_code == 401


def test_each_partner_client_has_its_own_budget(
    settings: Any, tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    settings.PACT_THROTTLE_RATE = "2/min"
    publish(tenant.org)
    apis = []
    for name in ("first partner", "second partner"):
        credentials = make_credentials(other_tenant.org, ("read",), name=name)
        sharing_create(org=tenant.org, partner=credentials.client)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(credentials.basic()).json()["access_token"])
        apis.append(api)
    first, second = apis
    assert [first.get("/3/footprints").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/3/footprints").status_code == 200  # same address, another client: its own budget


def test_chunked_body_reaches_the_application_whole(settings: Any) -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen["length"] = environ["CONTENT_LENGTH"]
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b""]

    body = b'{"specversion": "1.0"}'

    def chunked(data: bytes) -> dict[str, Any]:
        return {
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True,
            "wsgi.input": io.BytesIO(data),
            "CONTENT_TYPE": "application/cloudevents+json",
        }

    ChunkedBodyMiddleware(app)(chunked(body), lambda *args: None)
    assert seen == {"length": str(len(body)), "body": body}

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    statuses: list[str] = []
    answer = ChunkedBodyMiddleware(app)(chunked(b"x" * 11), lambda status, headers: statuses.append(status))
    assert statuses == ["413 Content Too Large"] and b"10 bytes" in b"".join(answer)
