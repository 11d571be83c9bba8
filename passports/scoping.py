"""The one mechanism that scopes request-serving queries to the caller's organization.

Selectors and API views reach tenant rows only through these functions. A row of another organization is
indistinguishable from a row that does not exist: ``get_scoped_or_404`` raises ``Http404`` for both.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from passports.models import Organization

M = TypeVar("M", bound=models.Model)


def scoped(source: type[M] | models.QuerySet[M], org: Organization | None) -> models.QuerySet[M]:
    """Rows of ``source`` that belong to ``org`` (no rows at all without an organization)."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    if org is None:
        return queryset.none()
    return queryset.filter(organization=org)


def get_scoped_or_404(source: type[M] | models.QuerySet[M], org: Organization | None, **lookups: Any) -> M:
    try:
        return scoped(source, org).get(**lookups)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        # ValueError/TypeError: a malformed id ("abc" for an integer key) is just another unknown id.
        raise Http404("No such object in your organization.") from exc
