"""Base classes for API views that serve one organization's rows.

A view derived from ``OrganizationScopedMixin`` states its rows as a function of the organization
(``get_org_queryset``); the mixin supplies the organization from the caller, so a view cannot forget the
scope, and another organization's id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.exceptions import NotAuthenticated

from passports.models import Organization
from passports.tenancy import request_organization


class OrganizationScopedMixin:
    request: Any

    @property
    def organization(self) -> Organization:
        org = request_organization(self.request)
        if org is None:
            raise NotAuthenticated()
        return org

    def get_org_queryset(self, org: Organization) -> QuerySet[Any]:
        raise TypeError(f"{type(self).__name__} must define get_org_queryset(org)")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular introspects views without a request user; give it the shape, no rows.
            return self.get_org_queryset(Organization(pk=0)).none()
        return self.get_org_queryset(self.organization)


class OrganizationScopedViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    pass


class OrganizationScopedReadOnlyViewSet(OrganizationScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass
