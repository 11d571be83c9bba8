"""The audit trail: an append-only, hash-chained record of every change to an organization's data.

Why it exists: ESPR (Regulation (EU) 2024/1781) Art. 9(2) and Art. 11 make the passport data the economic
operator's responsibility for the product's lifetime, and market surveillance (Regulation (EU) 2019/1020
Art. 14) may ask who changed what and when. Each ``AuditEvent`` says who (a user, an API client or the
system), what (action, object type and id, organization), when, from where (IP address, request id) and the
object's state before and after as hashes.

The chain is kept per organization, not globally: an organization can export and verify its own trail
without seeing any other tenant's events (a global chain would need them to check each link), and
tenants do not queue behind one lock to append. ``AuditChainHead`` holds each chain's last position and
hash: it is the row locked while appending, and it reveals events deleted from the end of a chain.

Rows never change: ``save`` refuses an update and ``delete`` refuses outright; on PostgreSQL a trigger
(migration ``0004``) refuses UPDATE and DELETE of the table whatever the caller's role.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAppendOnlyError(RuntimeError):
    """Something tried to change or delete a recorded audit event."""


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk paths refuse too: ``QuerySet.update`` and ``delete`` never reach ``Model.save``/``delete``."""

    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnlyError("audit events are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("audit events are never deleted")


class AuditEvent(models.Model):
    """One recorded change. ``hash`` is the SHA-256 of the canonical serialisation (``passports.audit``)
    of every other field and ``prev_hash``, the hash of the event before it in its organization's chain."""

    class ActorType(models.TextChoices):
        USER = "user", _("User")
        CLIENT = "client", _("API client")
        SYSTEM = "system", _("System")

    # No database constraint: the trail outlives the rows it speaks of, and nothing may cascade into it.
    organization = models.ForeignKey(
        "passports.Organization", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    seq = models.PositiveBigIntegerField(_("position in the organization's chain"))
    at = models.DateTimeField(_("when"))
    actor_type = models.CharField(_("actor type"), max_length=10, choices=ActorType.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    before_hash = models.CharField(_("state before (SHA-256)"), max_length=64, blank=True)
    after_hash = models.CharField(_("state after (SHA-256)"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("this event's hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [models.UniqueConstraint(fields=["organization", "seq"], name="audit_event_unique_seq")]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["organization", "action"], name="audit_event_action"),
            models.Index(fields=["organization", "at"], name="audit_event_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnlyError(f"audit event {self.pk} is recorded; events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError(f"audit event {self.pk} is recorded; events are never deleted")


class AuditChainHead(models.Model):
    """The last position and hash of one organization's chain, updated in the transaction that appends."""

    organization = models.OneToOneField(
        "passports.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"organization {self.organization_id}: #{self.seq} {self.hash[:12]}"
