"""Access requests: a partner asks a data owner for a grant; the owner grants or refuses with one click."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantQuerySet, Timestamped
from passports.models.clients import ApiClient
from passports.models.grants import Grant
from passports.models.passports import Passport
from passports.models.tenants import Organization


class AccessRequest(Timestamped):
    """``requester`` asks ``organization`` (the data owner) for the legitimate-interest data of a passport's
    product; the answer is a grant or a refusal, both kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="access_requests_received")
    requester = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="access_requests_sent")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    passport = models.ForeignKey(Passport, on_delete=models.PROTECT, related_name="access_requests")
    purpose = models.TextField(_("purpose"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="requests")

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        indexes = [models.Index(fields=["organization", "status"], name="access_request_owner_status")]

    def __str__(self) -> str:
        return f"{self.requester_id} asks {self.organization_id} about passport {self.passport_id} ({self.status})"
