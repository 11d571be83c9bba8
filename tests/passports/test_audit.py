"""Recording the audit trail (passports/audit.py) and catching tampering with it (manage.py verify_audit).

Tampering is done as an attacker with database access would: raw SQL on the table. On PostgreSQL the trigger
of migration 0004 refuses that first (tested here too), so the tampering tests disable it for the test's own
transaction, as only a table owner who means harm could.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from passports import audit
from passports.models import AuditChainHead, AuditEvent, Membership, Passport, PassportVersion
from passports.models.audit import AuditAppendOnlyError
from passports.services import passports as services
from passports.services.tenants import api_client_create, membership_set
from tests.factories import UserFactory, make_passport

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def events(org: Any, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=org, **filters).order_by("seq"))


def actions(org: Any, **filters: Any) -> list[str]:
    return [event.action for event in events(org, **filters)]


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Run raw SQL on the audit table as an attacker would (on PostgreSQL: with the trigger switched off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE passports_auditevent DISABLE TRIGGER passports_auditevent_append_only")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE passports_auditevent ENABLE TRIGGER passports_auditevent_append_only")


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(tenant: Any) -> Passport:
    """A passport taken through its life: created, edited, published, a second version, revoked."""
    passport = make_passport(tenant.org)
    draft = passport.versions.get()
    data = {**draft.data}
    services.passport_draft_update(version=draft, data=data, if_match=draft.etag, by=tenant.editor)
    services.passport_publish(passport=passport, by=tenant.owner)
    services.passport_version_new(passport=passport, by=tenant.editor)
    services.passport_publish(passport=passport, by=tenant.owner)
    services.passport_revoke(version=passport.versions.get(number=2), reason="wrong capacity", by=tenant.owner)
    return passport


def test_a_passport_life_is_recorded_step_by_step(tenant: Any, history: Passport) -> None:
    passport_events = actions(tenant.org, object_type="passport", object_id=str(history.pk))
    version_events = [
        f"{e.action} ({e.object_repr.rsplit('(', 1)[1]}"
        for e in events(tenant.org, object_type="passport_version")
        if e.object_repr.startswith(f"passport {history.pk} ")
    ]
    assert passport_events[0] == "passport.created"
    assert passport_events.count("passport.published") == 2
    assert passport_events[-2:] == ["passport.updated", "passport.revoked"]  # status set, then the reason
    last_update = events(tenant.org, object_type="passport", action="passport.updated")[-1]
    assert last_update.details["status"] == {"from": "published", "to": "revoked"}
    # In order: v1 created, edited, published; v2 created; v1 superseded as v2 is published; v2 revoked.
    assert version_events == [
        "passport_version.created (draft)",
        "passport_version.updated (draft)",
        "passport_version.updated (published)",
        "passport_version.created (draft)",
        "passport_version.updated (superseded)",
        "passport_version.updated (published)",
        "passport_version.updated (revoked)",
    ]
    published = events(tenant.org, action="passport.published")
    v1_hash = history.versions.get(number=1).content_hash
    assert published[0].details == {"version": 1, "content_hash": v1_hash, "superseded": None}
    assert published[1].details["superseded"] == 1
    assert {e.actor_label for e in published} == {tenant.owner.username}
    revoked = events(tenant.org, action="passport.revoked")[0]
    assert revoked.details == {"version": 2, "reason": "wrong capacity"}


def test_status_changes_are_spelled_out_and_hashes_chain_before_to_after(tenant: Any, history: Passport) -> None:
    v1 = history.versions.get(number=1)
    updates = list(
        events(tenant.org, object_type="passport_version", object_id=str(v1.pk), action="passport_version.updated")
    )
    statuses = [e.details.get("status") for e in updates]
    assert {"from": "draft", "to": "published"} in statuses
    assert {"from": "published", "to": "superseded"} in statuses
    # Each update starts from the state the previous event left.
    created = events(
        tenant.org, object_type="passport_version", object_id=str(v1.pk), action="passport_version.created"
    )[0]
    states = [created, *updates]
    for earlier, later in itertools.pairwise(states):
        assert later.before_hash == earlier.after_hash
    assert audit.state_hash(audit.state_of(PassportVersion.objects.get(pk=v1.pk))) == updates[-1].after_hash


def test_saves_that_change_nothing_but_the_timestamp_make_no_event(tenant: Any) -> None:
    passport = make_passport(tenant.org)
    before = AuditEvent.objects.count()
    passport.save()
    Passport.objects.filter(pk=passport.pk).update(updated_at=passport.updated_at)
    assert AuditEvent.objects.count() == before


def test_members_and_api_clients_are_recorded(tenant: Any) -> None:
    newcomer: Any = UserFactory(username="lee.seoyeon")
    membership = membership_set(org=tenant.org, user=newcomer, role=Membership.Role.VIEWER)
    membership_set(org=tenant.org, user=newcomer, role=Membership.Role.EDITOR)
    membership.refresh_from_db()
    membership_id = membership.pk
    membership.delete()
    client, _secret = api_client_create(org=tenant.org, name="ERP", scopes=["read"])
    member_events = events(tenant.org, object_type="membership", object_id=str(membership_id))
    assert [e.action for e in member_events] == ["membership.created", "membership.updated", "membership.deleted"]
    assert member_events[1].details["changed"] == ["role"]
    assert member_events[2].after_hash == ""
    assert actions(tenant.org, object_type="api_client", object_id=str(client.pk)) == ["api_client.created"]


def test_bulk_writes_that_send_no_signals_are_recorded_too(tenant: Any) -> None:
    passport = make_passport(tenant.org)
    version = passport.versions.get()
    Passport.objects.filter(pk=passport.pk).update(lot="")  # no real change: nothing recorded
    Passport.objects.filter(pk=passport.pk).update(registry_id="EU-REG-1")
    version.error_count = 3
    PassportVersion.objects.bulk_update([version], ["error_count"])
    created = PassportVersion.objects.bulk_create(
        [
            PassportVersion(
                organization=tenant.org,
                passport=passport,
                number=9,
                schema=version.schema,
                data={},
                content_hash="0" * 64,
                status="superseded",
            )
        ]
    )
    passport_events = events(tenant.org, object_type="passport", object_id=str(passport.pk))
    assert [e.action for e in passport_events] == ["passport.created", "passport.updated"]
    assert passport_events[-1].details["changed"] == ["registry_id"]
    version_events = events(tenant.org, object_type="passport_version", object_id=str(version.pk))
    assert version_events[-1].details["changed"] == ["error_count"]
    assert actions(tenant.org, object_type="passport_version", object_id=str(created[0].pk)) == [
        "passport_version.created"
    ]


def test_an_api_request_records_the_person_their_address_and_the_request_id(tenant: Any, login_api: Any) -> None:
    response = login_api(tenant.owner).post(
        "/api/v1/facilities/",
        {"name": "Ochang plant", "country": "KR"},
        HTTP_X_REQUEST_ID="trace-0123456789",
        REMOTE_ADDR="203.0.113.77",
    )
    assert response.status_code == 201, response.content
    event = events(tenant.org, action="facility.created")[-1]
    assert (event.actor_type, event.actor_id, event.actor_label) == (
        "user",
        str(tenant.owner.pk),
        tenant.owner.username,
    )
    assert (event.ip, event.request_id) == ("203.0.113.77", "trace-0123456789")
    assert event.object_repr == "Ochang plant"


def test_an_api_client_is_recorded_as_itself(tenant: Any, make_credentials: Any) -> None:
    from tests.conftest import token_request

    credentials = make_credentials(tenant.org, ("read", "write"), name="SAP bridge")
    token = token_request(credentials.basic()).json()["access_token"]
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post(
        "/api/v1/facilities/", {"name": "Cheongju plant", "country": "KR"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201, response.content
    event = events(tenant.org, action="facility.created")[-1]
    assert (event.actor_type, event.actor_id) == ("client", str(credentials.client.pk))
    assert event.actor_label.startswith("SAP bridge (")


def test_outside_requests_the_actor_is_the_system_or_the_named_job(tenant: Any) -> None:
    make_passport(tenant.org)
    assert events(tenant.org, action="passport.created")[-1].actor_label == "system"
    with audit.acting_as("nightly import"):
        make_passport(tenant.org)
    last = events(tenant.org, action="passport.created")[-1]
    assert (last.actor_type, last.actor_label, last.ip) == ("system", "nightly import", "")


def test_each_organization_has_its_own_chain(tenant: Any, other_tenant: Any) -> None:
    make_passport(tenant.org)
    make_passport(other_tenant.org)
    for org in (tenant.org, other_tenant.org):
        chain = events(org)
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == audit.GENESIS
        head = AuditChainHead.objects.get(pk=org.pk)
        assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash)


def test_events_refuse_to_change_or_go_in_python(tenant: Any) -> None:
    make_passport(tenant.org)
    event = events(tenant.org)[0]
    event.action = "nothing.happened"
    with pytest.raises(AuditAppendOnlyError):
        event.save()
    with pytest.raises(AuditAppendOnlyError):
        event.delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@on_postgresql
@pytest.mark.parametrize("sql", ["UPDATE passports_auditevent SET action = 'x'", "DELETE FROM passports_auditevent"])
def test_postgresql_refuses_update_and_delete_even_for_the_superuser(tenant: Any, sql: str) -> None:
    make_passport(tenant.org)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(organization=tenant.org, action="x").count() == 0


def test_verify_audit_passes_an_untouched_trail_and_prints_the_heads(tenant: Any, history: Passport) -> None:
    output = verify()
    head = AuditChainHead.objects.get(pk=tenant.org.pk)
    assert f"organization {tenant.org.pk}: {head.seq} event(s), head {head.hash}" in output
    assert "verified" in output


def _nth(org: Any, seq: int) -> AuditEvent:
    return AuditEvent.objects.get(organization=org, seq=seq)


def test_verify_audit_names_an_edited_event(tenant: Any, history: Passport) -> None:
    target = _nth(tenant.org, 5)
    tamper("UPDATE passports_auditevent SET actor_label = %s WHERE id = %s", ["someone-else", target.pk])
    with pytest.raises(CommandError, match=rf"#5 \(event id {target.pk}\): edited") as caught:
        verify()
    assert caught.value.returncode == 1


def test_verify_audit_names_the_event_after_a_deleted_one(tenant: Any, history: Passport) -> None:
    tamper("DELETE FROM passports_auditevent WHERE id = %s", [_nth(tenant.org, 4).pk])
    with pytest.raises(CommandError, match=rf"#5 \(event id {_nth(tenant.org, 5).pk}\): missing"):
        verify()


def test_verify_audit_names_reordered_events(tenant: Any, history: Passport) -> None:
    third, fourth = _nth(tenant.org, 3), _nth(tenant.org, 4)
    # Swap their positions (through a free number: (organization, seq) is unique).
    tamper("UPDATE passports_auditevent SET seq = 999999 WHERE id = %s", [third.pk])
    tamper("UPDATE passports_auditevent SET seq = 3 WHERE id = %s", [fourth.pk])
    tamper("UPDATE passports_auditevent SET seq = 4 WHERE id = %s", [third.pk])
    with pytest.raises(CommandError, match=rf"#3 \(event id {fourth.pk}\): edited"):
        verify()


def test_verify_audit_names_events_cut_from_the_end(tenant: Any, history: Passport) -> None:
    head = AuditChainHead.objects.get(pk=tenant.org.pk)
    tamper("DELETE FROM passports_auditevent WHERE organization_id = %s AND seq = %s", [tenant.org.pk, head.seq])
    with pytest.raises(CommandError, match="truncated"):
        verify()


def test_verify_audit_checks_only_the_chains_asked_for(tenant: Any, other_tenant: Any, history: Passport) -> None:
    make_passport(other_tenant.org)
    tamper("UPDATE passports_auditevent SET ip = '10.0.0.1' WHERE id = %s", [_nth(tenant.org, 2).pk])
    assert "verified" in verify("--org", other_tenant.org.slug)
    with pytest.raises(CommandError, match="edited"):
        verify("--org", tenant.org.slug)


def test_the_admin_shows_the_trail_and_offers_no_way_to_change_it(admin_client: Any, tenant: Any) -> None:
    make_passport(tenant.org)
    event = events(tenant.org)[0]
    assert admin_client.get("/admin/passports/auditevent/").status_code == 200
    assert admin_client.get(f"/admin/passports/auditevent/{event.pk}/change/").status_code == 200  # view only
    assert admin_client.post(f"/admin/passports/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/passports/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_keys_credentials_and_status_lists_of_exporters_are_recorded_too(tenant: Any, history: Passport) -> None:
    """Connected lazily (``passports`` never imports ``exporters``): a key made at first publication, a
    credential per published version, and the status list whose bit the revocation set."""
    recorded = set(actions(tenant.org))
    assert {"signing_key.created", "credential.created", "status_list.updated"} <= recorded
    credentials = events(tenant.org, action="credential.created")
    assert len(credentials) == 2  # one per published version
    revocation = [e for e in events(tenant.org, action="status_list.updated") if "bits" in e.details["changed"]]
    assert revocation, "the revocation flipped a bit"
