"""Secrets never leave: private signing keys, client secrets, access tokens, the KEK and SECRET_KEY.

A real organization gets a real API client (raw secret and a real access token) and a real signing key
under a KEK chosen for the test; a passport is published (so the key signs). Then every route of the URLconf
(from the isolation matrix's rows, so a new route is scanned as soon as it has its row), every admin page
and every export is called, with every logger at DEBUG (SQL included), and every response body, ZIP member
and log record is searched for each secret in the forms it could take: raw, hex, base64/base64url, the PEM's
lines and the JWK ``d`` member.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import token_request
from tests.factories import make_passport
from tests.routes.rows import Row, collect_rows

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests/factories.UserFactory
LOGGERS = ("", "django", "django.db.backends", "django.request", "axes", "oauth2_provider", "celery", "exporters")


def _forms(raw: bytes) -> set[str]:
    """The spellings of one secret that could end up in text."""
    return {
        raw.hex(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


@dataclass
class Planted:
    needles: dict[str, str]

    def found_in(self, text: str) -> list[str]:
        return [name for name, needle in self.needles.items() if needle in text]


@pytest.fixture
def planted(tenant: Any, settings: Any, make_credentials: Any) -> Planted:
    from exporters.services.keys import key_create, private_key_of
    from passports.services.passports import passport_publish

    kek = os.urandom(32)
    settings.SIGNING_KEK = base64.b64encode(kek).decode()
    credentials = make_credentials(tenant.org, ("read", "write"))
    token = token_request(credentials.basic()).json()["access_token"]
    key = key_create(org=tenant.org)
    private = private_key_of(key)
    pem = private.private_pkcs8_pem().decode()
    raw_private = private.cryptography_key.private_bytes_raw()  # type: ignore[union-attr]  # Ed25519 (EdDSA)
    needles = {
        "client secret": credentials.secret,
        "access token": token,
        "JWK d": base64.urlsafe_b64encode(raw_private).decode().rstrip("="),
        "private key hex": raw_private.hex(),
        "KEK setting": settings.SIGNING_KEK.rstrip("="),
        "SECRET_KEY": settings.SECRET_KEY,
        "password": PASSWORD,
    }
    for number, line in enumerate(pem.splitlines()):
        if not line.startswith("-----"):
            needles[f"PEM line {number}"] = line
    for spelling in _forms(kek):
        needles[f"KEK {spelling[:6]}"] = spelling
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)  # the key signs the published version's credential
    return Planted(needles)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, SQL included: a secret must not reach the log even at the chattiest level."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    # Prove the capture sees DEBUG from every logger we rely on before trusting an empty result: some routes
    # (/healthz, set_language) log nothing at all, so "no records" cannot be the check.
    for name in LOGGERS:
        logging.getLogger(name or None).debug("capture probe %s", name)
    probes = {record.name for record in caplog.records if record.msg == "capture probe %s"}
    assert probes == {name or "root" for name in LOGGERS}, "the log capture is not working"
    caplog.clear()
    previous = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield caplog
    finally:
        connection.force_debug_cursor = previous


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.__dict__)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


def _texts(response: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for a response's headers, body and, for ZIP files, each member."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    yield "headers", repr(sorted(response.items()))
    yield "body", body.decode("latin-1")
    if body[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                yield f"zip member {name}", archive.read(name).decode("latin-1")


def assert_no_secret(planted: Planted, logs: pytest.LogCaptureFixture, responses: list[tuple[str, Any]]) -> None:
    leaks = []
    for where, response in responses:
        for part, text in _texts(response):
            leaks += [f"{where} ({part}): {name}" for name in planted.found_in(text)]
    for record in logs.records:
        leaks += [f"log {record.name}: {name}" for name in planted.found_in(_record_text(record))]
    assert not leaks, leaks


ROWS = collect_rows()


@pytest.fixture
def callers(tenant: Any, login_api: Any, bearer_api: Any) -> dict[str, APIClient]:
    return {
        "owner": login_api(tenant.owner),
        "client": bearer_api(tenant.org, ("read", "write")),
        "anonymous": APIClient(),
    }


@pytest.mark.parametrize("name", sorted(name for name, row in ROWS.items() if row.kind != "admin"))
def test_no_route_shows_a_secret(
    name: str, planted: Planted, logs: pytest.LogCaptureFixture, tenant: Any, callers: dict[str, APIClient]
) -> None:
    row: Row = ROWS[name]
    kwargs = row.make(tenant) if row.make else {}
    url = reverse(name, kwargs={} if row.kind in {"api_list", "web_page"} else kwargs)
    responses = []
    for method in row.methods:
        for who, client in callers.items():
            response = getattr(client, method)(url, {} if method != "get" else None)
            responses.append((f"{method.upper()} {url} as {who} -> {response.status_code}", response))
    # The token endpoint answers with a token by design; only a request without credentials is made here.
    assert_no_secret(planted, logs, responses)


def test_no_admin_page_shows_a_secret(planted: Planted, logs: pytest.LogCaptureFixture, client: Client) -> None:
    staff = get_user_model().objects.create_superuser("root", "root@example.org", "root-pw-for-tests")
    client.force_login(staff)
    responses = [("admin index", client.get("/admin/"))]
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        responses.append((changelist, client.get(changelist)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            responses.append((change, client.get(change)))
    assert all(response.status_code == 200 for _where, response in responses), [
        (where, response.status_code) for where, response in responses if response.status_code != 200
    ]
    visited = " ".join(where for where, _response in responses)
    assert "/admin/passports/apiclient/" in visited
    assert "/admin/oauth2_provider/application/" in visited
    assert_no_secret(planted, logs, responses)


def test_the_token_flow_logs_no_secret(planted: Planted, logs: pytest.LogCaptureFixture, tenant: Any) -> None:
    from passports.models import ApiClient

    client = ApiClient.objects.filter(organization=tenant.org).first()
    assert client is not None
    wrong = base64.b64encode(f"{client.client_id}:{planted.needles['client secret'][::-1]}".encode()).decode()
    refused = token_request(f"Basic {wrong}")
    assert refused.status_code == 401
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {planted.needles['access token']}")
    used = api.get("/api/v1/products/")
    assert used.status_code == 200
    assert_no_secret(planted, logs, [("refused token request", refused), ("API call", used)])


def test_login_failures_log_no_password(planted: Planted, logs: pytest.LogCaptureFixture, tenant: Any) -> None:
    client = Client()
    failed = client.post("/login/", {"username": tenant.owner.username, "password": PASSWORD + "x"})
    ok = client.post("/login/", {"username": tenant.owner.username, "password": PASSWORD})
    assert (failed.status_code, ok.status_code) == (200, 302)
    planted.needles["wrong password"] = PASSWORD + "x"
    assert_no_secret(planted, logs, [("failed login", failed), ("login", ok)])


def test_the_scan_would_see_a_leak(planted: Planted, logs: pytest.LogCaptureFixture) -> None:
    """The detector itself works: a secret put in a log line and a body is reported."""
    logging.getLogger("exporters").debug("oops %s", planted.needles["JWK d"])
    leaked = APIClient().get("/healthz")
    leaked.content = planted.needles["PEM line 1"].encode()
    with pytest.raises(AssertionError) as caught:
        assert_no_secret(planted, logs, [("planted", leaked)])
    assert "JWK d" in str(caught.value)
    assert "PEM line 1" in str(caught.value)
