"""Completeness and gaps by clause kept beside each version, and computed for the versions already stored.

The backfill calls the plain-Python readiness and validation code (no models of today's code), in chunks,
so an upgraded platform's cockpit shows real figures from its first page.
"""

from typing import Any

from django.db import migrations, models

CHUNK = 500


def backfill(apps: Any, schema_editor: Any) -> None:
    from passports import readiness
    from passports.documents import effective_data
    from passports.validation import validate

    PassportVersion = apps.get_model("passports", "PassportVersion")
    effective_by_pk: dict[int, dict[str, Any]] = {}

    def effective_of(version: Any) -> dict[str, Any]:
        if version.pk in effective_by_pk:
            return effective_by_pk[version.pk]
        base = version.base_version
        value = effective_data(version.data, effective_of(base) if base is not None else None)
        effective_by_pk[version.pk] = value
        return value

    batch: list[Any] = []
    for version in PassportVersion.objects.select_related("schema", "base_version").order_by("pk").iterator(CHUNK):
        effective = effective_of(version)
        issues = [] if version.status != "draft" else validate(version.schema.document, effective)
        version.completeness, version.clause_gaps = readiness.summary(version.schema.document, effective, issues)
        batch.append(version)
        if len(batch) >= CHUNK:
            PassportVersion.objects.bulk_update(batch, ["completeness", "clause_gaps"])
            batch = []
    if batch:
        PassportVersion.objects.bulk_update(batch, ["completeness", "clause_gaps"])


class Migration(migrations.Migration):
    dependencies = [
        ("passports", "0009_grants"),
    ]

    operations = [
        migrations.AddField(
            model_name="passportversion",
            name="clause_gaps",
            field=models.JSONField(blank=True, default=dict, verbose_name="missing and invalid fields by legal clause"),
        ),
        migrations.AddField(
            model_name="passportversion",
            name="completeness",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="mandatory fields present (%)"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
