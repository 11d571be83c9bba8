"""Enqueue a backup copy when a version is published (and re-copy what publication or revocation changed).

``passport_published`` is sent inside the publishing transaction; the copy is enqueued only once that
transaction commits, so a worker never reads a publication that is then rolled back. The version that was
superseded is copied again too: its status in the store would otherwise still say "published".

A failure to enqueue (broker away; in eager mode, the copy itself failing after its retries) is logged and
never reaches the person publishing: the publication has committed, and ``replicate_pending`` catches up.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from passports.models import PassportVersion
from passports.signals import passport_published, passport_revoked

logger = logging.getLogger(__name__)


def enqueue_replication(version_id: int) -> None:
    from exporters.backup.tasks import replicate_version_task

    try:
        replicate_version_task.delay(version_id)
    except Exception:
        logger.exception("could not replicate version %s now; replicate_pending will", version_id)


def replicate_after_commit(*version_ids: int) -> None:
    for version_id in version_ids:
        transaction.on_commit(functools.partial(enqueue_replication, version_id))


@receiver(passport_published, sender=PassportVersion, dispatch_uid="exporters.backup.at_publication")
def replicate_published(
    sender: type[PassportVersion], version: PassportVersion, superseded: PassportVersion | None = None, **kwargs: Any
) -> None:
    replicate_after_commit(version.pk, *([superseded.pk] if superseded is not None else []))


@receiver(passport_revoked, sender=PassportVersion, dispatch_uid="exporters.backup.at_revocation")
def replicate_revoked(sender: type[PassportVersion], version: PassportVersion, **kwargs: Any) -> None:
    replicate_after_commit(version.pk)
