"""The access log: every read of a passport above the public tier by someone outside its organization, and
every footprint a partner read through the PACT API under a grant.

The data owner decides whom it trusts (``Grant``), so it must be able to see what that trust was used for:
who read which passport version, at which tier, through which output, when, and on what basis (a grant,
verified authority status). Rows are only ever added (``save`` of an existing row, ``delete`` and the query
set's ``update`` and ``delete`` raise; on PostgreSQL a trigger refuses UPDATE and DELETE, migration 0019), and
each one is also an event of the owner's audit chain, whose hashes show a row changed or removed behind the
application's back.

A PACT footprint is not a passport: its row names the footprint (``footprint_id``, the PACT ``id``) and its
product instead. Partners poll the PACT list, so a footprint read again by the same client on the same day
is not a new row (``passports.access.log_footprint_reads``): the log says who obtained which footprint and
on which days, not how often a partner's scheduler ran.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantQuerySet
from passports.models.clients import ApiClient
from passports.models.grants import Grant
from passports.models.passports import Passport, PassportVersion
from passports.models.products import Product
from passports.models.tenants import Organization


class AccessLogQuerySet(TenantQuerySet):
    """Bulk paths refuse too: ``QuerySet.update`` and ``delete`` never reach ``Model.save``/``delete``."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")


class AccessLogEntry(models.Model):
    class Output(models.TextChoices):
        HTML = "html", _("Web page")
        JSON = "json", _("JSON")
        VC = "vc", _("Credential data link")
        PDF = "pdf", _("PDF")
        CSV = "csv", _("CSV")
        PACT = "pact", _("PACT")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")  # the data owner
    passport = models.ForeignKey(Passport, on_delete=models.PROTECT, related_name="access_log", null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    footprint_id = models.UUIDField(_("PACT footprint"), null=True, blank=True)
    version = models.ForeignKey(PassportVersion, on_delete=models.PROTECT, related_name="+", null=True)
    version_number = models.PositiveIntegerField(_("version"), null=True)
    tier = models.CharField(_("tier"), max_length=20)
    basis = models.CharField(_("basis"), max_length=20)
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="reads")
    output = models.CharField(_("output"), max_length=5, choices=Output.choices)
    reader_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reader_client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reader_label = models.CharField(_("reader"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["organization", "-at"], name="access_log_owner_time"),
            models.Index(fields=["passport", "-at"], name="access_log_passport_time"),
            models.Index(fields=["reader_client", "footprint_id", "-at"], name="access_log_client_footprint"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passport__isnull=False) | models.Q(footprint_id__isnull=False),
                name="access_log_names_what_was_read",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader_label} read {self.subject} ({self.tier}, {self.output})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("The access log is append-only.")

    @property
    def subject(self) -> str:
        """What was read, as the owner knows it: the passport's identifier, or the PACT footprint's id."""
        if self.passport is not None:
            return self.passport.identifier
        return f"PACT {self.footprint_id}"
