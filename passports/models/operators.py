"""Economic operators named in a passport, matched to organizations on the platform.

Issue #14 item 6 and the Battery Regulation ((EU) 2023/1542) Art. 77 and Annex XIII point 2: the importer or
authorised representative that a passport names as its economic operator answers for the product on the EU
market, so it sees the passport's legitimate-interest data without asking for a grant. Which organization that
is follows from the passport's own published data (its operator's EORI or other identifier), read when the
owner publishes a version (``passports.services.operators``); a row here is that match, and the owner lists
them, so the owner sees who reads its data on this basis.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned
from passports.models.passports import Passport
from passports.models.tenants import Organization


class OperatorLink(TenantOwned):
    """One organization named as economic operator in the published data of one passport of ``organization``."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="operator_links")
    operator = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="operator_links", verbose_name=_("economic operator")
    )
    #: The identifier the passport gives and the organization holds (e.g. its EORI number), as written.
    identifier = models.CharField(_("identifier"), max_length=64)
    #: Where in the passport the operator is named (a JSON Pointer, e.g. ``/importer``).
    named_at = models.CharField(_("named at"), max_length=100)
    version_number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("economic operator link")
        verbose_name_plural = _("economic operator links")
        constraints = [
            models.UniqueConstraint(fields=["passport", "operator"], name="operator_link_unique"),
            models.CheckConstraint(condition=~models.Q(operator=models.F("organization")), name="operator_not_owner"),
        ]
        indexes = [models.Index(fields=["operator", "-created_at"], name="operator_link_operator")]

    def __str__(self) -> str:
        return f"{self.operator_id} named in passport {self.passport_id} ({self.identifier})"
