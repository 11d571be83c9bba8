"""Tenants and the people and places that belong to them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports import validators
from passports.models.base import TenantOwned, TenantQuerySet, Timestamped

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166-1 code, e.g. KR or DE."))


class Organization(Timestamped):
    """A tenant: an economic operator in the supply chain (ESPR Art. 2 'economic operator').

    Its identifiers are the ones EU rules and partners ask for: EORI (customs, Regulation (EU) 952/2013),
    LEI (ISO 17442), VAT, GLN (GS1 party identifier) and, for Korean exporters, the business registration
    number (사업자등록번호).
    """

    class Role(models.TextChoices):
        MANUFACTURER = "manufacturer", _("Manufacturer")
        IMPORTER = "importer", _("Importer")
        DISTRIBUTOR = "distributor", _("Distributor")
        RECYCLER = "recycler", _("Recycler")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, validators=[country_code])
    role = models.CharField(_("role in the supply chain"), max_length=20, choices=Role.choices)
    eori = models.CharField(_("EORI number"), max_length=17, blank=True, validators=[validators.validate_eori])
    lei = models.CharField(_("LEI"), max_length=20, blank=True, validators=[validators.validate_lei])
    vat = models.CharField(_("VAT number"), max_length=16, blank=True, validators=[validators.validate_vat])
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validators.validate_gln])
    kr_brn = models.CharField(
        _("Korean business registration number"), max_length=12, blank=True, validators=[validators.validate_kr_brn]
    )
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Membership(Timestamped):
    """A user's place in an organization; the role decides what they may do there."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")]
        ordering = ["organization__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in {self.Role.OWNER, self.Role.EDITOR}

    @property
    def can_manage(self) -> bool:
        return self.role == self.Role.OWNER


class Facility(TenantOwned, Timestamped):
    """An installation where products are made: the CBAM 'installation' and the ESPR 'facility'."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[country_code])
    gln = models.CharField(_("GLN"), max_length=13, blank=True, validators=[validators.validate_gln])
    other_id = models.CharField(
        _("other identifier"), max_length=64, blank=True, help_text=_("e.g. the CBAM installation ID")
    )
    unlocode = models.CharField(_("UN/LOCODE"), max_length=6, blank=True, validators=[validators.validate_unlocode])
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "gln"], condition=~models.Q(gln=""), name="facility_unique_gln_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name
