"""API clients: the partner systems that call us with OAuth2 client credentials."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from passports.models.base import TenantQuerySet, Timestamped
from passports.models.tenants import Organization


def validate_scopes(value: str) -> None:
    """Only the scopes of `ApiClient.SCOPES`, at least one (the admin form is free text)."""
    unknown = sorted(set(value.split()) - set(ApiClient.SCOPES))
    if unknown or not value.split():
        raise ValidationError(
            _("Unknown or missing scopes: %(unknown)s; use %(known)s."),
            params={"unknown": ", ".join(unknown) or "-", "known": ", ".join(ApiClient.SCOPES)},
            code="scopes",
        )


class ApiClient(Timestamped):
    """One OAuth2 application, owned by one organization, with the scopes it may ask for.

    The OAuth2 mechanics (hashed secret, tokens) belong to django-oauth-toolkit's ``Application``; this row
    ties it to a tenant, which is all the scoping of API requests needs.
    """

    #: What a client may do with its own organization's data. Seeing another organization's restricted data
    #: is not a scope: it comes only from that organization's grants (``passports.access``).
    SCOPES = ("read", "write")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="api_client")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.CharField(
        _("scopes"), max_length=200, default="read", help_text=_("Space-separated"), validators=[validate_scopes]
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    outside_party = models.BooleanField(
        _("for an outside party"),
        default=False,
        help_text=_(
            "Handed to a partner that is not on the platform: it reads only what the organization grants it, "
            "never the organization's own data."
        ),
    )

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
