"""Queue a backup copy when a version is published (and re-copy what publication or revocation changed).

``passport_published`` is sent inside the publishing transaction; the copy goes through the transactional
outbox (``core.jobs.enqueue_after_commit``): its row commits with the publication, the task is sent once
the transaction commits, and, if the broker is away then, once it is back. The version that was superseded
is copied again too: its status in the store would otherwise still say "published".
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from core.jobs import enqueue_after_commit
from passports.models import PassportVersion
from passports.signals import passport_published, passport_revoked


def replicate_after_commit(*version_ids: int) -> None:
    from exporters.backup.tasks import replicate_version_task

    for version_id in version_ids:
        enqueue_after_commit(replicate_version_task, version_id)


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.backup.at_publication")
def replicate_published(
    sender: type[PassportVersion], version: PassportVersion, superseded: PassportVersion | None = None, **kwargs: Any
) -> None:
    replicate_after_commit(version.pk, *([superseded.pk] if superseded is not None else []))


@receiver(passport_revoked, sender=PassportVersion, dispatch_uid="exporters.backup.at_revocation")
def replicate_revoked(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    replicate_after_commit(version.pk)
