"""Passports and their versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned
from passports.models.products import Product
from passports.models.retention import PassportQuerySet, PassportVersionQuerySet, RetentionError
from passports.models.schemas import PassportSchema
from passports.models.tenants import Organization


class ImmutableVersionError(RuntimeError):
    """Something tried to change the data of a published, superseded or revoked version."""


class Passport(TenantOwned):
    """The passport of one product at one granularity (ESPR Art. 9(2)(a) and Art. 10).

    Its identifier is a GS1 Digital Link URI under our resolver: ``/01/{gtin}`` for a model,
    ``/01/{gtin}/10/{lot}`` for a batch, ``/01/{gtin}/10/{lot}/21/{serial}`` or ``/01/{gtin}/21/{serial}``
    for an item. Batch and item passports name their model passport as ``parent`` and store only what
    differs, so a million serialised batteries do not repeat the model data.
    """

    class Granularity(models.TextChoices):
        MODEL = "model", _("Model")
        BATCH = "batch", _("Batch")
        ITEM = "item", _("Item")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="passports")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="passports")
    granularity = models.CharField(_("granularity"), max_length=5, choices=Granularity.choices)
    lot = models.CharField(_("lot / batch"), max_length=20, blank=True)
    serial = models.CharField(_("serial number"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("model passport"),
    )
    schema = models.ForeignKey(PassportSchema, on_delete=models.PROTECT, related_name="passports")
    identifier = models.CharField(_("identifier (GS1 Digital Link URI)"), max_length=300, unique=True)
    status = models.CharField(_("status"), max_length=10, default="draft", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Retention and the EU registry (passports.retention, passports.registry_export): ESPR Art. 9 to 13.
    retain_until = models.DateField(
        _("keep available until"),
        null=True,
        blank=True,
        help_text=_("Set at first publication from the product's expected lifetime; nothing published goes before."),
    )
    registry_id = models.CharField(_("EU registry registration id"), max_length=100, blank=True)
    registry_registered_at = models.DateTimeField(_("registered in the EU registry at"), null=True, blank=True)

    objects = PassportQuerySet.as_manager()  # type: ignore[misc]  # narrows TenantOwned's manager to its subclass

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("passport")
        verbose_name_plural = _("passports")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "granularity", "lot", "serial"], name="passport_unique_per_product_unit"
            ),
        ]
        # Each list order is an index walk, tenant first (issue 17, item 8): the newest-first list with and
        # without its status or granularity filter, and a model passport's items by lot and serial. Trigram
        # indexes for search are PostgreSQL-only and live in migration 0023.
        indexes = [
            models.Index(fields=["organization", "status", "-updated_at", "-id"], name="passport_org_status_recent"),
            models.Index(fields=["organization", "-updated_at", "-id"], name="passport_org_recent"),
            models.Index(fields=["organization", "granularity", "-updated_at", "-id"], name="passport_org_kind_recent"),
            models.Index(fields=["parent", "lot", "serial"], name="passport_children_order"),
            models.Index(fields=["organization", "serial"]),
        ]

    def __str__(self) -> str:
        return self.identifier

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused while published data must be kept (ESPR Art. 9 to 11); see ``passports.models.retention``."""
        if Passport.objects.filter(pk=self.pk).retained().exists():
            raise RetentionError(f"passport {self.identifier} must be kept until {self.retain_until}")
        return super().delete(*args, **kwargs)


class PassportVersion(TenantOwned):
    """One version of a passport's data. Published versions never change: an edit makes a new version.

    ``data`` is what the user entered (for batch and item passports: only the overrides of the model
    passport version named in ``base_version``); ``content_hash`` is the SHA-256 of the RFC 8785 canonical
    JSON of the effective data, so anyone holding a copy can prove it unchanged.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="passport_versions")
    passport = models.ForeignKey(Passport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.ForeignKey(PassportSchema, on_delete=models.PROTECT, related_name="versions")
    data = models.JSONField(_("data as entered"), default=dict)
    base_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_versions",
        help_text=_("The model passport version whose data this batch/item version inherits."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(_("SHA-256 of the canonical effective data"), max_length=64)
    revision = models.PositiveIntegerField(_("edit counter (for ETags)"), default=1)
    error_count = models.PositiveIntegerField(_("validation errors at last save"), default=0)
    # Kept by every write beside error_count (passports.readiness), so the readiness cockpit reads thousands
    # of versions without validating them again.
    completeness = models.PositiveSmallIntegerField(_("mandatory fields present (%)"), default=0)
    clause_gaps = models.JSONField(_("missing and invalid fields by legal clause"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)

    objects = PassportVersionQuerySet.as_manager()  # type: ignore[misc]  # narrows TenantOwned's manager

    class Meta:
        ordering = ["passport_id", "-number"]
        verbose_name = _("passport version")
        verbose_name_plural = _("passport versions")
        constraints = [
            models.UniqueConstraint(fields=["passport", "number"], name="version_unique_number"),
            models.UniqueConstraint(
                fields=["passport"], condition=models.Q(status="draft"), name="version_one_draft_per_passport"
            ),
            models.UniqueConstraint(
                fields=["passport"], condition=models.Q(status="published"), name="version_one_published_per_passport"
            ),
        ]
        # The dashboard's "drafts with errors", worst first, without reading every draft of a large catalogue.
        indexes = [
            models.Index(
                fields=["organization", "-error_count", "-updated_at"],
                condition=models.Q(status="draft", error_count__gt=0),
                name="version_org_draft_errors",
            )
        ]

    def __str__(self) -> str:
        return f"{self.passport.identifier} v{self.number} ({self.status})"

    @property
    def issued_credential(self) -> Any:
        """The newest credential issued for this version (``exporters.IssuedCredential``, related name
        ``issued_credentials``): a version has one per public address it was issued under. Raises
        ``ObjectDoesNotExist`` when it has none, as the one-to-one accessor it replaces did."""
        newest = self.issued_credentials.first()  # reverse accessor of exporters' IssuedCredential
        if newest is None:
            raise ObjectDoesNotExist(f"version {self.pk} has no issued credential")
        return newest

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuses to change the data of a version that has left draft: published data is immutable.

        That includes what it inherits: a version that is not a draft never names a draft as its base version,
        or the base's owner could change the published data by editing the draft (issue 21, item 1).
        """
        update_fields = kwargs.get("update_fields")
        touches_data = update_fields is None or {"data", "content_hash", "base_version"} & set(update_fields)
        if touches_data and self.status != self.Status.DRAFT and self.base_version_id is not None:
            base_status = PassportVersion.objects.filter(pk=self.base_version_id).values_list("status", flat=True)
            if base_status.first() == self.Status.DRAFT:
                raise ImmutableVersionError(
                    f"a {self.status} version cannot inherit from the draft {self.base_version_id}"
                )
        if self.pk and touches_data:
            stored = (
                PassportVersion.objects.filter(pk=self.pk)
                .values("status", "data", "content_hash", "base_version_id")
                .first()
            )
            if (
                stored
                and stored["status"] != self.Status.DRAFT
                and (
                    stored["data"] != self.data
                    or stored["content_hash"] != self.content_hash
                    or stored["base_version_id"] != self.base_version_id
                )
            ):
                raise ImmutableVersionError(f"version {self.pk} is {stored['status']}; its data cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused for published versions within their passport's retention period (ESPR Art. 9 to 11)."""
        if PassportVersion.objects.filter(pk=self.pk).retained().exists():
            raise RetentionError(f"version {self.pk} was published and is within its retention period")
        return super().delete(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.pk}.{self.revision}"'

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT
