"""How far the backup copy of an organization's passports lags behind, and what failed: for its owners' page.

Replication is asynchronous (through the outbox, then a Celery task that retries), so an owner must be able to
see that every published version reached the second store, and if not, since when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Min
from django.utils import timezone

from exporters.backup.replication import versions_needing_backup
from exporters.models import BackupRecord
from passports.models import Organization


@dataclass(frozen=True)
class BackupStatus:
    confirmed: int
    waiting: int
    failing: int
    oldest_waiting_since: datetime | None
    last_confirmed_at: datetime | None
    provider: str
    last_error: str

    @property
    def lag(self) -> timedelta | None:
        """How long the oldest version still without a current copy has waited."""
        return timezone.now() - self.oldest_waiting_since if self.oldest_waiting_since else None


def backup_status(*, org: Organization) -> BackupStatus:
    waiting = versions_needing_backup().filter(organization=org)
    records = BackupRecord.objects.filter(organization=org)
    failing = records.filter(confirmed_at__isnull=True).exclude(last_error="")
    latest = records.filter(confirmed_at__isnull=False).order_by("-confirmed_at").first()
    newest_failure = failing.order_by("-updated_at").first()
    return BackupStatus(
        confirmed=records.filter(confirmed_at__isnull=False).count(),
        waiting=waiting.count(),
        failing=failing.count(),
        oldest_waiting_since=waiting.aggregate(since=Min("updated_at"))["since"],
        last_confirmed_at=records.aggregate(last=Max("confirmed_at"))["last"],
        provider=latest.provider if latest is not None else "",
        last_error=newest_failure.last_error if newest_failure is not None else "",
    )
