"""The transactional outbox: work that must happen after a commit, kept in the database until a broker took it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One Celery task to send once the transaction that wrote this row has committed.

    A task sent straight to the broker from a request is lost when the broker is down (the publication
    commits, its backup copy never starts) and runs on rolled-back data when sent before the commit. Written
    in the same transaction as the change it follows, this row exists exactly when the change does; it is
    sent after the commit and again by ``passports.outbox_dispatch`` (beat, every worker start,
    ``manage.py outbox_dispatch``) until a broker accepted it. ``dispatched_at`` marks that acceptance;
    ``claimed_until`` is the lease of the process sending it, so two dispatchers do not send it twice and a
    dispatcher killed mid-send leaves it to the next one. Delivery is at least once: every task routed here is
    idempotent (it reloads its rows and does nothing twice).
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("positional arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("taken by the broker at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = models.Manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["task", "dispatched_at"], name="outbox_task_state"),
        ]

    def __str__(self) -> str:
        state = "sent" if self.dispatched_at else "pending"
        return f"{self.task}{tuple(self.args)} ({state})"
