"""The schema registry: the JSON Schemas passports are validated against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from passports.models.fields import OrderedJSONField


class PassportSchema(models.Model):
    """One ``category/version`` JSON Schema (Draft 2020-12) shipped in ``passports/schemas/``.

    Loaded from the files at migrate time; once a passport version uses it, its content may never change
    (a change is a new version), because a published passport must stay checkable against the exact rules
    it was published under.
    """

    category = models.CharField(_("category"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    # Key order matters: forms, pages, reports and error lists follow the schema's own order.
    document = OrderedJSONField(_("JSON Schema"))
    sha256 = models.CharField(_("SHA-256 of the canonical schema"), max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "version"]
        verbose_name = _("passport schema")
        verbose_name_plural = _("passport schemas")
        constraints = [models.UniqueConstraint(fields=["category", "version"], name="schema_unique_category_version")]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.category}/{self.version}"
