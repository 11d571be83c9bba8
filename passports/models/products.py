"""Products: the models or types that passports describe."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from passports import validators
from passports.models.base import TenantOwned, Timestamped
from passports.models.retention import AuditedQuerySet
from passports.models.tenants import Facility, Organization


class Product(TenantOwned, Timestamped):
    """A product model or type, identified by its GTIN (GS1 General Specifications §3.3.2).

    ``category`` names the passport schema family that applies (``battery``, ``textile``...), and the CN code
    (Council Regulation (EEC) No 2658/87) is the commodity code ESPR Art. 9(2) and CBAM ask for.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    gtin = models.CharField(_("GTIN"), max_length=14, validators=[validators.validate_gtin])
    name = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    category = models.CharField(_("category"), max_length=40, db_index=True)
    cn_code = models.CharField(
        _("CN code"),
        max_length=8,
        blank=True,
        validators=[validators.validate_cn_code],
        help_text=_("8-digit EU Combined Nomenclature code, e.g. 85076000"),
    )
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("manufacturing facility"),
    )
    expected_lifetime_years = models.PositiveSmallIntegerField(
        _("expected lifetime (years)"),
        null=True,
        blank=True,
        help_text=_("How long the passport must stay available (ESPR Art. 9(2)(g))."),
    )

    # Bulk writes (the import) record one audit event per product, as single saves do (issue 21, item 4).
    objects = AuditedQuerySet.as_manager()  # type: ignore[misc]  # narrows TenantOwned's manager to its subclass

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["organization", "gtin"], name="product_unique_gtin_per_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.gtin})"
