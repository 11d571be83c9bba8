"""The tenant scoping every organization-owned row shares.

Every model that belongs to a tenant derives from ``TenantOwned``: it carries its ``organization`` and its
default manager offers ``for_org(org)``. Request-serving code reaches rows only through
``passports.scoping`` (which uses ``for_org``), so another organization's row is simply not found: 404,
never 403, and nothing about its existence leaks.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class TenantQuerySet(models.QuerySet[Any]):
    def for_org(self, org: models.Model | None) -> Self:
        """The rows of one organization; none at all when there is no organization.

        ``org`` is an ``Organization``, typed as its base class because this module sits below
        ``passports.models.tenants`` (which builds on it) and so cannot name it.
        """
        if org is None:
            return self.none()
        return self.filter(organization=org)


class TenantOwned(models.Model):
    organization = models.ForeignKey(
        "passports.Organization", on_delete=models.PROTECT, related_name="+", db_index=True
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
