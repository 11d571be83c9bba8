"""API clients: the partner systems that call us with OAuth2 client credentials."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from passports.models.base import TenantQuerySet, Timestamped
from passports.models.tenants import Organization


class ApiClient(Timestamped):
    """One OAuth2 application, owned by one organization, with the scopes it may ask for.

    The OAuth2 mechanics (hashed secret, tokens) belong to django-oauth-toolkit's ``Application``; this row
    ties it to a tenant, which is all the scoping of API requests needs.
    """

    SCOPES = ("read", "write", "legitimate_interest", "authority")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="api_client")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.CharField(_("scopes"), max_length=200, default="read", help_text=_("Space-separated"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def client_id(self) -> str:
        return self.application.client_id
