"""Published versions and their credentials are frozen by PostgreSQL itself (issue 21, item 3).

The models refuse to change a published version in Python; these tests go around them with raw SQL, as another
program or a careless operator would, and prove the database refuses too: data, hash, inherited base and
signature stay as published, status only moves forward, and nothing is deleted before the retention date.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from exporters.models import IssuedCredential, SigningKey
from exporters.services.compromise import key_compromise
from passports.models import Passport, PassportVersion
from passports.services.passports import passport_publish, passport_version_new
from tests.factories import ProductFactory, make_passport, make_published_passport

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"),
]


def _refused(sql: str, params: list[Any], match: str) -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def published(tenant: Any) -> PassportVersion:
    return make_published_passport(tenant.org).versions.get()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"tampered": true}'),
        ("content_hash", "0" * 64),
        ("number", 7),
        ("published_at", "2001-01-01T00:00:00Z"),
    ],
)
def test_raw_sql_cannot_change_a_published_version(published: PassportVersion, column: str, value: Any) -> None:
    _refused(f"UPDATE passports_passportversion SET {column} = %s WHERE id = %s", [value, published.pk], "frozen")  # noqa: S608  # column names come from the parameter list above
    stored = PassportVersion.objects.get(pk=published.pk)
    assert (stored.data, stored.content_hash, stored.number) == (
        published.data,
        published.content_hash,
        published.number,
    )


def test_status_only_moves_forward(published: PassportVersion) -> None:
    _refused("UPDATE passports_passportversion SET status = 'draft' WHERE id = %s", [published.pk], "cannot go from")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE passports_passportversion SET status = 'superseded' WHERE id = %s", [published.pk])
    _refused(
        "UPDATE passports_passportversion SET status = 'published' WHERE id = %s", [published.pk], "cannot go from"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE passports_passportversion SET status = 'revoked' WHERE id = %s", [published.pk])
    assert PassportVersion.objects.get(pk=published.pk).status == "revoked"


def test_a_draft_stays_editable_by_sql(tenant: Any) -> None:
    draft = make_passport(tenant.org).versions.get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE passports_passportversion SET data = '{}' WHERE id = %s", [draft.pk])
    assert PassportVersion.objects.get(pk=draft.pk).data == {}


def test_nothing_is_published_on_top_of_a_draft(tenant: Any) -> None:
    """The database keeps item 1's rule too: a version leaves draft only with a non-draft base."""
    product = ProductFactory(organization=tenant.org)
    model = make_passport(tenant.org, product=product)
    item = make_passport(tenant.org, product=product, granularity="item", serial="SN1", data={})
    item_version = item.versions.get()
    assert item_version.base_version_id == model.versions.get().pk
    _refused("UPDATE passports_passportversion SET status = 'published' WHERE id = %s", [item_version.pk], "draft")
    # Pointing a published item at a newer draft of its model is refused as well.
    passport_publish(passport=model)
    published_item = passport_publish(passport=item)
    newer = passport_version_new(passport=model)
    _refused(
        "UPDATE passports_passportversion SET base_version_id = %s WHERE id = %s",
        [newer.pk, published_item.pk],
        "frozen",
    )


def test_raw_sql_cannot_rewrite_a_credential(published: PassportVersion) -> None:
    issued = IssuedCredential.objects.get(version=published)
    _refused("UPDATE exporters_issuedcredential SET credential = '{}' WHERE id = %s", [issued.pk], "frozen")
    _refused("UPDATE exporters_issuedcredential SET jws = 'a.b.c' WHERE id = %s", [issued.pk], "another key")
    _refused("DELETE FROM exporters_issuedcredential WHERE id = %s", [issued.pk], "kept until")
    assert IssuedCredential.objects.get(pk=issued.pk).jws == issued.jws


def test_a_compromised_key_still_re_signs(published: PassportVersion) -> None:
    """Re-signing the same content with another key is the one change allowed, and it goes through."""
    issued = IssuedCredential.objects.get(version=published)
    key_compromise(org=published.organization, kid=issued.kid)
    resigned = IssuedCredential.objects.get(pk=issued.pk)
    assert resigned.jws != issued.jws
    assert resigned.credential == issued.credential
    assert SigningKey.objects.get(pk=resigned.signing_key_id).status == SigningKey.Status.CURRENT


def test_the_services_still_supersede_and_revoke(tenant: Any) -> None:
    from passports.services.passports import passport_draft_update, passport_revoke

    passport: Passport = make_published_passport(tenant.org)
    first = passport.versions.get()
    draft = passport_version_new(passport=passport)
    passport_draft_update(version=draft, data=draft.data, if_match="*")
    second = passport_publish(passport=passport)
    passport_revoke(version=first, reason="found wrong")
    assert PassportVersion.objects.get(pk=first.pk).status == "revoked"
    assert PassportVersion.objects.get(pk=second.pk).status == "published"
