"""Bulk jobs (passports/services/bulk.py): selection, confirmation, chunks, policies, resumption."""

from __future__ import annotations

from typing import Any

import pytest

from passports.models import AuditEvent, BulkJob, BulkJobItem, Passport, PassportVersion
from passports.services import bulk
from tests.factories import example_data, make_passport, make_published_passport

pytestmark = pytest.mark.django_db


def _invalid(org: Any) -> Passport:
    data = example_data("battery")
    data.pop("carbon_footprint", None)
    return make_passport(org, data=data)


def _run(job: BulkJob, **kwargs: Any) -> BulkJob:
    bulk.bulk_job_confirm(job=job, by=job.created_by, enqueue=False)
    return bulk.bulk_job_run(job_id=job.pk, runner="test@host", **kwargs)


def test_nothing_is_signed_before_confirmation(tenant: Any) -> None:
    valid = [make_passport(tenant.org) for _ in range(3)]
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[p.pk for p in valid]),
    )
    assert job.status == BulkJob.Status.PENDING and job.total == 3
    # A pending job is not run even if a task for it arrives.
    bulk.bulk_job_run(job_id=job.pk, runner="test@host")
    assert not PassportVersion.objects.filter(passport__in=valid, status="published").exists()
    done = _run(job)
    assert done.status == BulkJob.Status.DONE
    assert (done.done, done.succeeded, done.failed) == (3, 3, 0)
    assert PassportVersion.objects.filter(passport__in=valid, status="published").count() == 3
    # Each publication went through the single-passport service: signed and audited as one.
    assert all(v.issued_credentials.exists() for v in PassportVersion.objects.filter(status="published"))
    assert AuditEvent.objects.filter(action="passport.published").count() == 3
    assert AuditEvent.objects.filter(action__in=["bulk.confirmed", "bulk.finished"]).count() == 2


def test_valid_only_publishes_the_valid_and_reports_the_others(tenant: Any) -> None:
    valid = [make_passport(tenant.org) for _ in range(3)]
    bad = _invalid(tenant.org)
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[p.pk for p in [*valid, bad]]),
        chunk_size=2,
    )
    done = _run(job)
    assert (done.total, done.done, done.succeeded, done.failed) == (4, 4, 3, 1)
    refused = BulkJobItem.objects.get(job=done, outcome="refused")
    assert refused.passport_id == bad.pk and refused.code == "invalid_passport"
    assert "carbon_footprint" in refused.message_en and refused.message_ko
    assert Passport.objects.get(pk=bad.pk).status == "draft"


def test_all_or_nothing_does_nothing_when_one_is_refused(tenant: Any) -> None:
    valid = [make_passport(tenant.org) for _ in range(3)]
    bad = _invalid(tenant.org)
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        policy="all_or_nothing",
        selection=bulk.Selection(passport_ids=[p.pk for p in [*valid, bad]]),
        chunk_size=2,
    )
    done = _run(job)
    assert done.status == BulkJob.Status.FAILED and done.error_code == "items_refused"
    assert done.failed == 1 and done.succeeded == 0
    assert not PassportVersion.objects.filter(status="published").exists()
    assert list(done.items.values_list("passport_id", flat=True)) == [bad.pk]


def test_all_or_nothing_applies_everything_when_all_pass(tenant: Any) -> None:
    valid = [make_passport(tenant.org) for _ in range(3)]
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        policy="all_or_nothing",
        selection=bulk.Selection(passport_ids=[p.pk for p in valid]),
        chunk_size=2,
    )
    done = _run(job)
    assert done.status == BulkJob.Status.DONE and (done.done, done.succeeded, done.failed) == (3, 3, 0)
    assert PassportVersion.objects.filter(status="published").count() == 3
    assert done.items.filter(outcome="done").count() == 3


def test_a_stopped_run_resumes_after_its_last_chunk(tenant: Any) -> None:
    passports = [make_passport(tenant.org) for _ in range(5)]
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[p.pk for p in passports]),
        chunk_size=2,
    )
    bulk.bulk_job_confirm(job=job, by=tenant.owner, enqueue=False)
    partway = bulk.bulk_job_run(job_id=job.pk, runner="w1@host", max_chunks=1)
    assert partway.status == BulkJob.Status.RUNNING and (partway.done, partway.checkpoint) == (2, 2)
    # Another worker takes the job over (the first one died): it continues, nothing is done twice.
    done = bulk.bulk_job_run(job_id=job.pk, runner="w2@host")
    assert (done.status, done.done, done.succeeded) == (BulkJob.Status.DONE, 5, 5)
    assert list(done.items.values_list("position", flat=True)) == [0, 1, 2, 3, 4]
    assert PassportVersion.objects.filter(status="published").count() == 5


