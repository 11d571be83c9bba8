"""Models of the exporters app. Each part keeps its models in its own section below."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models import Organization, Passport

# ==================================================================================================
# Compliance reports (exporters/reports/): QR codes made at publication, batch report packs
# ==================================================================================================


class PassportQrCode(models.Model):
    """The QR code of a passport's GS1 Digital Link, made once when a version is published.

    Making a symbol costs ~10 ms of pure Python (segno's mask choice), so it is made in the publishing
    transaction and kept: label printing, packs and the public page reuse these bytes. ``uri`` is what the
    symbol encodes; a passport's identifier never changes, but the row says what it was made from.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="qr_code")
    uri = models.CharField(_("encoded URI"), max_length=300)
    svg = models.TextField(_("SVG"))
    png = models.BinaryField(_("PNG"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passport QR code")
        verbose_name_plural = _("passport QR codes")

    def __str__(self) -> str:
        return self.uri


class ReportPack(models.Model):
    """A ZIP of compliance reports for many passports, built by a Celery task (``exporters.reports.tasks``).

    The selection is frozen at creation (``items``: passport and version ids), so a pack resumed after a
    worker died holds exactly the reports that were asked for, even if a passport is republished meanwhile.
    ``done`` counts the reports already rendered; the ZIP lands under ``MEDIA_ROOT/packs/``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="report_packs")
    # Names the pack's files: unguessable, and unique across databases that share one MEDIA_ROOT.
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    lang = models.CharField(_("language"), max_length=5, default="en")
    tier = models.CharField(_("access tier"), max_length=20, default="public")
    source = models.CharField(_("what was selected"), max_length=100, blank=True)
    items = models.JSONField(_("passport and version ids"), default=list)
    total = models.PositiveIntegerField(_("reports in the pack"), default=0)
    done = models.PositiveIntegerField(_("reports rendered"), default=0)
    attempts = models.PositiveIntegerField(_("task runs"), default=0)
    file = models.CharField(_("ZIP file under MEDIA_ROOT"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("ZIP size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the ZIP"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report pack")
        verbose_name_plural = _("report packs")
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"report pack {self.pk} ({self.status}, {self.done}/{self.total})"

    @property
    def progress(self) -> float:
        return round(self.done / self.total, 4) if self.total else 1.0
