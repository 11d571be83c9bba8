"""PostgreSQL refuses, for every role, to rewrite or drop a published version's credential (issue 21, item 3).

A credential is what a verifier holds: its content, id, version, status entry and issue time never change. Its
signature may change only together with the signing key, as ``key_compromise`` re-signs the same content with a
new key; the same key never signs a credential a second time. A credential is deleted only after its passport's
retention date (ESPR Art. 9 to 11), as its version is (migration passports 0004). SQLite relies on the services.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION exporters_credential_frozen() RETURNS trigger AS $$
BEGIN
    IF NEW.credential IS DISTINCT FROM OLD.credential
        OR NEW.credential_id IS DISTINCT FROM OLD.credential_id
        OR NEW.version_id IS DISTINCT FROM OLD.version_id
        OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
        OR NEW.status_list_number IS DISTINCT FROM OLD.status_list_number
        OR NEW.status_index IS DISTINCT FROM OLD.status_index
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at THEN
        RAISE EXCEPTION 'credential % is issued and frozen: its content cannot change', OLD.credential_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.jws IS DISTINCT FROM OLD.jws OR NEW.kid IS DISTINCT FROM OLD.kid)
        AND NEW.signing_key_id IS NOT DISTINCT FROM OLD.signing_key_id THEN
        RAISE EXCEPTION 'credential % may be signed again only by another key', OLD.credential_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER exporters_issuedcredential_frozen
    BEFORE UPDATE ON exporters_issuedcredential
    FOR EACH ROW EXECUTE FUNCTION exporters_credential_frozen();

CREATE OR REPLACE FUNCTION exporters_credential_retained() RETURNS trigger AS $$
DECLARE
    keep_until date;
BEGIN
    SELECT p.retain_until INTO keep_until
        FROM passports_passportversion v JOIN passports_passport p ON p.id = v.passport_id
        WHERE v.id = OLD.version_id;
    IF FOUND AND (keep_until IS NULL OR keep_until >= CURRENT_DATE) THEN
        RAISE EXCEPTION 'credential % belongs to a passport kept until %', OLD.credential_id, keep_until
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER exporters_issuedcredential_retained
    BEFORE DELETE ON exporters_issuedcredential
    FOR EACH ROW EXECUTE FUNCTION exporters_credential_retained();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS exporters_issuedcredential_retained ON exporters_issuedcredential;
DROP FUNCTION IF EXISTS exporters_credential_retained();
DROP TRIGGER IF EXISTS exporters_issuedcredential_frozen ON exporters_issuedcredential;
DROP FUNCTION IF EXISTS exporters_credential_frozen();
"""


def postgres_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def postgres_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("exporters", "0004_status_list_issued_count"),
        ("passports", "0011_published_versions_frozen"),
    ]

    operations = [
        migrations.RunPython(postgres_forward, postgres_backward),
    ]
