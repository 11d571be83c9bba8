"""Idempotency-Key on API writes (passports/idempotency.py): replay, refusal of reuse, scope and expiry."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from passports.idempotency import claim, digest_body, idempotency_keys_purge, request_fingerprint
from passports.identifiers import gs1_check_digit
from passports.models import IdempotencyKey, Passport, Product
from tests.factories import gtin_from, make_passport

pytestmark = pytest.mark.django_db


def product_body(n: int = 7, name: str = "HB-E60 pack") -> dict[str, Any]:
    return {"gtin": gtin_from(900 + n), "name": name, "category": "battery", "cn_code": "85076000"}


def post(client: APIClient, key: str | None, body: dict[str, Any], path: str = "/api/v1/products/") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, body, format="json", headers=headers)


def test_same_key_same_body_replays_the_first_answer(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    key = str(uuid.uuid4())
    first = post(client, key, product_body())
    again = post(client, key, product_body())
    assert first.status_code == again.status_code == 201, first.content
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Product.objects.filter(organization=tenant.org).count() == 1


def test_without_a_key_a_retry_does_the_work_again(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    assert post(client, None, product_body(1)).status_code == 201
    assert post(client, None, product_body(1)).status_code == 400  # the GTIN exists now
    assert IdempotencyKey.objects.count() == 0


def test_same_key_other_body_is_refused_with_422(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    key = "order-4711"
    assert post(client, key, product_body(1)).status_code == 201
    other = post(client, key, product_body(2))
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # Another endpoint with the same key is another request too.
    passport_post = post(client, key, {"product": 1}, path="/api/v1/passports/")
    assert passport_post.status_code == 422
    assert Product.objects.filter(organization=tenant.org).count() == 1


def test_replays_keep_the_etag_and_the_first_error(tenant: Any, login_api: Any) -> None:
    api = login_api(tenant.editor)
    passport = make_passport(tenant.org)
    detail = api.get(f"/api/v1/passports/{passport.pk}")
    etag = detail["ETag"]
    data = detail.json()["current_version"]["data"]
    headers = {"Idempotency-Key": "patch-1", "If-Match": etag}
    first = api.patch(f"/api/v1/passports/{passport.pk}", {"data": data}, format="json", headers=headers)
    assert first.status_code == 200, first.content
    replay = api.patch(f"/api/v1/passports/{passport.pk}", {"data": data}, format="json", headers=headers)
    assert (replay.status_code, replay["ETag"], replay.content) == (200, first["ETag"], first.content)
    assert first["ETag"] != etag  # the update happened once: a second run would have answered 412
    # A 4xx about the request itself is an answer too, and is replayed.
    stale = {"Idempotency-Key": "patch-2", "If-Match": etag}
    refused = api.patch(f"/api/v1/passports/{passport.pk}", {"data": data}, format="json", headers=stale)
    assert refused.status_code == 412
    again = api.patch(f"/api/v1/passports/{passport.pk}", {"data": data}, format="json", headers=stale)
    assert (again.status_code, again["Idempotent-Replayed"]) == (412, "true")


def test_keys_belong_to_their_caller(tenant: Any, other_tenant: Any, bearer_api: Any, login_api: Any) -> None:
    key = "shared-key"
    mine = post(bearer_api(tenant.org), key, product_body(1, "ours"))
    # The other organization's product lies under its own GS1 company prefix (4006381, tests/conftest.py).
    their_gtin = "04006381" + "00001"
    theirs_body = {**product_body(1, "theirs"), "gtin": their_gtin + str(gs1_check_digit(their_gtin))}
    theirs = post(bearer_api(other_tenant.org), key, theirs_body)
    person = post(login_api(tenant.editor), key, product_body(2, "by hand"))
    assert (mine.status_code, theirs.status_code, person.status_code) == (201, 201, 201)
    assert theirs.json()["name"] == "theirs"
    assert IdempotencyKey.objects.filter(key=key).count() == 3
    scopes = set(IdempotencyKey.objects.values_list("scope", flat=True))
    assert f"user:{tenant.editor.pk}" in scopes
    assert len([scope for scope in scopes if scope.startswith("client:")]) == 2


def test_a_new_token_of_the_same_client_shares_its_keys(tenant: Any, make_credentials: Any) -> None:
    from tests.conftest import token_request

    credentials = make_credentials(tenant.org, ("read", "write"))
    clients = []
    for _ in range(2):
        token = token_request(credentials.basic()).json()["access_token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        clients.append(client)
    first = post(clients[0], "k1", product_body())
    second = post(clients[1], "k1", product_body())
    assert (first.status_code, second.status_code, second["Idempotent-Replayed"]) == (201, 201, "true")


def _claimed_in_flight(client_pk: int, key: str, body: dict[str, Any]) -> IdempotencyKey:
    """Claim a key exactly as the middleware would for this request, as if its process were still running."""
    import json

    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False)  # as DRF's test client renders it
    request = RequestFactory().post("/api/v1/products/", raw, content_type="application/json")
    fingerprint = request_fingerprint(request)
    assert fingerprint is not None
    taken = claim(scope=f"client:{client_pk}", key=key, fingerprint=fingerprint, request=request)
    assert taken.row is not None
    return taken.row


def test_a_key_in_flight_answers_409_then_a_dead_request_is_taken_over(tenant: Any, make_credentials: Any) -> None:
    from tests.conftest import token_request

    credentials = make_credentials(tenant.org, ("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_request(credentials.basic()).json()['access_token']}")
    row = _claimed_in_flight(credentials.client.pk, "k-running", product_body())
    busy = post(client, "k-running", product_body())
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_key_in_flight"
    assert busy["Retry-After"] == "1"
    assert Product.objects.count() == 0
    # The first request's process died: once its lock lapses, the retry runs and its answer is kept.
    IdempotencyKey.objects.filter(pk=row.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    taken_over = post(client, "k-running", product_body())
    replay = post(client, "k-running", product_body())
    assert (taken_over.status_code, replay.status_code, replay.content) == (201, 201, taken_over.content)
    assert Product.objects.count() == 1


def test_server_errors_are_not_kept_so_the_retry_runs(
    tenant: Any, bearer_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from passports.services import passports as services

    client = bearer_api(tenant.org)
    client.raise_request_exception = False
    real = services.product_create
    calls = []

    def fails_once(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database went away")  # the fault: one server error, then health
        return real(**kwargs)

    monkeypatch.setattr(services, "product_create", fails_once)
    failed = post(client, "k-5xx", product_body())
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.filter(key="k-5xx").exists()
    retried = post(client, "k-5xx", product_body())
    assert retried.status_code == 201
    assert len(calls) == 2


def test_throttled_answers_are_not_kept(tenant: Any, bearer_api: Any, throttle_rates: Any) -> None:
    client = bearer_api(tenant.org)
    throttle_rates(principal="1/min")
    assert client.get("/api/v1/products/").status_code == 200
    throttled = post(client, "k-429", product_body())
    assert throttled.status_code == 429
    assert not IdempotencyKey.objects.filter(key="k-429").exists()
    throttle_rates(principal="1000/min")
    assert post(client, "k-429", product_body()).status_code == 201


def test_expired_keys_run_again_and_are_purged(tenant: Any, bearer_api: Any, settings: Any) -> None:
    client = bearer_api(tenant.org)
    assert post(client, "k-old", product_body(1)).status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # A day later the key is free again: the same key with another body is a new request.
    assert post(client, "k-old", product_body(2)).status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_keys_purge() == 1
    assert IdempotencyKey.objects.count() == 0


def test_new_keys_expire_after_the_configured_time(tenant: Any, bearer_api: Any) -> None:
    post(bearer_api(tenant.org), "k-ttl", product_body())
    row = IdempotencyKey.objects.get(key="k-ttl")
    assert timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=24, seconds=1)


@pytest.mark.parametrize("key", ["", " ", "é", "x" * 256, "tab\tinside"])
def test_malformed_keys_are_refused(tenant: Any, bearer_api: Any, key: str) -> None:
    response = post(bearer_api(tenant.org), key, product_body())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert Product.objects.count() == 0


def test_reads_and_anonymous_callers_are_left_alone(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    assert client.get("/api/v1/products/", headers={"Idempotency-Key": "k"}).status_code == 200
    anonymous = post(APIClient(), "k", product_body())
    assert anonymous.status_code == 401
    assert IdempotencyKey.objects.count() == 0


def test_deletes_replay_their_204(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    pk = post(client, None, product_body()).json()["id"]
    first = client.delete(f"/api/v1/products/{pk}", headers={"Idempotency-Key": "del-1"})
    second = client.delete(f"/api/v1/products/{pk}", headers={"Idempotency-Key": "del-1"})
    assert (first.status_code, second.status_code) == (204, 204)
    third = client.delete(f"/api/v1/products/{pk}", headers={"Idempotency-Key": "del-2"})
    assert third.status_code == 404


def _upload(client: APIClient, key: str, data: bytes) -> Any:
    payload = {"file": SimpleUploadedFile("p.csv", data), "kind": "products", "mode": "dry_run"}
    return client.post("/api/v1/imports/", payload, format="multipart", headers={"Idempotency-Key": key})


@pytest.mark.parametrize("memory_limit", [10 * 1024 * 1024, 512], ids=["in-memory", "spooled"])
def test_uploads_replay_although_each_retry_draws_a_new_multipart_boundary(
    tenant: Any, login_api: Any, settings: Any, memory_limit: int
) -> None:
    from passports.models import ImportJob

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = memory_limit
    client = login_api(tenant.editor)
    rows = "".join(f"{gtin_from(n)},Pack {n},battery,85076000\n" for n in range(40))
    data = ("gtin,name,category,cn_code\n" + rows).encode()
    assert len(data) > 512
    first = _upload(client, "upload-1", data)
    second = _upload(client, "upload-1", data)
    assert first.status_code == 202, first.content
    assert (second.status_code, second.content) == (202, first.content)
    assert ImportJob.objects.filter(organization=tenant.org).count() == 1
    other = _upload(client, "upload-1", data + b"9999999999999,x,battery,85076000\n")
    assert other.status_code == 422


def test_schema_documents_the_header_on_every_write(api: APIClient) -> None:
    schema = api.get("/api/schema/?format=json").json()
    writes = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            if path.startswith("/api/v1/") and method in {"post", "put", "patch", "delete"}:
                writes += 1
                assert ("header", "Idempotency-Key") in names, f"{method} {path}"
                assert {"409", "422"} <= set(operation["responses"]), f"{method} {path}"
            else:
                assert ("header", "Idempotency-Key") not in names, f"{method} {path}"
    assert writes >= 15


boundaries = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=?", min_size=1, max_size=70)


@given(st.binary(max_size=400), boundaries, boundaries, st.lists(st.integers(0, 400), max_size=6))
def test_digest_ignores_the_boundary_and_the_chunking(payload: bytes, first: str, second: str, cuts: list[int]) -> None:
    def body(boundary: str) -> bytes:
        return b"--" + boundary.encode() + b"\r\n" + payload + b"\r\n--" + boundary.encode() + b"--\r\n"

    one, two = body(first), body(second)
    points = sorted({min(cut, len(one)) for cut in cuts})
    pieces = [one[a:b] for a, b in zip([0, *points], [*points, len(one)], strict=True)]
    expected = digest_body([one], ("--" + first).encode())
    assert digest_body(pieces, ("--" + first).encode()) == expected
    if ("--" + first).encode() not in payload and ("--" + second).encode() not in payload:
        assert digest_body([two], ("--" + second).encode()) == expected


def test_digest_without_boundary_is_plain_sha256() -> None:
    assert digest_body([b"ab", b"c"], None) == hashlib.sha256(b"abc").hexdigest()


def test_passports_created_once_per_key(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    product = post(client, None, product_body()).json()
    body = {"product": product["id"], "granularity": "model", "schema": "battery/1.0", "data": {}}
    answers = [post(client, "create-passport", body, path="/api/v1/passports/") for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert Passport.objects.filter(organization=tenant.org).count() == 1


def test_methods_a_route_lacks_answer_405_whatever_the_key(tenant: Any, bearer_api: Any) -> None:
    client = bearer_api(tenant.org)
    assert post(client, "k-405", {"schema": "battery/1.0", "data": {}}, path="/api/v1/validate").status_code == 200
    # The same key on PUT, which /validate does not have: the view's 405, not the key's 422.
    put = client.put("/api/v1/validate", {}, format="json", headers={"Idempotency-Key": "k-405"})
    assert put.status_code == 405
    missing = client.post("/api/v1/no-such-route", {}, format="json", headers={"Idempotency-Key": "k-405"})
    assert missing.status_code == 404
    assert IdempotencyKey.objects.filter(key="k-405").count() == 1
