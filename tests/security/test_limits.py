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


def test_web_forms_are_held_to_the_same_limit(client: Client, settings: Any) -> None:
    # Pages are answered from Content-Length too (config/bodylimits.py), in plain text rather than the envelope.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/login/", {"username": "x" * 500, "password": "y"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain") and b"100 bytes" in response.content


# --- a body limit on every route (issue 21, item 7) ----------------------------------------------------

DECLARED = 300 * 1024 * 1024  # what the attack declared: 300 MB of multipart for the web process to spool
MULTIPART = "multipart/form-data; boundary=x"


def _declared_post(client: Client, path: str, content_type: str = MULTIPART) -> Any:
    """A POST declaring a 300 MB body of which only a few bytes are sent: refused from the header alone (the
    test client fails any read past what was sent, so a route that read the body could not answer 413)."""
    return client.generic("POST", path, b"--x--\r\n", content_type=content_type, CONTENT_LENGTH=str(DECLARED))


@pytest.mark.parametrize(
    "path",
    [
        "/login/",  # any anonymous page form (CSRF is checked later, on a body already spooled)
        "/admin/login/",
        "/i18n/setlang/",
        "/01/09506000134352",  # the resolver
        "/auth/token",
        "/imports/mapping/",  # a page next to the upload page takes no files
        "/api/v1/products/",  # the API takes files only where it imports or verifies them
        "/no/such/route",
    ],
)
def test_every_route_refuses_a_multipart_body_past_the_limit_unread(db: Any, client: Client, path: str) -> None:
    response = _declared_post(client, path)
    assert response.status_code == 413, (path, response.status_code)
    assert str(DECLARED).encode() in response.content


@pytest.mark.parametrize("path", ["/3/events", "/2/events", "/3/footprints"])
def test_pact_routes_refuse_large_bodies_as_pact_errors(db: Any, client: Client, path: str) -> None:
    response = _declared_post(client, path, content_type="application/cloudevents+json")
    assert response.status_code == 413
    assert response.json()["code"] == "BadRequest"


def test_upload_views_keep_their_own_ceiling(tenant: Any, login_api: Any, client: Client, settings: Any) -> None:
    # Form fields stay small, yet a file larger than that still reaches the import (web and API) and the
    # report verification, each under its own ceiling.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    lines = ["gtin,name,category,cn_code"] + [f"{n:014d},Module {n},battery,85076000" for n in range(1, 200)]
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert len(data) > 2_000
    api = login_api(tenant.editor)
    upload = SimpleUploadedFile("modules.csv", data)
    assert api.post("/api/v1/imports/", {"file": upload, "kind": "products"}, format="multipart").status_code != 413
    client.force_login(tenant.editor)
    page = client.post("/imports/", {"file": SimpleUploadedFile("modules.csv", data), "kind": "products"})
    assert page.status_code in {200, 302}
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.7" + b" " * 3_000)
    verify = api.post("/api/v1/reports/verify", {"file": pdf}, format="multipart")
    assert verify.status_code != 413
    # Past the upload view's own ceiling, the same 413 from the header.
    settings.REPORT_VERIFY_MAX_BODY_BYTES = 2_500
    assert _declared_post(client, "/api/v1/reports/verify").status_code == 413


def test_a_chunked_body_is_held_to_its_route_s_limit(settings: Any) -> None:
    import io

    from config.bodylimits import chunked_body_limit
    from core.chunked import ChunkedBodyMiddleware

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    reached: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        reached.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    def send(path: str) -> list[str]:
        statuses: list[str] = []
        environ = {
            "PATH_INFO": path,
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True,
            "wsgi.input": io.BytesIO(b"y" * 5_000),
            "CONTENT_TYPE": MULTIPART,
        }
        ChunkedBodyMiddleware(app, limit=chunked_body_limit)(environ, lambda status, headers: statuses.append(status))
        return statuses

    assert send("/login/") == ["413 Content Too Large"]
    assert send("/imports/") == ["200 OK"]  # the import page takes files
    assert reached == ["/imports/"]


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


def test_an_invented_forwarded_address_does_not_reset_the_anonymous_budget(
    db: Any, throttle_rates: Any, settings: Any
) -> None:
    # DRF's own get_ident believes X-Forwarded-For; core.proxies removes it from peers that are not named
    # proxies, so the API's anonymous budget is the real peer's.
    settings.TRUSTED_PROXIES = []
    throttle_rates(anon="2/min")
    codes = [APIClient().get("/api/v1/schemas/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    # Behind a named proxy, each client it forwards for has a budget of its own.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def via_proxy(client_address: str) -> int:
        api = APIClient(REMOTE_ADDR="10.0.0.5")
        return int(api.get("/api/v1/schemas/", HTTP_X_FORWARDED_FOR=client_address).status_code)

    assert [via_proxy("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert via_proxy("203.0.113.2") == 200


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
