"""The access log is append-only (issue 14): the application refuses to change or remove a row, and on
PostgreSQL a trigger refuses it to raw SQL too, as an attacker with database access would send it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from passports.access import access_for, log_read, viewer_of_user
from passports.models import AccessLogEntry
from passports.services.grants import grant_create
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def entry(tenant: Any, other_tenant: Any) -> AccessLogEntry:
    """One logged read: the partner reads the owner's passport through a grant."""
    passport = make_passport(tenant.org)
    version = passport_publish(passport=passport, by=tenant.owner)
    grant_create(
        grantor=tenant.org,
        by=tenant.owner,
        grantee_organization=other_tenant.org,
        rights=["legitimate_interest"],
        purpose="Recycling",
    )
    viewer = viewer_of_user(other_tenant.viewer)
    log_read(viewer, passport, version, access_for(viewer, passport), "json")
    return AccessLogEntry.objects.get(passport=passport)


def test_the_application_refuses_every_way_to_change_or_remove_a_row(entry: AccessLogEntry) -> None:
    entry.tier = "authority"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(tier="authority")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).tier == "legitimate_interest"


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE passports_accesslogentry SET tier = 'public', reader_label = 'nobody' WHERE id = %s",
        "DELETE FROM passports_accesslogentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_update_and_delete(entry: AccessLogEntry, sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    kept = AccessLogEntry.objects.get(pk=entry.pk)
    assert (kept.tier, kept.reader_label) == (entry.tier, entry.reader_label)


@on_postgresql
def test_postgresql_still_takes_new_rows(entry: AccessLogEntry) -> None:
    """Appending is what the log is for: the trigger is on UPDATE and DELETE only."""
    AccessLogEntry.objects.create(
        organization_id=entry.organization_id,
        passport_id=entry.passport_id,
        tier="legitimate_interest",
        basis="grant",
        output="html",
        reader_label="second read",
    )
    assert AccessLogEntry.objects.filter(passport_id=entry.passport_id).count() == 2
