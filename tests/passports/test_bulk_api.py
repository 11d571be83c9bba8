"""The bulk API: create (pending) → confirm (202) → results; idempotency keys; refusals naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from passports.models import BulkJob, Passport, PassportVersion
from tests.factories import example_data, make_passport, make_published_passport

pytestmark = pytest.mark.django_db


def test_publish_selected_with_confirmation_and_per_item_results(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.editor)
    good = [make_passport(tenant.org) for _ in range(2)]
    data = example_data("battery")
    data.pop("carbon_footprint")
    bad = make_passport(tenant.org, data=data)
    created = client.post(
        "/api/v1/bulk-jobs/",
        {"operation": "publish", "passports": [p.pk for p in [*good, bad]]},
        format="json",
        headers={"Idempotency-Key": "bulk-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["total"], body["done"]) == ("pending", 3, 0)
    assert body["confirm_url"] == f"/api/v1/bulk-jobs/{body['id']}/confirm"
    # The same request again (a lost answer): the same job, not a second one.
    again = client.post(
        "/api/v1/bulk-jobs/",
        {"operation": "publish", "passports": [p.pk for p in [*good, bad]]},
        format="json",
        headers={"Idempotency-Key": "bulk-1"},
    )
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert BulkJob.objects.count() == 1
    assert not PassportVersion.objects.filter(status="published").exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(body["confirm_url"], headers={"Idempotency-Key": "bulk-1-confirm"})
    assert confirmed.status_code == 202, confirmed.content
    job = client.get(f"/api/v1/bulk-jobs/{body['id']}").json()
    assert (job["status"], job["progress"], job["succeeded"], job["failed"]) == ("done", 1.0, 2, 1)
    replay = client.post(body["confirm_url"], headers={"Idempotency-Key": "bulk-1-confirm"})
    assert replay.status_code == 202  # replayed answer, the job is not run twice
    assert client.post(body["confirm_url"]).status_code == 409  # a new confirmation of a job done
    refused = client.get(f"/api/v1/bulk-jobs/{body['id']}/items?outcome=refused").json()
    assert len(refused["results"]) == 1
    item = refused["results"][0]
    assert (item["passport"], item["outcome"], item["code"]) == (bad.pk, "refused", "invalid_passport")
    assert item["message_ko"] and item["message_en"]
    assert PassportVersion.objects.filter(status="published").count() == 2


def test_refusals_name_the_field(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    client = login_api(tenant.editor)
    theirs = make_passport(other_tenant.org)
    answer = client.post("/api/v1/bulk-jobs/", {"operation": "publish", "passports": [theirs.pk]}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["details"][0]["pointer"] == "/passports"
    model = make_published_passport(tenant.org)
    bad_serial = client.post(
        "/api/v1/bulk-jobs/",
        {"operation": "create_items", "model_passport": model.pk, "serials": ["OK-1", "BAD 2"]},
        format="json",
    )
    assert bad_serial.status_code == 400
    assert bad_serial.json()["error"]["details"][0]["pointer"] == "/serials/2"
    neither = client.post("/api/v1/bulk-jobs/", {"operation": "publish"}, format="json")
    assert neither.status_code == 400 and "passports" in neither.content.decode()
    unknown = client.post("/api/v1/bulk-jobs/", {"operation": "explode", "passports": [1]}, format="json")
    assert unknown.status_code == 400 and "operation" in unknown.content.decode()


def test_items_from_a_range_and_publish_by_filter_across_pages(
    tenant: Any, login_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login_api(tenant.editor)
    model = make_published_passport(tenant.org)
    created = client.post(
        "/api/v1/bulk-jobs/",
        {
            "operation": "create_items",
            "model_passport": model.pk,
            "serial_range": {"prefix": "B26-", "first": 1, "last": 30, "width": 3},
        },
        format="json",
    ).json()
    assert created["total"] == 30
    with django_capture_on_commit_callbacks(execute=True):
        client.post(created["confirm_url"])
    assert Passport.objects.filter(parent=model, status="draft").count() == 30
    # Every draft item of the model, whatever page the list would show it on.
    chosen = client.post(
        "/api/v1/bulk-jobs/",
        {"operation": "publish", "filter": {"granularity": "item", "status": "draft"}},
        format="json",
    ).json()
    assert chosen["total"] == 30
    with django_capture_on_commit_callbacks(execute=True):
        client.post(chosen["confirm_url"])
    assert Passport.objects.filter(parent=model, status="published").count() == 30


def test_bulk_revoke_needs_the_owner_role(tenant: Any, login_api: Any) -> None:
    published = make_published_passport(tenant.org)
    body = {"operation": "revoke", "passports": [published.pk], "reason": "recall"}
    assert login_api(tenant.editor).post("/api/v1/bulk-jobs/", body, format="json").status_code == 403
    assert login_api(tenant.owner).post("/api/v1/bulk-jobs/", body, format="json").status_code == 201
    no_reason = login_api(tenant.owner).post("/api/v1/bulk-jobs/", {**body, "reason": ""}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["details"][0]["pointer"] == "/reason"


def test_a_viewer_cannot_create_jobs(tenant: Any, login_api: Any) -> None:
    passport = make_passport(tenant.org)
    answer = login_api(tenant.viewer).post(
        "/api/v1/bulk-jobs/", {"operation": "publish", "passports": [passport.pk]}, format="json"
    )
    assert answer.status_code == 403


def test_an_api_client_creates_and_confirms_with_idempotency_keys(
    tenant: Any, bearer_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = bearer_api(tenant.org, ("read", "write"))
    drafts = [make_passport(tenant.org) for _ in range(2)]
    body = {"operation": "publish", "passports": [p.pk for p in drafts], "policy": "all_or_nothing"}
    first = client.post("/api/v1/bulk-jobs/", body, format="json", headers={"Idempotency-Key": "erp-batch-7"})
    assert first.status_code == 201, first.content
    other = client.post(
        "/api/v1/bulk-jobs/",
        {**body, "policy": "valid_only"},
        format="json",
        headers={"Idempotency-Key": "erp-batch-7"},
    )
    assert other.status_code == 422  # the same key with another request
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(first.json()["confirm_url"], headers={"Idempotency-Key": "erp-batch-7-go"})
    assert confirmed.status_code == 202
    job = client.get(f"/api/v1/bulk-jobs/{first.json()['id']}").json()
    assert (job["status"], job["succeeded"], job["policy"]) == ("done", 2, "all_or_nothing")
    assert PassportVersion.objects.filter(passport__in=drafts, status="published").count() == 2


def test_a_passport_id_no_row_can_have_is_refused_naming_the_field(tenant: Any, login_api: Any) -> None:
    """Found by the stateful API fuzzing: an id past 2^63 in a bulk selection reached SQLite (a 500)."""
    answer = login_api(tenant.owner).post(
        "/api/v1/bulk-jobs/", {"operation": "publish", "passports": [2**70]}, format="json"
    )
    assert answer.status_code == 400
    assert "passports" in json.dumps(answer.json())