def test_items_are_created_from_a_serial_range_under_a_published_model(tenant: Any) -> None:
    model = make_published_passport(tenant.org)
    serials = bulk.serials_from_range(prefix="SN-", first=1, last=12, width=4)
    assert serials[0] == "SN-0001" and serials[-1] == "SN-0012"
    job = bulk.bulk_job_create(
        org=tenant.org, by=tenant.owner, operation="create_items", parent=model, serials=serials, publish_created=True
    )
    done = _run(job)
    assert (done.done, done.succeeded, done.failed) == (12, 12, 0)
    items = Passport.objects.filter(parent=model, granularity="item")
    assert items.count() == 12 and set(items.values_list("status", flat=True)) == {"published"}
    # The items inherit the model's published version, frozen with them.
    published = PassportVersion.objects.get(passport=model, status="published")
    assert set(PassportVersion.objects.filter(passport__in=items).values_list("base_version", flat=True)) == {
        published.pk
    }


def test_items_need_a_published_model(tenant: Any) -> None:
    model = make_passport(tenant.org)
    with pytest.raises(bulk.BulkRequestError) as refused:
        bulk.bulk_job_create(org=tenant.org, by=tenant.owner, operation="create_items", parent=model, serials=["A1"])
    assert refused.value.field == "parent" and refused.value.code == "parent_not_published"


def test_a_bad_serial_is_named_by_its_line(tenant: Any) -> None:
    model = make_published_passport(tenant.org)
    for serials, field in (
        (["A1", "A 2"], "serials[2]"),
        (["A1", "B", "A1"], "serials[3]"),
        (["x" * 21], "serials[1]"),
    ):
        with pytest.raises(bulk.BulkRequestError) as refused:
            bulk.bulk_job_create(
                org=tenant.org, by=tenant.owner, operation="create_items", parent=model, serials=serials
            )
        assert refused.value.field == field


def test_a_taken_serial_is_refused_alone(tenant: Any) -> None:
    model = make_published_passport(tenant.org)
    make_passport(tenant.org, granularity="item", product=model.product, serial="TAKEN", data={})
    job = bulk.bulk_job_create(
        org=tenant.org, by=tenant.owner, operation="create_items", parent=model, serials=["NEW1", "TAKEN", "NEW2"]
    )
    done = _run(job)
    assert (done.succeeded, done.failed) == (2, 1)
    assert done.items.get(outcome="refused").key == "TAKEN"


def test_bulk_new_version_and_revoke(tenant: Any) -> None:
    published = [make_published_passport(tenant.org) for _ in range(3)]
    ids = [p.pk for p in published]
    with pytest.raises(bulk.BulkRequestError) as no_reason:
        bulk.bulk_job_create(
            org=tenant.org, by=tenant.owner, operation="revoke", selection=bulk.Selection(passport_ids=ids)
        )
    assert no_reason.value.field == "reason"
    revoked = _run(
        bulk.bulk_job_create(
            org=tenant.org,
            by=tenant.owner,
            operation="revoke",
            reason="Cell supplier recall 2026-11",
            selection=bulk.Selection(passport_ids=ids),
        )
    )
    assert revoked.succeeded == 3
    versions = PassportVersion.objects.filter(passport__in=published)
    assert set(versions.values_list("status", "revocation_reason")) == {("revoked", "Cell supplier recall 2026-11")}
    fresh = [make_published_passport(tenant.org) for _ in range(2)]
    new = _run(
        bulk.bulk_job_create(
            org=tenant.org,
            by=tenant.owner,
            operation="new_version",
            selection=bulk.Selection(passport_ids=[p.pk for p in fresh]),
        )
    )
    assert new.succeeded == 2
    assert PassportVersion.objects.filter(passport__in=fresh, status="draft", number=2).count() == 2


