"""The transactional outbox (``OutboxMessage``): write a task with the change it follows, send it after commit.

``core.jobs.enqueue_after_commit`` lands here once the app is ready (``install``). Sending happens in three
places, all through ``message_send``:

- right after the commit, in the process that wrote the row (the usual case: no delay while Redis is up);
  after a failure to reach the broker this process stops trying for ``PAUSE_SECONDS`` so that requests made
  while Redis is away do not each wait for its connection timeout;
- ``outbox_dispatch`` (a Celery task run by beat every ``OUTBOX_DISPATCH_SECONDS``, sent at every worker start,
  and ``manage.py outbox_dispatch``): everything still pending, oldest first, until the broker refuses.

A row is claimed with a conditional UPDATE (a lease) before it is sent and marked ``dispatched_at`` once the
broker took it, so concurrent dispatchers send it once and a dispatcher killed mid-send leaves it to the next.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from celery import current_app
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

from core import jobs
from core.degraded import is_broker_down
from passports.models import OutboxMessage

logger = logging.getLogger(__name__)

LEASE: Final = timedelta(seconds=60)
PAUSE_SECONDS: Final = 15.0
KEEP_SENT: Final = timedelta(days=7)
#: One quick retry only: a request must not wait long on a broker that is away (the outbox keeps the task).
RETRY_POLICY: Final = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

_paused_until = 0.0


def _pause() -> None:
    global _paused_until  # noqa: PLW0603  # per-process circuit breaker for sends right after a commit
    _paused_until = time.monotonic() + PAUSE_SECONDS


def _resume() -> None:
    global _paused_until  # noqa: PLW0603
    _paused_until = 0.0


def sending_paused() -> bool:
    """True while this process recently failed to reach the broker (sends after commit wait for dispatch)."""
    return time.monotonic() < _paused_until


def outbox_write(task: str, args: list[Any], kwargs: dict[str, Any], using: str | None = None) -> OutboxMessage:
    """Record ``task`` in the current transaction and send it once that commits."""
    alias = using or DEFAULT_DB_ALIAS
    message = OutboxMessage.objects.using(alias).create(task=task, args=args, kwargs=kwargs)
    transaction.on_commit(functools.partial(_send_after_commit, message.pk, alias), using=alias)
    return message


def install() -> None:
    """Make the outbox the way every ``core.jobs.enqueue_after_commit`` goes (called by the app's ``ready``)."""
    jobs.install_outbox(outbox_write)


def _send_after_commit(message_id: int, using: str) -> None:
    if sending_paused():
        logger.info("outbox message %s left for dispatch: the broker was away moments ago", message_id)
        return
    message_send(message_id, using=using)


def message_send(message_id: int, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Send one pending message if no other dispatcher holds it; True once a broker took it (or ran it eagerly).

    A broker that cannot be reached releases the claim and pauses this process's sends after commit; any
    other failure (in eager mode, the task itself failing) is recorded on the row, which counts as sent: the
    task ran, and its own retries and sweeps are what deal with its failures.
    """
    now = timezone.now()
    rows = OutboxMessage.objects.using(using)
    claimed = (
        rows.filter(pk=message_id, dispatched_at__isnull=True)
        .filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=models.F("attempts") + 1)
    )
    if not claimed:
        return False
    message = rows.get(pk=message_id)
    try:
        task = current_app.tasks[message.task]
        task.apply_async(args=message.args, kwargs=message.kwargs, retry=True, retry_policy=RETRY_POLICY)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_broker_down(exc):
            _pause()
            rows.filter(pk=message_id).update(claimed_until=None, last_error=error)
            logger.warning("outbox message %s (%s) kept: broker away (%s)", message_id, message.task, error)
            return False
        rows.filter(pk=message_id).update(dispatched_at=timezone.now(), claimed_until=None, last_error=error)
        logger.exception("outbox message %s (%s) ran and failed", message_id, message.task)
        return True
    rows.filter(pk=message_id).update(dispatched_at=timezone.now(), claimed_until=None)
    _resume()
    return True


@dataclass(frozen=True)
class DispatchReport:
    sent: int
    pending: int
    purged: int


def pending_messages(using: str = DEFAULT_DB_ALIAS) -> models.QuerySet[OutboxMessage]:
    return OutboxMessage.objects.using(using).filter(dispatched_at__isnull=True)


def outbox_dispatch(*, limit: int = 5000, using: str = DEFAULT_DB_ALIAS) -> DispatchReport:
    """Send every pending message, oldest first, until done or the broker is away; purge old sent rows."""
    sent = 0
    now = timezone.now()
    ids = list(
        pending_messages(using)
        .filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        if message_send(message_id, using=using):
            sent += 1
        elif sending_paused():
            break
    purged, _ = OutboxMessage.objects.using(using).filter(dispatched_at__lt=now - KEEP_SENT).delete()
    return DispatchReport(sent=sent, pending=pending_messages(using).count(), purged=purged)
