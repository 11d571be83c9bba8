"""Abuse limits: body sizes (413), per-caller throttles (429 + Retry-After), login lock-out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from passports.models import Product

pytestmark = pytest.mark.django_db


def _is_envelope(response: Any, code: str) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body


def test_a_json_body_over_the_limit_answers_413_before_it_is_read(tenant: Any, bearer_api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    client = bearer_api(tenant.org)
    big = {"schema": "battery/1.0", "data": {"padding": "x" * 5_000}}
    response = client.post("/api/v1/validate", big, format="json")
    assert response.status_code == 413
    _is_envelope(response, "too_large")
    assert response.json()["error"]["details"] == [{"limit_bytes": 2_000}]
    # Just under the limit goes through to the view (which answers on the content).
    small = {"schema": "battery/1.0", "data": {"padding": "x" * 1_000}}
    assert client.post("/api/v1/validate", small, format="json").status_code == 200


def test_a_lying_content_length_cannot_smuggle_a_big_body(tenant: Any, bearer_api: Any, settings: Any) -> None:
    # The WSGI stream stops at the declared length: the rest of the body is never read as JSON.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    client = bearer_api(tenant.org)
    body = json.dumps({"schema": "battery/1.0", "data": {}}).encode() + b" " * 50_000
    response = client.generic("POST", "/api/v1/validate", body, content_type="application/json", CONTENT_LENGTH="20")
    assert response.status_code == 400  # a truncated JSON document, refused by the parser


def test_a_form_field_past_the_memory_limit_answers_413_in_the_envelope(
    tenant: Any, bearer_api: Any, settings: Any
) -> None:
    # A multipart body may be large (it carries files) but no plain field may pass DATA_UPLOAD_MAX_MEMORY_SIZE:
    # Django raises RequestDataTooBig while parsing, which the API answers as 413, not as a bare 400 page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    client = bearer_api(tenant.org)
    response = client.post("/api/v1/reports/verify", {"note": "y" * 5_000}, format="multipart")
    assert response.status_code == 413
    _is_envelope(response, "too_large")


def test_too_many_form_fields_answer_400_in_the_envelope(tenant: Any, bearer_api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = bearer_api(tenant.org)
    fields = "&".join(f"f{n}=1" for n in range(20))
    response = client.generic("POST", "/api/v1/products/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    _is_envelope(response, "parse_error")
    assert Product.objects.count() == 0


def test_uploads_past_the_api_upload_limit_answer_413_unread(tenant: Any, login_api: Any, settings: Any) -> None:
    settings.API_MAX_UPLOAD_BYTES = 4_000
    client = login_api(tenant.editor)
    upload = SimpleUploadedFile("big.csv", b"gtin,name\n" + b"1,x\n" * 2_000)
    response = client.post("/api/v1/imports/", {"file": upload, "kind": "products"}, format="multipart")
    assert response.status_code == 413
    _is_envelope(response, "too_large")


def test_web_forms_keep_django_s_own_limit(client: Client, settings: Any) -> None:
    # Only /api/ bodies are answered by the API's limit; pages keep Django's behaviour (400 on the form).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/login/", {"username": "x" * 500, "password": "y"})
    assert response.status_code == 400


# --- throttles ---------------------------------------------------------------------------------------


def test_each_api_client_has_its_own_budget_and_gets_429_with_retry_after(
    tenant: Any, other_tenant: Any, bearer_api: Any, throttle_rates: Any
) -> None:
    mine, theirs = bearer_api(tenant.org), bearer_api(other_tenant.org)
    throttle_rates(principal="3/min")
    assert [mine.get("/api/v1/products/").status_code for _ in range(3)] == [200, 200, 200]
    refused = mine.get("/api/v1/products/")
    assert refused.status_code == 429
    _is_envelope(refused, "throttled")
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 60
    # DRF rounds the header down, the envelope up: both name the same wait.
    assert refused.json()["error"]["details"] == [{"retry_after_seconds": wait + 1}]
    # Writes count against the same budget, and another client is not affected.
    assert mine.post("/api/v1/products/", {}, format="json").status_code == 429
    assert theirs.get("/api/v1/products/").status_code == 200


def test_people_are_throttled_per_person(tenant: Any, login_api: Any, throttle_rates: Any) -> None:
    owner, editor = login_api(tenant.owner), login_api(tenant.editor)
    throttle_rates(principal="2/min")
    assert [owner.get("/api/v1/facilities/").status_code for _ in range(3)] == [200, 200, 429]
    assert editor.get("/api/v1/facilities/").status_code == 200


def test_anonymous_callers_share_a_budget_per_address(db: Any, throttle_rates: Any) -> None:
    throttle_rates(anon="2/min")
    client = APIClient()
    codes = [client.get("/api/v1/schemas/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    other_address = APIClient(REMOTE_ADDR="192.0.2.77")
    assert other_address.get("/api/v1/schemas/").status_code == 200


# --- login lock-out ----------------------------------------------------------------------------------


def test_the_admin_login_locks_out_too(client: Client, tenant: Any, settings: Any) -> None:
    # tests/passports/test_web.py covers /login/; the admin's login goes through the same django-axes check.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": tenant.owner.username, "password": "wrong"})
    locked = client.post("/admin/login/", {"username": tenant.owner.username, "password": "pw-for-tests-1"})
    assert locked.status_code == 429


def test_lock_out_is_per_account_and_address(client: Client, tenant: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": tenant.owner.username, "password": "wrong"})
    assert client.post("/login/", {"username": tenant.owner.username, "password": "pw-for-tests-1"}).status_code == 429
    # Another person at the same address can still sign in: one attacker cannot lock everyone out.
    other = client.post("/login/", {"username": tenant.editor.username, "password": "pw-for-tests-1"})
    assert other.status_code == 302


def test_the_token_endpoint_is_rate_limited_per_address(
    tenant: Any, make_credentials: Any, settings: Any, throttle_rates: Any
) -> None:
    from tests.conftest import token_request

    throttle_rates()  # a fresh cache: the request history lives there
    settings.OAUTH2_TOKEN_THROTTLE_RATE = "3/min"
    credentials = make_credentials(tenant.org)
    wrong = credentials.basic()[:-4] + "AAA="
    answers = [token_request(wrong).status_code for _ in range(2)] + [token_request(credentials.basic()).status_code]
    assert answers == [401, 401, 200]
    refused = token_request(credentials.basic())
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 0 < int(refused["Retry-After"]) <= 61
    # The budget is per rate window: raised (or a minute later), the same address gets tokens again.
    settings.OAUTH2_TOKEN_THROTTLE_RATE = "100/min"
    assert token_request(credentials.basic()).status_code == 200
