"""Saved column mappings: how an organization reads a recurring file layout that is not ours.

A mapping is ``{header as the file writes it: column key}``, or ``""`` to ignore a column on purpose. Every
target must be a column of the kind (``carbon_footprint.declared_unit``, ``goods.2.cn_code``...), so a
mapping is checked when saved, not when a file meets it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from passports.imports.kinds import kind_get
from passports.models import ColumnMapping, Organization


def column_mapping_check(*, kind: str, mapping: Any) -> dict[str, str]:
    """The mapping, checked: a JSON object of header → column key of ``kind`` (or ``""``)."""
    try:
        tree = kind_get(kind).tree
    except LookupError as exc:
        raise ValidationError({"kind": [str(exc)]}) from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValidationError({"mapping": ['Give an object of header → column key (or "" to ignore the column).']})
    unknown = [target for target in mapping.values() if target and tree.resolve(target) is None]
    if unknown:
        raise ValidationError({"mapping": [f"Not columns of {kind}: {', '.join(sorted(set(unknown))[:10])}."]})
    return {header.strip(): target.strip() for header, target in mapping.items() if header.strip()}


@transaction.atomic
def column_mapping_create(*, org: Organization, kind: str, name: str, mapping: Any) -> ColumnMapping:
    checked = column_mapping_check(kind=kind, mapping=mapping)
    if ColumnMapping.objects.filter(organization=org, kind=kind, name=name).exists():
        raise ValidationError({"name": [f"A mapping named {name!r} exists already for {kind}."]})
    return ColumnMapping.objects.create(organization=org, kind=kind, name=name, mapping=checked)


@transaction.atomic
def column_mapping_update(
    *, column_mapping: ColumnMapping, name: str | None = None, mapping: Any = None
) -> ColumnMapping:
    if mapping is not None:
        column_mapping.mapping = column_mapping_check(kind=column_mapping.kind, mapping=mapping)
    if name is not None and name != column_mapping.name:
        taken = ColumnMapping.objects.filter(
            organization_id=column_mapping.organization_id, kind=column_mapping.kind, name=name
        ).exists()
        if taken:
            raise ValidationError({"name": [f"A mapping named {name!r} exists already for {column_mapping.kind}."]})
        column_mapping.name = name
    column_mapping.save()
    return column_mapping


@transaction.atomic
def column_mapping_delete(*, column_mapping: ColumnMapping) -> None:
    """Jobs that used the mapping keep the copy they read with (``ImportJob.mapping_used``)."""
    column_mapping.delete()
