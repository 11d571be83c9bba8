"""The query sets of passports and versions: deletion refused during retention, bulk writes audited.

ESPR (Regulation (EU) 2024/1781) Art. 9 to 11: a passport stays available for the period set for its product
group, at least the product's expected lifetime. ``Passport.retain_until`` holds that date
(``passports.retention``). Until it has passed, nothing that was ever published may be deleted: not through
``Model.delete`` (refused in the models), not through ``QuerySet.delete`` (refused here), not through the
admin (``has_delete_permission``) and, on PostgreSQL, not through SQL either (a trigger, migration ``0004``).

Bulk writes (``bulk_create``, ``bulk_update``, ``update``) send no model signals, so the audit trail would
miss them (the CSV import writes this way); these query sets record their events instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from passports.models.base import TenantQuerySet

#: Version statuses that mean "was published": their data has been public and must stay available.
PUBLISHED_STATUSES = ("published", "superseded", "revoked")
#: Columns whose change alone is bookkeeping, not a change worth an audit event.
BOOKKEEPING_FIELDS = frozenset({"updated_at"})


class RetentionError(RuntimeError):
    """Something tried to delete published passport data before its retention period ended."""


def today() -> dt.date:
    return timezone.now().date()


class AuditedQuerySet(TenantQuerySet):
    """Records audit events for the bulk writes that bypass ``post_save``."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        from passports import audit

        created = super().bulk_create(objs, *args, **kwargs)
        audit.record_bulk(self.model, created, action="created", before={})
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        from passports import audit

        objs, fields = list(objs), list(fields)
        before = audit.stored_states(self.model, [obj.pk for obj in objs])
        count = super().bulk_update(objs, fields, *args, **kwargs)
        audit.record_bulk(self.model, objs, action="updated", before=before, fields=fields)
        return count

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) <= BOOKKEEPING_FIELDS:
            return super().update(**kwargs)
        from passports import audit

        pks = list(self.values_list("pk", flat=True))
        before = audit.stored_states(self.model, pks)
        count = super().update(**kwargs)
        after = self.model._base_manager.filter(pk__in=pks)
        audit.record_bulk(self.model, list(after), action="updated", before=before, fields=list(kwargs))
        return count


class PassportQuerySet(AuditedQuerySet):
    def retained(self) -> PassportQuerySet:
        """Passports whose published data must still be kept (or whose end date is unknown yet)."""
        return self.filter(
            models.Q(retain_until__gte=today())
            | models.Q(retain_until__isnull=True, versions__status__in=PUBLISHED_STATUSES)
        ).distinct()

    def delete(self) -> tuple[int, dict[str, int]]:
        blocked = self.retained().first()
        if blocked is not None:
            raise RetentionError(f"passport {blocked.identifier} must be kept until {blocked.retain_until}")
        return super().delete()


class PassportVersionQuerySet(AuditedQuerySet):
    def retained(self) -> PassportVersionQuerySet:
        """Versions that were published and whose passport's retention period has not ended."""
        return self.filter(status__in=PUBLISHED_STATUSES).filter(
            models.Q(passport__retain_until__isnull=True) | models.Q(passport__retain_until__gte=today())
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        blocked = self.retained().first()
        if blocked is not None:
            raise RetentionError(f"version {blocked.pk} was published and is within its retention period")
        return super().delete()