def test_model_passports_are_published_before_their_items(tenant: Any) -> None:
    model = make_passport(tenant.org)
    item = make_passport(tenant.org, granularity="item", product=model.product, serial="I1", data={})
    # Items first in the selection: the job still publishes the model first, so the item inherits it (and the
    # all-or-nothing check accepts the item because its model is published by the same job).
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        policy="all_or_nothing",
        selection=bulk.Selection(passport_ids=[item.pk, model.pk]),
    )
    assert job.targets == [model.pk, item.pk]
    done = _run(job)
    assert done.status == BulkJob.Status.DONE, done.error_en
    assert Passport.objects.get(pk=item.pk).status == "published"


def test_another_organizations_passports_cannot_be_selected(tenant: Any, other_tenant: Any) -> None:
    theirs = make_passport(other_tenant.org)
    with pytest.raises(bulk.BulkRequestError) as refused:
        bulk.bulk_job_create(
            org=tenant.org, by=tenant.owner, operation="publish", selection=bulk.Selection(passport_ids=[theirs.pk])
        )
    assert refused.value.field == "passports" and str(theirs.pk) in refused.value.message_en


def test_confirming_twice_is_refused(tenant: Any) -> None:
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[make_passport(tenant.org).pk]),
    )
    bulk.bulk_job_confirm(job=job, by=tenant.owner, enqueue=False)
    with pytest.raises(bulk.BulkRequestError):
        bulk.bulk_job_confirm(job=job, by=tenant.owner, enqueue=False)
    with pytest.raises(bulk.BulkRequestError):
        bulk.bulk_job_cancel(job=job, by=tenant.owner)


def test_publish_on_import_publishes_the_imported_valid_drafts(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import io
    from pathlib import Path

    from django.core.files import File

    from passports.imports.services import import_job_create, import_job_run
    from tests.factories import ProductFactory, gtin_from

    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin_from(900 + n), category="battery")
    source = Path(__file__).resolve().parents[1] / "data" / "imports" / "battery-decimal-comma.csv"
    job = import_job_create(
        org=tenant.org,
        by=tenant.owner,
        upload=File(io.BytesIO(source.read_bytes()), name=source.name),
        kind="battery",
        mode="commit",
        policy="valid_rows",
        publish=True,
        enqueue=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported = import_job_run(job_id=job.pk)
    assert imported.rows_created == 3
    publishing = BulkJob.objects.get(import_job=imported)
    assert (publishing.operation, publishing.status, publishing.confirmed_by) == ("publish", "done", tenant.owner)
    assert (publishing.succeeded, publishing.failed) == (3, 0)
    assert set(Passport.objects.filter(import_jobs=imported).values_list("status", flat=True)) == {"published"}


def test_a_dry_run_never_publishes(tenant: Any) -> None:
    import io
    from pathlib import Path

    from django.core.files import File

    from passports.imports.services import import_job_create, import_job_run
    from tests.factories import ProductFactory, gtin_from

    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin_from(900 + n), category="battery")
    source = Path(__file__).resolve().parents[1] / "data" / "imports" / "battery-decimal-comma.csv"
    job = import_job_create(
        org=tenant.org,
        by=tenant.owner,
        upload=File(io.BytesIO(source.read_bytes()), name=source.name),
        kind="battery",
        publish=True,
        enqueue=False,
    )
    assert not job.publish_on_import
    import_job_run(job_id=job.pk)
    assert not BulkJob.objects.exists()


def test_the_sweeper_resumes_a_job_whose_worker_went_silent(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from core.sweeper import sweep_stuck_jobs

    passports = [make_passport(tenant.org) for _ in range(4)]
    job = bulk.bulk_job_create(
        org=tenant.org,
        by=tenant.owner,
        operation="publish",
        selection=bulk.Selection(passport_ids=[p.pk for p in passports]),
        chunk_size=2,
    )
    pending_before = BulkJob.objects.filter(pk=job.pk)
    pending_before.update(updated_at=timezone.now() - timedelta(hours=2))
    sweep_stuck_jobs()
    assert pending_before.get().status == BulkJob.Status.PENDING  # nobody confirmed it: it is not run
    bulk.bulk_job_confirm(job=job, by=tenant.owner, enqueue=False)
    bulk.bulk_job_run(job_id=job.pk, runner="dead@host", max_chunks=1)
    BulkJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_stuck_jobs()  # the task runs eagerly here (no broker): it resumes after the first chunk
    done = BulkJob.objects.get(pk=job.pk)
    assert (done.status, done.done, done.succeeded) == (BulkJob.Status.DONE, 4, 4)
    assert sorted(done.items.values_list("position", flat=True)) == [0, 1, 2, 3]
