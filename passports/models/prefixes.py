"""GS1 Company Prefixes an organization claims, and the platform staff's verification of them.

A GTIN is allocated by the brand owner under its GS1 Company Prefix (GS1 General Specifications 1.4.4, 3.2).
Without a register of prefixes any tenant could create a product, and publish a passport, under another
company's GTIN; the resolver then served it, and the real owner was told the identifier "exists already"
(issue 21, item 2). So an organization claims its prefixes here, a product's GTIN must lie under one of them,
and where two organizations' claims cover the same GTINs, neither is used (no new products, nothing resolved)
until a member of the platform's staff verifies one with evidence (the GS1 member organisation's licence
record, GEPIR, a letter from the licensee), through the admin or ``manage.py company_prefix``, both audited.
The rules themselves live in ``passports.prefixes``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned, Timestamped
from passports.models.tenants import Organization

#: GS1 Company Prefixes are 4 to 12 digits (GS1 General Specifications 1.4.4); U.P.C. Company Prefixes are
#: entered in their GS1 form, with the leading zero.
PREFIX_PATTERN = r"^[0-9]{4,12}$"


class CompanyPrefix(TenantOwned, Timestamped):
    """One organization's claim to a GS1 Company Prefix: claimed, verified by staff, or rejected by staff."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        VERIFIED = "verified", _("Verified by the platform")
        REJECTED = "rejected", _("Rejected by the platform")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="company_prefixes")
    prefix = models.CharField(
        _("GS1 Company Prefix"),
        max_length=12,
        validators=[RegexValidator(PREFIX_PATTERN, _("A GS1 Company Prefix is 4 to 12 digits."))],
        db_index=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    evidence = models.TextField(_("evidence checked by staff"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["prefix", "pk"]
        verbose_name = _("GS1 company prefix")
        verbose_name_plural = _("GS1 company prefixes")
        constraints = [
            models.UniqueConstraint(fields=["organization", "prefix"], name="company_prefix_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.organization_id}, {self.status})"
