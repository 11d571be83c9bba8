"""Grants: what an organization lets a partner read of its data, given by the data owner, never taken.

ESPR (Regulation (EU) 2024/1781) Art. 9(2)(d) and 10 and the Battery Regulation ((EU) 2023/1542) Art. 77(2)
with Annex XIII points 2 and 4 give persons with a legitimate interest access to more than the public; who
they are is decided by the economic operator responsible for the passport. A grant records that decision:
who gave it, to whom (another organization on the platform, or one API client), over what (every product,
a category, chosen products or chosen passports), which rights, why, from when to when, and its revocation.
One model for every such permission: the ``legitimate_interest`` tier of passports and the PACT footprint
exchange are two rights of it, and a new kind of access is a new right, not a new table.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantQuerySet, Timestamped
from passports.models.clients import ApiClient
from passports.models.passports import Passport
from passports.models.products import Product
from passports.models.tenants import Organization


class GrantQuerySet(TenantQuerySet):
    def in_force(self, at: object = None) -> GrantQuerySet:
        """Grants that give something at ``at`` (default now): started, not expired, not revoked."""
        moment = at or timezone.now()
        return self.filter(
            Q(revoked_at__isnull=True), Q(starts_at__lte=moment), Q(expires_at__isnull=True) | Q(expires_at__gt=moment)
        )

    def with_right(self, right: str) -> GrantQuerySet:
        if right not in Grant.RIGHTS:
            raise ValueError(f"unknown right {right!r}; expected one of {', '.join(Grant.RIGHTS)}")
        return self.filter(**{right: True})


class Grant(Timestamped):
    """One organization (the grantor, ``organization``) lets one grantee read some of its data."""

    class Scope(models.TextChoices):
        ALL = "all", _("All products")
        CATEGORY = "category", _("A product category")
        PRODUCTS = "products", _("Chosen products")
        PASSPORTS = "passports", _("Chosen passports")

    #: The rights a grant can carry, each a boolean column (filtered in SQL by the PACT list and the tier rule).
    RIGHTS: Final = ("legitimate_interest", "pact_footprints")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="grants_given", verbose_name=_("grantor")
    )
    grantee_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_received",
        verbose_name=_("grantee organization"),
    )
    grantee_client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_received",
        verbose_name=_("grantee API client"),
    )
    scope = models.CharField(_("covers"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    category = models.CharField(_("category"), max_length=40, blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="grants", verbose_name=_("products"))
    passports = models.ManyToManyField(Passport, blank=True, related_name="grants", verbose_name=_("passports"))
    legitimate_interest = models.BooleanField(
        _("legitimate-interest data"),
        default=False,
        help_text=_("Passport fields for persons with a legitimate interest (Battery Regulation Annex XIII)."),
    )
    pact_footprints = models.BooleanField(_("PACT footprints"), default=False)
    purpose = models.TextField(_("purpose"), max_length=1000)
    starts_at = models.DateTimeField(_("valid from"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(grantee_organization__isnull=False, grantee_client__isnull=True)
                | Q(grantee_organization__isnull=True, grantee_client__isnull=False),
                name="grant_one_grantee",
            ),
            models.CheckConstraint(
                condition=~Q(grantee_organization=models.F("organization")), name="grant_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(legitimate_interest=True) | Q(pact_footprints=True), name="grant_a_right"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("starts_at")),
                name="grant_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(scope="category", category__gt="") | (~Q(scope="category") & Q(category="")),
                name="grant_category_with_its_scope",
            ),
        ]
        indexes = [
            models.Index(fields=["grantee_client"], name="grant_grantee_client"),
            models.Index(fields=["grantee_organization"], name="grant_grantee_org"),
            models.Index(fields=["organization", "revoked_at"], name="grant_grantor"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} -> {self.grantee_label} ({self.scope})"

    @property
    def grantee_label(self) -> str:
        if self.grantee_client_id is not None:
            return str(self.grantee_client.name) if self.grantee_client else f"client {self.grantee_client_id}"
        return str(self.grantee_organization) if self.grantee_organization else ""

    @property
    def rights(self) -> list[str]:
        return [right for right in self.RIGHTS if getattr(self, right)]

    def state(self, at: object = None) -> str:
        """``active``, ``scheduled``, ``expired`` or ``revoked`` at ``at`` (default now)."""
        moment = at or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.starts_at > moment:  # type: ignore[operator]
            return "scheduled"
        if self.expires_at is not None and self.expires_at <= moment:  # type: ignore[operator]
            return "expired"
        return "active"
