"""The owners' view of the backup copy: how many versions are copied, how long the oldest waits, what fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from exporters.backup.status import backup_status
from exporters.models import BackupRecord
from passports.models import PassportVersion
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


def test_lag_and_failures_are_counted_per_organization_and_shown_to_owners(
    tenant: Any, other_tenant: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BACKUP_STORE_URL = tmp_path.as_uri()
    settings.BACKUP_PROVIDER = "Example Storage GmbH"
    with django_capture_on_commit_callbacks(execute=True):
        copied = passport_publish(passport=make_passport(tenant.org))
    waiting = passport_publish(passport=make_passport(tenant.org))  # its after-commit copy never ran
    PassportVersion.objects.filter(pk=waiting.pk).update(updated_at=timezone.now() - timedelta(hours=3))
    BackupRecord.objects.create(organization=tenant.org, version=waiting, attempts=4, last_error="StoreError: refused")
    passport_publish(passport=make_passport(other_tenant.org))  # another organization's backlog is not ours

    status = backup_status(org=tenant.org)
    assert (status.confirmed, status.waiting, status.failing) == (1, 1, 1)
    assert status.provider == "Example Storage GmbH"
    assert status.lag is not None and status.lag >= timedelta(hours=3)
    assert BackupRecord.objects.get(version=copied).provider == "Example Storage GmbH"

    owner = Client()
    owner.force_login(tenant.owner)
    page = owner.get("/organization/public-address/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 version(s) copied and confirmed, 1 waiting." in text
    assert "Example Storage GmbH" in text
    assert "StoreError: refused" in text
    assert "has waited 3" in text
    korean = owner.get("/organization/public-address/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "백업 사본" in korean.content.decode()
