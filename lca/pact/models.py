"""PACT rows: the footprints we publish to partners, the partners' servers we pull from, and the CloudEvents
exchanged with them. Whom we share footprints with is a grant (``passports.models.grants``, right
``pact_footprints``).

``PactFootprint`` keeps both rendered documents (v2.3 and v3.0) so that serving a list is reading JSON,
not recomputing it; the ``*_key`` columns hold the values the v3 filters match on, delimited and lower-cased
(``|urn:gtin:0880...|urn:gtin:...|``) so a case-insensitive containment test works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lca.pact.mapping import ACTIVE, DEPRECATED
from lca.pact.sealing import seal, unseal
from passports.models import ApiClient, Organization, Product
from passports.models.base import TenantOwned
from passports.models.fields import OrderedJSONField


class PactFootprint(TenantOwned):
    """One PACT ProductFootprint of one of our products; a change makes a new row and deprecates the old."""

    class Status(models.TextChoices):
        ACTIVE = ACTIVE, _("Active")
        DEPRECATED = DEPRECATED, _("Deprecated")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="pact_footprints")
    source_footprint = models.ForeignKey(
        "lca.Footprint", on_delete=models.SET_NULL, null=True, blank=True, related_name="pact_footprints"
    )
    pf_id = models.UUIDField(_("PACT id"), default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version (v2)"), default=0)
    preceding_ids = models.JSONField(_("preceding footprint ids"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_comment = models.CharField(_("status comment"), max_length=300, blank=True)
    facts = models.JSONField(_("declared facts"))
    # Plain ``json`` on PostgreSQL: served as stored text, which jsonb would re-render key by key (a third of
    # the database's CPU per list page) and in its own key order.
    document_v2 = OrderedJSONField(_("v2.3 document"), null=True, blank=True)
    document_v3 = OrderedJSONField(_("v3.0 document"))
    product_ids_key = models.TextField(editable=False)
    company_ids_key = models.TextField(editable=False)
    classifications_key = models.TextField(editable=False, blank=True)
    geography = models.CharField(_("country"), max_length=2, blank=True)
    geography_subdivision = models.CharField(_("country subdivision"), max_length=6, blank=True)
    validity_start = models.DateTimeField(_("valid from"), null=True, blank=True)
    validity_end = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("PACT footprint")
        verbose_name_plural = _("PACT footprints")
        indexes = [
            models.Index(fields=["created_at", "id"], name="pact_fp_keyset"),
            models.Index(fields=["organization", "product"], name="pact_fp_org_product"),
        ]

    def __str__(self) -> str:
        return f"{self.pf_id} ({self.status}, v{self.version})"


class SupplierEndpoint(TenantOwned):
    """A partner's PACT host: where we pull its footprints from and send it events, with the client
    credentials it gave us (the secret sealed, see ``lca.pact.sealing``).

    ``answers_client`` marks the endpoint as the events address of that partner's API client on our side:
    a request the client sends us is answered there.
    """

    class Version(models.TextChoices):
        V2 = "2", "2.3"
        V3 = "3", "3.0"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pact_endpoints")
    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("API base URL"), max_length=500, help_text=_("Without /2 or /3."))
    auth_url = models.URLField(_("token URL"), max_length=500)
    client_id = models.CharField(_("client id"), max_length=200)
    secret_sealed = models.TextField(editable=False)
    spec_version = models.CharField(_("PACT version"), max_length=1, choices=Version.choices, default=Version.V3)
    answers_client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="pact_callback_endpoints"
    )
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "name"]
        verbose_name = _("supplier PACT endpoint")
        verbose_name_plural = _("supplier PACT endpoints")

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"

    def _context(self) -> str:
        return f"pact-endpoint:{self.organization_id}:{self.client_id}"

    def set_secret(self, secret: str) -> None:
        self.secret_sealed = seal(secret, context=self._context())

    def secret(self) -> str:
        return unseal(self.secret_sealed, context=self._context())


class PactEvent(models.Model):
    """A CloudEvent received from or sent to a partner, with its delivery state (outbound) or handling
    state (inbound)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Received")
        OUTBOUND = "out", _("Sent")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        HANDLED = "handled", _("Handled")
        # An outbound request's state once the partner answered it (or never did).
        FULFILLED = "fulfilled", _("Fulfilled")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    ANSWERED = frozenset({Status.FULFILLED, Status.REJECTED, Status.EXPIRED})

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="pact_events"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    spec_version = models.CharField(max_length=1, choices=SupplierEndpoint.Version.choices)
    event_id = models.CharField(_("CloudEvent id"), max_length=200)
    event_type = models.CharField(_("type"), max_length=200)
    source = models.CharField(max_length=500)
    payload = models.JSONField()
    client = models.ForeignKey(ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    endpoint = models.ForeignKey(
        SupplierEndpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    in_reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    # Where an outbound event goes when no registered endpoint names the partner: the events URL resolved from
    # the request's CloudEvents ``source`` (checked by the outbound guard on every attempt).
    deliver_to = models.URLField(_("delivered to"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("PACT event")
        verbose_name_plural = _("PACT events")
        indexes = [models.Index(fields=["direction", "status"], name="pact_event_state")]

    def __str__(self) -> str:
        return f"{self.direction} {self.event_type} {self.event_id} ({self.status})"


__all__ = ["PactEvent", "PactFootprint", "SupplierEndpoint"]
