"""Idempotency keys of API writes: the first answer to a key, kept so that a retry gets it again."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a caller sent with a write (IETF draft-ietf-httpapi-idempotency-key-header).

    Keys belong to the caller (``scope``: ``client:<ApiClient id>`` for bearer tokens, ``user:<id>`` for
    sessions), so two partners choosing the same key never see each other's answers. ``fingerprint`` is the
    SHA-256 of the request (method, path, query, media type and body): the same key with another request is
    refused. While the first request runs the row is ``in_flight``; then it holds the answer to replay until
    ``expires_at``. Server errors are not kept: the row is deleted, so the retry runs.
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("In flight")
        DONE = "done", _("Done")

    scope = models.CharField(_("caller"), max_length=80)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    content_type = models.CharField(_("response content type"), max_length=200, blank=True)
    headers = models.JSONField(_("response headers replayed"), default=dict, blank=True)
    body = models.BinaryField(_("response body"), default=b"", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    locked_until = models.DateTimeField(_("in flight until"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    objects = models.Manager()

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_caller")]

    def __str__(self) -> str:
        return f"{self.scope} {self.method} {self.path} ({self.state})"
