"""Recording the audit trail and checking its hash chain.

Two halves. The chain itself (``canonical_event``, ``event_hash``, ``verify_chain``) is plain Python over
plain values, so an exported trail can be checked anywhere and the checker is benchmarked alone
(``bench/bench_audit.py``). The recording half appends events: from model signals (so every path that saves
a passport, version, member, API client or key is covered: services, admin, import), from the bulk query sets
of ``passports.models.retention`` (which send no signals), and from ``passports.signals`` (published,
revoked).

How an event is hashed: ``hash = SHA-256(canonical JSON of every field but the row id, with prev_hash)``,
where the canonical JSON is RFC 8785 (keys sorted, no spaces, UTF-8), written by ``core.canonical_json``
like every other hash we keep. The values are only text, integers, null and small objects of those
(``details``); floats stay refused, so an event never depends on how a number is printed. ``prev_hash`` of
the first event of a chain is 64 zeros.

Why a chain and a head: an edited event no longer matches its hash; a deleted one leaves a gap in ``seq``
and a broken ``prev_hash`` link; a reordered one breaks the link or the order of row ids; events deleted from
the end no longer reach the position recorded in ``AuditChainHead``. Someone able to rewrite both tables and
recompute every hash can still forge a consistent history: on PostgreSQL a trigger forbids UPDATE and DELETE,
and ``verify_audit`` prints each chain's head hash so that it can be kept elsewhere as an anchor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from core.canonical_json import canonical_json
from core.requestid import request_context_var
from passports.models import (
    ApiClient,
    Facility,
    Grant,
    Membership,
    Organization,
    Passport,
    PassportVersion,
    Product,
)
from passports.models.audit import AuditChainHead, AuditEvent
from passports.models.retention import BOOKKEEPING_FIELDS, BulkAudit, bulk_audit_register
from passports.signals import passport_published, passport_revoked

GENESIS: Final = "0" * 64
FORMAT_VERSION: Final = 1
#: The stored columns of an event, in the order ``verify_chain`` reads them from a row tuple.
COLUMNS: Final = (
    "id",
    "organization_id",
    "seq",
    "at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "request_id",
    "before_hash",
    "after_hash",
    "details",
    "prev_hash",
    "hash",
)

# --------------------------------------------------------------------------------------------------
# The chain: plain Python
# --------------------------------------------------------------------------------------------------


def timestamp_text(moment: dt.datetime | str) -> str:
    """The one text form of an event's time that the hash covers: UTC, microseconds, ``Z``."""
    if isinstance(moment, str):
        return moment
    text = moment.isoformat(timespec="microseconds")
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _canonical(  # noqa: PLR0917  # positional on purpose: called per event in verify_audit's hot loop
    organization_id: int,
    seq: int,
    at: dt.datetime | str,
    actor_type: str,
    actor_id: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    ip: str,
    request_id: str,
    before_hash: str,
    after_hash: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> bytes:
    return canonical_json(
        {
            "action": action,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "actor_type": actor_type,
            "after_hash": after_hash,
            "at": timestamp_text(at),
            "before_hash": before_hash,
            "details": dict(details) if details else {},
            "ip": ip,
            "object_id": object_id,
            "object_repr": object_repr,
            "object_type": object_type,
            "organization": int(organization_id),
            "prev_hash": prev_hash,
            "request_id": request_id,
            "seq": int(seq),
            "v": FORMAT_VERSION,
        }
    )


def canonical_event(
    *,
    organization_id: int,
    seq: int,
    at: dt.datetime | str,
    actor_type: str,
    actor_id: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    ip: str,
    request_id: str,
    before_hash: str,
    after_hash: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> bytes:
    """RFC 8785 bytes of an event (every field but its row id and its own hash)."""
    return _canonical(
        organization_id, seq, at, actor_type, actor_id, actor_label, action, object_type, object_id, object_repr,
        ip, request_id, before_hash, after_hash, details, prev_hash,
    )  # fmt: skip


def event_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_event(**fields)).hexdigest()


def check_details(value: Any, path: str = "details") -> None:
    """Details hold text, whole numbers, booleans, null, lists and objects with ASCII keys; never floats."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_details(item, f"{path}/{index}")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            # ASCII keys sort the same by code point (Python) and by UTF-16 unit (RFC 8785).
            if not isinstance(key, str) or not key.isascii():
                raise TypeError(f"{path}: keys must be ASCII text")
            check_details(item, f"{path}/{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} cannot be hashed canonically; give text or a whole number")


@dataclass(frozen=True)
class ChainProblem:
    """The first event (or chain end) that fails the check, and how."""

    organization_id: int
    seq: int
    event_id: int | None
    kind: str  # edited, missing, reordered, truncated
    message: str

    def __str__(self) -> str:
        where = f"event id {self.event_id}" if self.event_id is not None else "chain end"
        return f"organization {self.organization_id}, #{self.seq} ({where}): {self.kind}: {self.message}"


@dataclass
class ChainReport:
    events: int = 0
    chains: int = 0
    problem: ChainProblem | None = None
    heads: dict[int, tuple[int, str]] | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _row_problem(row: Sequence[Any], expected_seq: int, prev: str, last_id: int | None) -> ChainProblem | None:
    (event_id, org, seq, at, actor_type, actor_id, actor_label, action, object_type, object_id, object_repr, ip,
     request_id, before_hash, after_hash, details, prev_hash, stored_hash) = row  # fmt: skip
    if seq != expected_seq:
        kind = "missing" if seq > expected_seq else "reordered"
        return ChainProblem(org, seq, event_id, kind, f"expected position #{expected_seq}, found #{seq}")
    recomputed = hashlib.sha256(
        _canonical(
            org,
            seq,
            at,
            actor_type,
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            object_repr,
            ip,
            request_id,
            before_hash,
            after_hash,
            details,
            prev_hash,
        )
    ).hexdigest()
    if recomputed != stored_hash:
        return ChainProblem(org, seq, event_id, "edited", "its content no longer matches its hash")
    if prev_hash != prev:
        return ChainProblem(org, seq, event_id, "missing", "it does not link to the event before it")
    if last_id is not None and event_id is not None and event_id <= last_id:
        return ChainProblem(org, seq, event_id, "reordered", f"row id {event_id} comes after row id {last_id}")
    return None


def verify_chain(rows: Iterable[Sequence[Any]], heads: Mapping[int, tuple[int, str]] | None = None) -> ChainReport:
    """Check rows (tuples in ``COLUMNS`` order, sorted by organization then ``seq``) link by link.

    ``heads`` maps each organization to the last position and hash its chain must reach; a chain that stops
    short of its head has lost events at its end, and a head without events has lost all of them.
    Returns at the first problem, which names the event.
    """
    report = ChainReport()
    org: int | None = None
    expected_seq, prev, last_id = 1, GENESIS, None
    seen: set[int] = set()

    def end_of_chain() -> ChainProblem | None:
        if org is None or heads is None or org not in heads:
            return None
        head_seq, head_hash = heads[org]
        if head_seq != expected_seq - 1 or head_hash != prev:
            return ChainProblem(
                org,
                expected_seq - 1,
                None,
                "truncated",
                f"the chain ends at #{expected_seq - 1}, its head at #{head_seq}",
            )
        return None

    for row in rows:
        if row[1] != org:
            problem = end_of_chain()
            if problem is not None:
                report.problem = problem
                return report
            org, expected_seq, prev, last_id = row[1], 1, GENESIS, None
            seen.add(org)
            report.chains += 1
        problem = _row_problem(row, expected_seq, prev, last_id)
        if problem is not None:
            report.problem = problem
            return report
        prev, last_id = row[17], row[0]
        expected_seq += 1
        report.events += 1
    problem = end_of_chain()
    if problem is None and heads is not None:
        for head_org, (head_seq, _hash) in sorted(heads.items()):
            if head_org not in seen and head_seq > 0:
                problem = ChainProblem(head_org, head_seq, None, "truncated", "every event of this chain is gone")
                break
    report.problem = problem
    return report


def exported_rows(lines: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """Row tuples from a JSON Lines export (``GET /api/v1/audit/export.jsonl``), for ``verify_chain``."""
    for line in lines:
        if line.strip():
            item = json.loads(line)
            yield tuple(item["organization"] if name == "organization_id" else item[name] for name in COLUMNS)


# --------------------------------------------------------------------------------------------------
# Who acts: the request's user or API client, an explicit ``by``, or the system
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    type: str
    id: str = ""
    label: str = ""


SYSTEM: Final = Actor(AuditEvent.ActorType.SYSTEM, "", "system")
_actor_override: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Name the system actor of work done outside a request (a management command, a task)."""
    token = _actor_override.set(Actor(AuditEvent.ActorType.SYSTEM, "", label[:150]))
    try:
        yield
    finally:
        _actor_override.reset(token)


def actor_of(who: Any) -> Actor | None:
    """The actor behind a user or an API client principal (``passports.auth.ApiClientPrincipal``)."""
    if who is None or not getattr(who, "is_authenticated", False):
        return None
    client = getattr(who, "client", None)
    if client is not None:
        return Actor(AuditEvent.ActorType.CLIENT, str(client.pk), f"{client.name} ({client.client_id})"[:150])
    return Actor(AuditEvent.ActorType.USER, str(who.pk), str(getattr(who, "username", who))[:150])


def current_actor(by: Any = None) -> Actor:
    explicit = actor_of(by)
    if explicit is not None:
        return explicit
    context = request_context_var.get()
    if context is not None:
        from_request = actor_of(getattr(context.request, "user", None))
        if from_request is not None:
            return from_request
    return _actor_override.get() or SYSTEM


# --------------------------------------------------------------------------------------------------
# Appending events
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One event to append, before it has a position in the chain."""

    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before_hash: str = ""
    after_hash: str = ""
    details: Mapping[str, Any] | None = None


def _locked_head(org_id: int) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=org_id).first()
    if head is None:
        # Two first events racing: both insert-or-ignore, then both lock the one row that exists.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(organization_id=org_id, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=org_id)
    return head


def record_entries(org_id: int, entries: Sequence[Entry], *, by: Any = None) -> list[AuditEvent]:
    """Append events to the organization's chain, in the caller's transaction (or one of their own).

    The chain head row is locked until that transaction ends, so appends to one chain are serial and each
    event links to the one committed before it.
    """
    if not entries:
        return []
    actor = current_actor(by)
    context = request_context_var.get()
    ip, request_id = (context.ip, context.request_id) if context is not None else ("", "")
    with transaction.atomic(savepoint=False):
        head = _locked_head(org_id)
        seq, prev = head.seq, head.hash
        now = timezone.now()
        events = []
        for entry in entries:
            details = dict(entry.details or {})
            check_details(details)
            seq += 1
            fields: dict[str, Any] = {
                "organization_id": org_id,
                "seq": seq,
                "at": now,
                "actor_type": str(actor.type),
                "actor_id": actor.id,
                "actor_label": actor.label,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id[:64],
                "object_repr": entry.object_repr[:200],
                "ip": ip,
                "request_id": request_id,
                "before_hash": entry.before_hash,
                "after_hash": entry.after_hash,
                "details": details,
                "prev_hash": prev,
            }
            prev = event_hash(**fields)
            events.append(AuditEvent(**fields, hash=prev))
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=org_id).update(seq=seq, hash=prev, updated_at=now)
    return events


def record(
    *,
    org_id: int,
    action: str,
    object_type: str,
    object_id: object,
    object_repr: str = "",
    before_hash: str = "",
    after_hash: str = "",
    details: Mapping[str, Any] | None = None,
    by: Any = None,
) -> AuditEvent:
    """Append one event. For business events that no model save expresses (published, revoked, exported)."""
    entry = Entry(action, object_type, str(object_id), object_repr, before_hash, after_hash, details)
    return record_entries(org_id, [entry], by=by)[0]


# --------------------------------------------------------------------------------------------------
# Model changes: states, hashes and the receivers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    object_type: str
    describe: Callable[[Any], str]
    organization_of: Callable[[Any], int | None]


_TRACKED: dict[type[models.Model], Tracked] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def state_of(instance: models.Model) -> dict[str, Any]:
    """The stored columns of a row as plain values, normalised so a saved and a reloaded row compare equal."""
    state = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        if value is not None and not isinstance(field, models.JSONField | models.BinaryField):
            # A value the field cannot parse is hashed as given.
            with contextlib.suppress(Exception):
                value = field.to_python(value)
        state[field.attname] = _plain(value)
    return state


def state_hash(state: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def stored_states(model: type[models.Model], pks: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """States of rows as the database holds them now (before a bulk change)."""
    if model not in _TRACKED:
        return {}
    return {row.pk: state_of(row) for row in model._base_manager.filter(pk__in=list(pks))}


def _attname(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "attname", name))


def _changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    if before is None:
        return []
    return sorted(name for name, value in after.items() if before.get(name) != value)


def _entry(
    tracked: Tracked, instance: Any, action: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> Entry:
    details: dict[str, Any] = {}
    if action == "updated" and before is not None and after is not None:
        changed = _changed(before, after)
        details["changed"] = [name for name in changed if name not in BOOKKEEPING_FIELDS]
        if "status" in changed:
            details["status"] = {"from": str(before.get("status")), "to": str(after.get("status"))}
    return Entry(
        action=f"{tracked.object_type}.{action}",
        object_type=tracked.object_type,
        object_id=str(instance.pk),
        object_repr=tracked.describe(instance),
        before_hash=state_hash(before) if before is not None else "",
        after_hash=state_hash(after) if after is not None else "",
        details=details,
    )


def _worth_recording(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> bool:
    return before is None or bool(set(_changed(before, after)) - BOOKKEEPING_FIELDS)


def record_bulk(
    model: type[models.Model],
    objs: Sequence[Any],
    *,
    action: str,
    before: Mapping[Any, dict[str, Any]],
    fields: Sequence[str] | None = None,
) -> None:
    """Events for rows written by ``bulk_create``, ``bulk_update`` or ``update`` (no signals are sent)."""
    tracked = _TRACKED.get(model)
    if tracked is None or not objs:
        return
    by_org: dict[int, list[Entry]] = {}
    for obj in objs:
        org_id = tracked.organization_of(obj)
        if org_id is None:
            continue
        previous = before.get(obj.pk) if action == "updated" else None
        after = state_of(obj)
        if previous is not None and fields is not None:
            names = {_attname(model, name) for name in fields}
            after = {**previous, **{name: after[name] for name in names if name in after}}
        if action == "updated" and not _worth_recording(previous, after):
            continue
        by_org.setdefault(org_id, []).append(_entry(tracked, obj, action, previous, after))
    for org_id, entries in by_org.items():
        record_entries(org_id, entries)


def _pre_save(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = state_of(stored) if stored is not None else None


def _post_save(
    sender: type[models.Model],
    instance: Any,
    created: bool,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    tracked = _TRACKED.get(sender)
    if raw or tracked is None:
        return
    org_id = tracked.organization_of(instance)
    if org_id is None:
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = state_of(instance)
    if before is not None and update_fields is not None:
        names = {_attname(sender, name) for name in update_fields}
        after = {**before, **{name: after[name] for name in names if name in after}}
    if not created and not _worth_recording(before, after):
        return
    action = "created" if created or before is None else "updated"
    record_entries(org_id, [_entry(tracked, instance, action, before, after)])


def _post_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    tracked = _TRACKED.get(sender)
    if tracked is None:
        return
    org_id = tracked.organization_of(instance)
    if org_id is not None:
        record_entries(org_id, [_entry(tracked, instance, "deleted", state_of(instance), None)])


def _organization_id(instance: Any) -> int | None:
    return getattr(instance, "organization_id", None)


def track_model(
    model: type[models.Model],
    object_type: str,
    describe: Callable[[Any], str] = str,
    organization_of: Callable[[Any], int | None] = _organization_id,
) -> None:
    """Record every save and delete of ``model`` in its organization's chain (other apps call this too)."""
    _TRACKED[model] = Tracked(object_type, describe, organization_of)
    uid = f"passports.audit.{model._meta.label_lower}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_post_save, sender=model, dispatch_uid=f"{uid}.post_save")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=f"{uid}.post_delete")


#: Models of other apps that are audited when they exist (connected lazily: ``passports`` never imports them).
OPTIONAL_MODELS: Final = {
    "exporters.SigningKey": ("signing_key", lambda key: f"{key.kid} ({key.status})"),
    "exporters.IssuedCredential": ("credential", lambda credential: credential.credential_id),
    "exporters.StatusList": ("status_list", lambda status_list: status_list.url),
}


def connect_receivers() -> None:
    """Called once from ``PassportsConfig.ready``."""
    track_model(Organization, "organization", lambda org: org.name, lambda org: org.pk)
    track_model(Membership, "membership", lambda m: f"user {m.user_id} ({m.role})")
    track_model(ApiClient, "api_client", lambda client: client.name)
    track_model(Grant, "grant", str)
    track_model(Facility, "facility", lambda facility: facility.name)
    track_model(Product, "product", lambda product: f"{product.name} ({product.gtin})")
    track_model(Passport, "passport", lambda passport: passport.identifier)
    track_model(PassportVersion, "passport_version", lambda v: f"passport {v.passport_id} v{v.number} ({v.status})")
    for label, (object_type, describe) in OPTIONAL_MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        track_model(model, object_type, describe)
    bulk_audit_register(BulkAudit(stored_states=stored_states, record_bulk=record_bulk))
    passport_published.connect(_published, dispatch_uid="passports.audit.published")
    passport_revoked.connect(_revoked, dispatch_uid="passports.audit.revoked")


def _published(sender: Any, version: Any, superseded: Any = None, by: Any = None, **kwargs: Any) -> None:
    record(
        org_id=version.organization_id,
        action="passport.published",
        object_type="passport",
        object_id=version.passport_id,
        object_repr=f"passport {version.passport_id} v{version.number}",
        details={
            "version": version.number,
            "content_hash": version.content_hash,
            "superseded": superseded.number if superseded is not None else None,
        },
        by=by,
    )


def _revoked(sender: Any, version: Any, reason: str = "", by: Any = None, **kwargs: Any) -> None:
    record(
        org_id=version.organization_id,
        action="passport.revoked",
        object_type="passport",
        object_id=version.passport_id,
        object_repr=f"passport {version.passport_id} v{version.number}",
        details={"version": version.number, "reason": reason[:300]},
        by=by,
    )


# --------------------------------------------------------------------------------------------------
# Checking what is stored
# --------------------------------------------------------------------------------------------------


def stored_heads(org_ids: Iterable[int] | None = None) -> dict[int, tuple[int, str]]:
    heads = AuditChainHead.objects.all()
    if org_ids is not None:
        heads = heads.filter(pk__in=list(org_ids))
    return {org: (seq, digest) for org, seq, digest in heads.values_list("organization_id", "seq", "hash")}


def stored_rows(org_ids: Iterable[int] | None = None, chunk_size: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Every stored event as a row tuple, chain by chain, streamed in chunks (never the whole table)."""
    events = AuditEvent.objects.order_by("organization_id", "seq")
    if org_ids is not None:
        events = events.filter(organization_id__in=list(org_ids))
    return events.values_list(*COLUMNS).iterator(chunk_size=chunk_size)


def verify_stored(org_ids: Iterable[int] | None = None, chunk_size: int = 5000) -> ChainReport:
    """Check every stored chain (or those of ``org_ids``) against the chain heads."""
    org_list = list(org_ids) if org_ids is not None else None
    heads = stored_heads(org_list)
    report = verify_chain(stored_rows(org_list, chunk_size), heads)
    report.heads = heads
    return report


def export_line(row: Sequence[Any]) -> str:
    """One event as a JSON Lines record: every column, the time in its hashed text form."""
    item = dict(zip(COLUMNS, row, strict=True))
    item["organization"] = item.pop("organization_id")
    item["at"] = timestamp_text(item["at"])
    return json.dumps(item, ensure_ascii=False, sort_keys=True)
