"""Invitations to join an organization, accepted (or declined) by the invited person.

Owners used to add any account directly, even another tenant's user and even as owner, without that person's
consent, and the form told them which user names exist (issue 21, item 9). Now an owner invites a user name or
e-mail address; the form answers the same whether or not an account has it, and the person becomes a member
only by accepting the invitation on their own invitations page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.base import TenantOwned, Timestamped
from passports.models.tenants import Membership, Organization


class Invitation(TenantOwned, Timestamped):
    """One owner's invitation of a user name or e-mail address, with the role offered."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    who = models.CharField(_("user name or e-mail address"), max_length=254, db_index=True)
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.who} → {self.organization_id} ({self.role})"
