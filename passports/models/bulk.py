"""Bulk operations: one job applying one passport service (publish, new version, revoke, create items) to many.

A job is created ``pending`` with its selection resolved to a fixed list (``targets``: passport ids, or the
serial numbers of the item passports to create), so that what the person confirms is exactly what runs, even if
the catalogue changes meanwhile. Nothing is signed before it is confirmed. It then runs in a worker in chunks,
like an import (``ImportJob``): each chunk's per-item results, counts and checkpoint commit in one transaction, so
a killed worker's job resumes after its last committed chunk with exact counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned, Timestamped
from passports.models.imports import ImportJob
from passports.models.passports import Passport
from passports.models.tenants import Organization


class BulkJob(TenantOwned, Timestamped):
    """One bulk operation over a fixed selection, observable while it runs and resumable after a crash.

    ``policy``: ``valid_only`` applies the operation to every item it can and reports the others;
    ``all_or_nothing`` first checks every item (committing progress), and only if none is refused applies them
    all in one transaction. ``checkpoint`` is the position in ``targets`` after the last committed chunk;
    ``lease`` names the run allowed to commit (a newer run takes over, an older one stops).
    """

    class Operation(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        NEW_VERSION = "new_version", _("New version")
        REVOKE = "revoke", _("Revoke")
        CREATE_ITEMS = "create_items", _("Create item passports")

    class Policy(models.TextChoices):
        VALID_ONLY = "valid_only", _("Valid items only")
        ALL_OR_NOTHING = "all_or_nothing", _("All items or nothing")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bulk_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    operation = models.CharField(_("operation"), max_length=16, choices=Operation.choices)
    policy = models.CharField(_("policy"), max_length=16, choices=Policy.choices, default=Policy.VALID_ONLY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(_("phase"), max_length=10, blank=True)
    source = models.CharField(_("selected from"), max_length=200, blank=True)
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="bulk_jobs"
    )
    parent = models.ForeignKey(
        Passport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("model passport")
    )  # create_items: the model passport the new item passports inherit
    targets = models.JSONField(_("selection"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    publish_created = models.BooleanField(_("publish the created item passports"), default=False)
    chunk_size = models.PositiveIntegerField(_("items per committed chunk"), default=100)
    total = models.PositiveIntegerField(_("items"), default=0)
    done = models.PositiveIntegerField(_("items processed"), default=0)
    succeeded = models.PositiveIntegerField(_("items succeeded"), default=0)
    failed = models.PositiveIntegerField(_("items refused"), default=0)
    checkpoint = models.PositiveIntegerField(default=0)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)
    error_ko = models.TextField(_("error (Korean)"), blank=True)
    lease = models.CharField(max_length=32, blank=True)
    runner = models.CharField(_("worker"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.operation} of {self.total} ({self.status})"

    @property
    def progress(self) -> float:
        """Share of items processed, 0 to 1 (1 once done)."""
        if self.status == self.Status.DONE:
            return 1.0
        if not self.total:
            return 0.0
        return min(self.done / self.total, 1.0)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED}


class BulkJobItem(models.Model):
    """What happened to one item of a bulk job: the passport (or the serial to create), done or refused and why.

    Written with its chunk, so the list of results is exactly what was committed.
    """

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")
        CHECKED = "checked", _("Checked")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    passport = models.ForeignKey(Passport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    key = models.CharField(_("item"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    message_en = models.TextField(_("message (English)"), blank=True)
    message_ko = models.TextField(_("message (Korean)"), blank=True)

    class Meta:
        ordering = ["job", "position"]
        verbose_name = _("bulk job item")
        verbose_name_plural = _("bulk job items")
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="bulk_item_unique_position")]

    def __str__(self) -> str:
        return f"{self.key}: {self.outcome}"
