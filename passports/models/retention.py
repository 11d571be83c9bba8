"""The query sets of passports and versions: deletion refused during retention, bulk writes audited.

ESPR (Regulation (EU) 2024/1781) Art. 9 to 11: a passport stays available for the period set for its product
group, at least the product's expected lifetime. ``Passport.retain_until`` holds that date
(``passports.retention``). Until it has passed, nothing that was ever published may be deleted: not through
``Model.delete`` (refused in the models), not through ``QuerySet.delete`` (refused here), not through the
admin (``has_delete_permission``) and, on PostgreSQL, not through SQL either (a trigger, migration ``0004``).

Bulk writes (``bulk_create``, ``bulk_update``, ``update``) send no model signals, so the audit trail would
miss them (the CSV import writes this way); these query sets record their events instead, through the
recorder ``passports.audit`` registers here when the app starts (``bulk_audit_register``): the models sit
below the audit trail and do not import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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


class StoredStates(Protocol):
    def __call__(self, model: type[models.Model], pks: Iterable[Any]) -> dict[Any, dict[str, Any]]: ...


class RecordBulk(Protocol):
    def __call__(
        self,
        model: type[models.Model],
        objs: Sequence[Any],
        *,
        action: str,
        before: Mapping[Any, dict[str, Any]],
        fields: Sequence[str] | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class BulkAudit:
    """What the bulk writes ask of the audit trail: the rows' states before, and the events after."""

    stored_states: StoredStates
    record_bulk: RecordBulk


def _nothing_stored(model: type[models.Model], pks: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    return {}


def _nothing_recorded(
    model: type[models.Model],
    objs: Sequence[Any],
    *,
    action: str,
    before: Mapping[Any, dict[str, Any]],
    fields: Sequence[str] | None = None,
) -> None:
    return None


#: Replaced by ``passports.audit.connect_receivers`` when the app starts; records nothing before that.
_bulk_audit = BulkAudit(stored_states=_nothing_stored, record_bulk=_nothing_recorded)


def bulk_audit_register(audit: BulkAudit) -> None:
    """Called once by ``passports.audit`` so bulk writes land in the audit trail without a circular import."""
    global _bulk_audit  # noqa: PLW0603 - one recorder per process, set once at app start
    _bulk_audit = audit


class AuditedQuerySet(TenantQuerySet):
    """Records audit events for the bulk writes that bypass ``post_save``."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        _bulk_audit.record_bulk(self.model, created, action="created", before={})
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        objs, fields = list(objs), list(fields)
        before = _bulk_audit.stored_states(self.model, [obj.pk for obj in objs])
        count = super().bulk_update(objs, fields, *args, **kwargs)
        _bulk_audit.record_bulk(self.model, objs, action="updated", before=before, fields=fields)
        return count

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) <= BOOKKEEPING_FIELDS:
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        before = _bulk_audit.stored_states(self.model, pks)
        count = super().update(**kwargs)
        after = self.model._base_manager.filter(pk__in=pks)
        _bulk_audit.record_bulk(self.model, list(after), action="updated", before=before, fields=list(kwargs))
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
