"""Indexes for lists that stay fast at a million passports (issue 17, item 8).

The B-tree indexes are in the models' state. The trigram indexes are PostgreSQL-only (pg_trgm), so they are
created by SQL here and kept out of the state: Django's ``icontains`` is ``UPPER(column::text) LIKE
UPPER('%term%')`` on PostgreSQL, and a GIN trigram index on that same expression answers it. SQLite, the
development database, has no such index and searches by reading its (small) tables.
"""

from django.conf import settings
from django.db import migrations, models

# (index name, table, column): the columns a passport search reads (passports.selectors.passports).
TRIGRAM_INDEXES = [
    ("passport_serial_trgm", "passports_passport", "serial"),
    ("passport_lot_trgm", "passports_passport", "lot"),
    ("product_gtin_trgm", "passports_product", "gtin"),
    ("product_name_trgm", "passports_product", "name"),
    ("product_name_ko_trgm", "passports_product", "name_ko"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("passports", "0022_access_log_pact_reads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="passport",
            name="passports_p_organiz_84730f_idx",
        ),
        migrations.AddIndex(
            model_name="passport",
            index=models.Index(
                fields=["organization", "status", "-updated_at", "-id"], name="passport_org_status_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="passport",
            index=models.Index(fields=["organization", "-updated_at", "-id"], name="passport_org_recent"),
        ),
        migrations.AddIndex(
            model_name="passport",
            index=models.Index(
                fields=["organization", "granularity", "-updated_at", "-id"], name="passport_org_kind_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="passport",
            index=models.Index(fields=["parent", "lot", "serial"], name="passport_children_order"),
        ),
        migrations.AddIndex(
            model_name="passportversion",
            index=models.Index(
                condition=models.Q(("error_count__gt", 0), ("status", "draft")),
                fields=["organization", "-error_count", "-updated_at"],
                name="version_org_draft_errors",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
