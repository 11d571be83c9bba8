"""Verified authorities: organizations the platform's staff confirmed to be an authority, with evidence.

The Battery Regulation ((EU) 2023/1542) Annex XIII point 3 reserves some passport data for notified bodies,
market surveillance authorities and the Commission; ESPR ((EU) 2024/1781) Art. 9(2)(d) and 10 give
authorities their own access rights. Nobody becomes an authority by saying so on its own settings page: a
member of the platform's staff checks the evidence (a notification in NANDO, an official appointment, a
government domain) and records it here, through the admin or ``manage.py verify_authority``, both audited.
Withdrawing the status (``withdrawn_at``) ends the tier at the next request; the row stays as history.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantQuerySet, Timestamped
from passports.models.tenants import Organization, country_code

#: EU member states (ISO 3166-1; Greece as GR) and the EEA states that apply EU product law.
EU_EEA_STATES: Final = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})  # fmt: skip


class AuthorityStatusQuerySet(TenantQuerySet):
    def current(self) -> AuthorityStatusQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class AuthorityStatus(Timestamped):
    """One organization's verified status as an authority of one kind."""

    class Kind(models.TextChoices):
        MARKET_SURVEILLANCE = "market_surveillance", _("Market surveillance authority of a member state")
        NOTIFIED_BODY = "notified_body", _("Notified body")
        COMMISSION = "commission", _("European Commission")
        CUSTOMS = "customs", _("Customs authority of a member state")

    #: Kinds that act for one member state, which the status must name.
    NATIONAL_KINDS: Final = frozenset({Kind.MARKET_SURVEILLANCE, Kind.NOTIFIED_BODY, Kind.CUSTOMS})

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="authority_statuses")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    member_state = models.CharField(
        _("member state"),
        max_length=2,
        blank=True,
        validators=[country_code],
        help_text=_("The state that appointed or notified it (blank for the Commission)."),
    )
    evidence = models.TextField(
        _("evidence"), help_text=_("What was checked: NANDO number, official appointment, contact confirmed...")
    )
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    objects = AuthorityStatusQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "kind"]
        verbose_name = _("verified authority")
        verbose_name_plural = _("verified authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], condition=Q(withdrawn_at__isnull=True), name="authority_one_current"
            )
        ]

    def __str__(self) -> str:
        state = f" {self.member_state}" if self.member_state else ""
        return f"{self.organization_id}: {self.kind}{state}"
