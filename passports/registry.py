"""Loading the shipped JSON Schemas into the registry (``PassportSchema`` rows).

Runs after every ``migrate`` (post_migrate signal), so a fresh database always has every shipped schema.
A schema that passports already use may not change: the sync refuses, and names the schema, rather than
silently changing the rules a published passport was checked against.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from passports.documents import content_hash
from passports.models import PassportSchema, PassportVersion
from passports.schema_files import iter_schema_files


class SchemaChangedError(RuntimeError):
    """A shipped schema file differs from the registered schema that passports already use."""


@transaction.atomic
def schema_registry_sync() -> list[PassportSchema]:
    synced = []
    for category, version, path in iter_schema_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        digest = content_hash(document)
        existing = PassportSchema.objects.filter(category=category, version=version).first()
        if (
            existing is not None
            and existing.sha256 != digest
            and PassportVersion.objects.filter(schema=existing).exists()
        ):
            raise SchemaChangedError(
                f"{category}/{version} is used by passports and may not change; ship the change as a new version"
            )
        schema, _ = PassportSchema.objects.update_or_create(
            category=category,
            version=version,
            defaults={"document": document, "sha256": digest, "title": document.get("title", f"{category}/{version}")},
        )
        synced.append(schema)
    return synced


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "passports":
        schema_registry_sync()
