"""PostgreSQL refuses, for every role, to change a published passport version (issue 21, item 3).

The models already refuse it in Python (``PassportVersion.save``); a raw ``UPDATE`` or another program writing
to the database did not. Once a version has left draft, its data, content hash, the model version it inherits
from, its schema, number, passport and organization, and its publication time never change, and its status only
moves forward (published -> superseded -> revoked, published -> revoked). A version can leave draft only while
the model version it inherits from is not a draft itself, so nothing published inherits data that can change.
DELETE before the retention date is refused by the trigger of migration 0004. SQLite relies on the Python guards.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION passports_version_frozen() RETURNS trigger AS $$
DECLARE
    base_status text;
BEGIN
    IF OLD.status <> 'draft' THEN
        IF NEW.data IS DISTINCT FROM OLD.data
            OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
            OR NEW.base_version_id IS DISTINCT FROM OLD.base_version_id
            OR NEW.schema_id IS DISTINCT FROM OLD.schema_id
            OR NEW.number IS DISTINCT FROM OLD.number
            OR NEW.passport_id IS DISTINCT FROM OLD.passport_id
            OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
            OR NEW.published_at IS DISTINCT FROM OLD.published_at THEN
            RAISE EXCEPTION 'passport version % is % and frozen: its data cannot change', OLD.id, OLD.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
            (OLD.status = 'published' AND NEW.status IN ('superseded', 'revoked'))
            OR (OLD.status = 'superseded' AND NEW.status = 'revoked')
        ) THEN
            RAISE EXCEPTION 'passport version % cannot go from % to %', OLD.id, OLD.status, NEW.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NEW.status <> 'draft' AND NEW.base_version_id IS NOT NULL THEN
        SELECT status INTO base_status FROM passports_passportversion WHERE id = NEW.base_version_id;
        IF base_status = 'draft' THEN
            RAISE EXCEPTION 'passport version % cannot be % while it inherits from the draft %',
                NEW.id, NEW.status, NEW.base_version_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER passports_passportversion_frozen
    BEFORE UPDATE ON passports_passportversion
    FOR EACH ROW EXECUTE FUNCTION passports_version_frozen();

CREATE OR REPLACE FUNCTION passports_version_inserted_frozen() RETURNS trigger AS $$
DECLARE
    base_status text;
BEGIN
    IF NEW.status <> 'draft' AND NEW.base_version_id IS NOT NULL THEN
        SELECT status INTO base_status FROM passports_passportversion WHERE id = NEW.base_version_id;
        IF base_status = 'draft' THEN
            RAISE EXCEPTION 'a % passport version cannot inherit from the draft %', NEW.status, NEW.base_version_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER passports_passportversion_inserted_frozen
    BEFORE INSERT ON passports_passportversion
    FOR EACH ROW EXECUTE FUNCTION passports_version_inserted_frozen();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS passports_passportversion_inserted_frozen ON passports_passportversion;
DROP FUNCTION IF EXISTS passports_version_inserted_frozen();
DROP TRIGGER IF EXISTS passports_passportversion_frozen ON passports_passportversion;
DROP FUNCTION IF EXISTS passports_version_frozen();
"""


def postgres_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def postgres_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("passports", "0010_version_readiness"),
    ]

    operations = [
        migrations.RunPython(postgres_forward, postgres_backward),
    ]
