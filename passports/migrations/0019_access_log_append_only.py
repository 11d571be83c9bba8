from django.db import migrations

# The access log is the owner's proof of who read its restricted data (issue 14): Python guards refuse to
# change or remove a row, but raw SQL, another client or the database's admin walk around them. On PostgreSQL
# a trigger refuses UPDATE and DELETE for every role, the table owner and superusers included, as the audit
# table's does (0004). TRUNCATE stays possible: it is how a test database is emptied, and no request path
# issues it. SQLite relies on the Python guards.
POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION passports_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER passports_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON passports_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION passports_access_log_append_only();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS passports_accesslogentry_append_only ON passports_accesslogentry;
DROP FUNCTION IF EXISTS passports_access_log_append_only();
"""


def postgres_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def postgres_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("passports", "0018_operator_links")]

    operations = [migrations.RunPython(postgres_forward, postgres_backward)]
