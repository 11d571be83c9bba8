"""Bulk operations on passports: create a job over a selection, confirm it, run it in chunks in a worker.

Each item goes through the very service a single passport uses (``passport_publish``, ``passport_version_new``,
``passport_revoke``, ``passport_create``): a bulk publication signs, audits, backs up and refuses exactly as one
publication does, and nothing here re-implements those rules.

- ``bulk_job_create`` resolves the selection (explicit ids, the passport list's filters across every page, an
  import's passports, the readiness cockpit's filters, or serial numbers for new item passports) into a fixed list
  and stores a ``pending`` job: nothing is signed or changed before ``bulk_job_confirm``.
- ``valid_only``: chunks of ``chunk_size`` items, each item in its own savepoint (a refused item rolls back alone),
  the chunk's results, counts and checkpoint in one transaction.
- ``all_or_nothing``: a checking pass (committed chunk by chunk, so progress shows) asks of every item what the
  service would refuse; if any is refused nothing is done, else one transaction applies them all, and a refusal
  there (the data changed meanwhile) rolls everything back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone

from core.jobs import enqueue_after_commit
from core.leases import LeaseLostError, lease_fail, lease_locked, lease_take
from passports import audit
from passports.identifiers import GS1_CSET82
from passports.models import BulkJob, BulkJobItem, ImportJob, Organization, Passport, PassportVersion, Product
from passports.selectors.passports import validation_report
from passports.services import passports as services

logger = logging.getLogger(__name__)

CHECK, WRITE, WRITE_ALL = "check", "write", "write_all"
#: The task that runs a confirmed job (``passports.tasks.bulk_job_task``), named so this module need not import
#: the tasks module that calls it.
BULK_JOB_TASK = "passports.bulk.run"
MAX_SERIAL_LENGTH = 20
DRAFT, PUBLISHED = PassportVersion.Status.DRAFT, PassportVersion.Status.PUBLISHED


def max_items() -> int:
    """The most items one job may hold (``BULK_MAX_ITEMS``): its selection is stored as one JSON list."""
    return int(getattr(settings, "BULK_MAX_ITEMS", 100_000))


class BulkRequestError(Exception):
    """A bulk request refused before a job exists; ``field`` names the field (or row) at fault."""

    def __init__(self, field: str, code: str, message_en: str, message_ko: str) -> None:
        super().__init__(message_en)
        self.field = field
        self.code = code
        self.message_en = message_en
        self.message_ko = message_ko


class _ChangedMeanwhileError(Exception):
    def __init__(self, position: int, refusal: Refusal) -> None:
        super().__init__(refusal.message_en)
        self.position = position
        self.refusal = refusal


@dataclass(frozen=True)
class Refusal:
    """Why the service refused one item, in both languages."""

    code: str
    message_en: str
    message_ko: str


# --------------------------------------------------------------------------------------------------
# Serial numbers for new item passports


def serials_from_range(*, prefix: str, first: int, last: int, width: int = 0) -> list[str]:
    """``prefix`` + each number from ``first`` to ``last``, zero-padded to ``width`` digits (``SN-0001``…)."""
    if first < 0 or last < first:
        raise BulkRequestError(
            "last",
            "bad_range",
            "The range must run from a number to a larger one.",
            "범위는 작은 수에서 큰 수로 지정하십시오.",
        )
    if last - first + 1 > max_items():
        raise _too_many("last", last - first + 1)
    return [f"{prefix}{number:0{max(width, 0)}d}" for number in range(first, last + 1)]


def serials_from_text(text: str) -> list[str]:
    """One serial number per line (commas and semicolons also separate), blanks dropped."""
    return [part.strip() for part in re.split(r"[\r\n,;]+", text) if part.strip()]


def _check_serials(serials: Sequence[str]) -> None:
    """Each serial fits GS1 AI (21): at most 20 characters of set 82; none twice. The error names its line."""
    if not serials:
        raise BulkRequestError(
            "serials", "required", "Give at least one serial number.", "일련번호를 하나 이상 입력하십시오."
        )
    if len(serials) > max_items():
        raise _too_many("serials", len(serials))
    seen: set[str] = set()
    for line, serial in enumerate(serials, start=1):
        outside = sorted({char for char in serial if char not in GS1_CSET82})
        if len(serial) > MAX_SERIAL_LENGTH or outside:
            raise BulkRequestError(
                f"serials[{line}]",
                "bad_serial",
                f"Serial number {line} ({serial[:40]!r}) must be at most 20 letters, digits or GS1 signs"
                + (f"; these are not allowed: {''.join(outside)}" if outside else "")
                + ".",
                f"{line}번째 일련번호({serial[:40]!r})는 20자 이하의 영문자, 숫자 또는 GS1 기호여야 합니다"
                + (f". 허용되지 않는 문자: {''.join(outside)}" if outside else "")
                + ".",
            )
        if serial in seen:
            raise BulkRequestError(
                f"serials[{line}]",
                "duplicate_serial",
                f"Serial number {line} ({serial!r}) appears twice in the list.",
                f"{line}번째 일련번호({serial!r})가 목록에 두 번 나옵니다.",
            )
        seen.add(serial)


def _too_many(field: str, count: int) -> BulkRequestError:
    limit = max_items()
    return BulkRequestError(
        field,
        "too_many",
        f"{count:,} items selected; one bulk job takes at most {limit:,}.",
        f"{count:,}개를 선택했습니다. 한 번의 일괄 작업은 최대 {limit:,}개까지 처리합니다.",
    )


# --------------------------------------------------------------------------------------------------
# Creating and confirming a job


def _has_version(status: str) -> Exists:
    return Exists(PassportVersion.objects.filter(passport=OuterRef("pk"), status=status))


def eligible(operation: str, passports: QuerySet[Passport]) -> QuerySet[Passport]:
    """The passports of a selection the operation applies to: drafts to publish, published ones to revoke…

    Publishing takes model passports first, so that item passports selected with their model inherit the
    version this very job publishes.
    """
    if operation == BulkJob.Operation.PUBLISH:
        passports = passports.filter(_has_version(DRAFT))
    elif operation == BulkJob.Operation.REVOKE:
        passports = passports.filter(_has_version(PUBLISHED))
    elif operation == BulkJob.Operation.NEW_VERSION:
        passports = passports.exclude(_has_version(DRAFT))
    model_first = Case(
        When(granularity=Passport.Granularity.MODEL, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return passports.order_by(model_first, "pk")


@dataclass
class Selection:
    """What the person selected: ids on a page, or everything a filter or an import names (across pages)."""

    passport_ids: list[int] | None = None
    passports: QuerySet[Passport] | None = None
    import_job: ImportJob | None = None
    products: QuerySet[Product] | None = None
    source: str = ""


def _selected(org: Organization, selection: Selection) -> QuerySet[Passport]:
    queryset = Passport.objects.filter(organization=org)
    if selection.passport_ids is not None:
        ids = sorted(set(selection.passport_ids))
        found = set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            shown = ", ".join(str(pk) for pk in missing[:10])
            raise BulkRequestError(
                "passports",
                "not_found",
                f"No such passport in your organization: {shown}.",
                f"조직에 없는 여권입니다: {shown}.",
            )
        return queryset.filter(pk__in=ids)
    if selection.import_job is not None:
        if selection.import_job.organization_id != org.pk:
            raise BulkRequestError("import_job", "not_found", "No such import.", "그런 가져오기가 없습니다.")
        return queryset.filter(import_jobs=selection.import_job)
    if selection.passports is not None:
        return queryset.filter(pk__in=selection.passports.order_by().values("pk"))
    if selection.products is not None:
        return queryset.filter(product__in=selection.products.order_by().values("pk"))
    raise BulkRequestError("passports", "required", "Select some passports.", "여권을 선택하십시오.")


@transaction.atomic
def bulk_job_create(
    *,
    org: Organization,
    by: Any,
    operation: str,
    policy: str = BulkJob.Policy.VALID_ONLY,
    selection: Selection | None = None,
    parent: Passport | None = None,
    serials: Sequence[str] | None = None,
    reason: str = "",
    publish_created: bool = False,
    chunk_size: int | None = None,
) -> BulkJob:
    """A ``pending`` job over a fixed list: the passports the operation applies to, or the serials to create.

    Raises ``BulkRequestError`` naming the field at fault; nothing is stored then.
    """
    if operation not in BulkJob.Operation.values:
        raise BulkRequestError("operation", "bad_option", f"Unknown operation {operation!r}.", "알 수 없는 작업입니다.")
    if policy not in BulkJob.Policy.values:
        raise BulkRequestError("policy", "bad_option", f"Unknown policy {policy!r}.", "알 수 없는 정책입니다.")
    job = BulkJob(
        organization=org,
        created_by=by if isinstance(by, User) else None,
        operation=operation,
        policy=policy,
        chunk_size=chunk_size or int(getattr(settings, "BULK_CHUNK_SIZE", 100)),
    )
    if operation == BulkJob.Operation.CREATE_ITEMS:
        _check_parent(org, parent)
        serials = list(serials or [])
        _check_serials(serials)
        job.parent, job.targets, job.publish_created = parent, serials, publish_created
        job.source = (selection.source if selection else "") or (parent.identifier if parent else "")
    else:
        if operation == BulkJob.Operation.REVOKE:
            reason = reason.strip()
            if not reason:
                raise BulkRequestError(
                    "reason", "required", "Say why these passports are revoked.", "철회 사유를 입력하십시오."
                )
            job.reason = reason[:300]
        chosen = _selected(org, selection or Selection())
        ids = list(eligible(operation, chosen).values_list("pk", flat=True)[: max_items() + 1])
        if len(ids) > max_items():
            raise _too_many("passports", len(ids))
        if not ids:
            raise BulkRequestError(
                "passports",
                "nothing_to_do",
                _NOTHING[operation][0],
                _NOTHING[operation][1],
            )
        job.targets = ids
        if selection is not None and selection.import_job is not None:
            job.import_job = selection.import_job
        job.source = (selection.source if selection else "")[:200]
    job.total = len(job.targets)
    job.save()
    return job


_NOTHING: dict[str, tuple[str, str]] = {
    BulkJob.Operation.PUBLISH: (
        "None of the selected passports has a draft to publish.",
        "선택한 여권 중 발행할 초안이 있는 것이 없습니다.",
    ),
    BulkJob.Operation.REVOKE: (
        "None of the selected passports has a published version.",
        "선택한 여권 중 발행된 버전이 있는 것이 없습니다.",
    ),
    BulkJob.Operation.NEW_VERSION: (
        "Every selected passport has a draft already.",
        "선택한 여권마다 이미 초안이 있습니다.",
    ),
}


def _check_parent(org: Organization, parent: Passport | None) -> None:
    """Item passports inherit only a published model version (issue 21, item 1): the model must have one."""
    if parent is None or parent.organization_id != org.pk:
        raise BulkRequestError("parent", "not_found", "No such model passport.", "그런 모델 여권이 없습니다.")
    if parent.granularity != Passport.Granularity.MODEL:
        raise BulkRequestError(
            "parent",
            "not_a_model",
            "Item passports are created under a model passport.",
            "품목 여권은 모델 여권 아래에 만듭니다.",
        )
    if not parent.versions.filter(status=PUBLISHED).exists():
        raise BulkRequestError(
            "parent",
            "parent_not_published",
            f"The model passport {parent.identifier} has no published version; item passports inherit only a "
            "published one, so publish it first.",
            f"모델 여권 {parent.identifier}에 발행된 버전이 없습니다. "
            "품목 여권은 발행된 버전만 상속하므로 먼저 발행하십시오.",
        )


@transaction.atomic
def bulk_job_confirm(*, job: BulkJob, by: Any, enqueue: bool = True) -> BulkJob:
    """The person confirmed what the job will do: queue it (after commit). Only a pending job can be confirmed."""
    locked = BulkJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != BulkJob.Status.PENDING:
        raise BulkRequestError(
            "status",
            "not_pending",
            "This job was confirmed or cancelled already.",
            "이미 확인했거나 취소한 작업입니다.",
        )
    locked.status = BulkJob.Status.QUEUED
    locked.confirmed_by = by if isinstance(by, User) else None
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit.record(
        org_id=locked.organization_id,
        action="bulk.confirmed",
        object_type="bulk_job",
        object_id=locked.pk,
        object_repr=f"{locked.operation} of {locked.total}",
        details={"operation": locked.operation, "policy": locked.policy, "items": locked.total},
        by=by,
    )
    if enqueue:
        enqueue_after_commit(BULK_JOB_TASK, locked.pk)
    return locked


@transaction.atomic
def bulk_job_cancel(*, job: BulkJob, by: Any) -> BulkJob:
    """Drops a job that was never confirmed; a confirmed job runs to its end (its chunks are committed)."""
    locked = BulkJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != BulkJob.Status.PENDING:
        raise BulkRequestError(
            "status",
            "not_pending",
            "Only a job awaiting confirmation can be cancelled.",
            "확인을 기다리는 작업만 취소할 수 있습니다.",
        )
    locked.status, locked.finished_at = BulkJob.Status.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "finished_at", "updated_at"])
    return locked


def publish_on_import(*, import_job: ImportJob) -> BulkJob | None:
    """The bulk job an import with ``publish_on_import`` starts once its rows are stored (in its transaction).

    Ticking the option at upload is the person's confirmation, so the job is queued at once; it publishes the valid
    drafts and reports the others, whose drafts stay for the editor.
    """
    if not import_job.publish_on_import or not import_job.committed:
        return None
    try:
        job = bulk_job_create(
            org=import_job.organization,
            by=import_job.created_by,
            operation=BulkJob.Operation.PUBLISH,
            policy=BulkJob.Policy.VALID_ONLY,
            selection=Selection(import_job=import_job, source=import_job.original_name),
        )
    except BulkRequestError:
        return None  # nothing to publish (no drafts among the imported passports)
    return bulk_job_confirm(job=job, by=import_job.created_by)


# --------------------------------------------------------------------------------------------------
# Running a job


def bulk_job_run(*, job_id: int, runner: str = "", max_chunks: int | None = None) -> BulkJob:
    """Run (or resume) a confirmed job until done, or for ``max_chunks`` chunks; return it as it stands.

    Idempotent: a finished job is left alone, and a resumed one continues after its checkpoint.
    """
    lease = _claim(job_id, runner)
    if lease is not None:
        job = BulkJob.objects.select_related("organization", "confirmed_by", "parent").get(pk=job_id)
        try:
            _Run(job, lease, max_chunks).run()
        except LeaseLostError:
            logger.info("bulk job %s: another run took over", job_id)
        except Exception:
            logger.exception("bulk job %s failed", job_id)
            _fail(
                job_id,
                lease,
                "internal",
                "The job stopped on an unexpected error; the items committed so far are kept.",
                "예기치 않은 오류로 작업이 중단되었습니다. 지금까지 반영된 항목은 유지됩니다.",
            )
            raise
    return BulkJob.objects.get(pk=job_id)


def bulk_jobs_resume_orphaned(*, alive: set[str]) -> list[int]:
    """Queue again the running jobs whose worker is gone (not among ``alive``); the lease makes a double run safe."""
    resumed = []
    for job in BulkJob.objects.filter(status=BulkJob.Status.RUNNING).exclude(runner=""):
        if "@" in job.runner and job.runner not in alive:
            current_app.send_task(BULK_JOB_TASK, args=[job.pk])
            resumed.append(job.pk)
    return resumed


def _claim(job_id: int, runner: str) -> str | None:
    return lease_take(
        BulkJob, job_id, runner, refused=lambda job: job.is_finished or job.status == BulkJob.Status.PENDING
    )


def _locked(job_id: int, lease: str) -> BulkJob:
    return lease_locked(BulkJob, job_id, lease)


def _fail(job_id: int, lease: str, code: str, message_en: str, message_ko: str) -> None:
    lease_fail(BulkJob, job_id, lease, code=code, message_en=message_en, message_ko=message_ko)


def _refusal(exc: Exception) -> Refusal:
    """The service's refusal of one item, worded for the person reading the job's results."""
    if isinstance(exc, services.ParentNotPublishedError):
        return Refusal(
            exc.code,
            f"Its model passport {exc.parent.identifier} has no published version; publish it first.",
            f"모델 여권 {exc.parent.identifier}에 발행된 버전이 없습니다. 먼저 발행하십시오.",
        )
    if isinstance(exc, services.PublishRefusedError):
        first = exc.issues[0] if exc.issues else None
        where_en = f" First: {first.pointer or '/'}: {first.message_en}" if first else ""
        where_ko = f" 첫 오류: {first.pointer or '/'}: {first.message_ko}" if first else ""
        return Refusal(
            "invalid_passport",
            f"{len(exc.issues)} validation error(s); fix them in the editor.{where_en}",
            f"검증 오류 {len(exc.issues)}개. 편집기에서 고치십시오.{where_ko}",
        )
    if isinstance(exc, ValidationError):
        text = "; ".join(exc.messages)
        return Refusal("refused", text, text)
    if isinstance(exc, IntegrityError):
        return Refusal(
            "conflict",
            "Someone changed this passport at the same moment; run the operation again for it.",
            "같은 순간에 다른 사람이 이 여권을 바꾸었습니다. 이 여권에 대해 다시 실행하십시오.",
        )
    raise exc


class _Run:
    """One run of one job: items from the checkpoint, chunk after chunk."""

    def __init__(self, job: BulkJob, lease: str, max_chunks: int | None) -> None:
        self.job = job
        self.lease = lease
        self.budget = max_chunks
        self.by = job.confirmed_by or job.created_by

    def run(self) -> None:
        phases = [WRITE] if self.job.policy == BulkJob.Policy.VALID_ONLY else [CHECK, WRITE_ALL]
        current = self.job.phase or phases[0]
        for phase in phases[phases.index(current) :]:
            if phase == WRITE_ALL:
                self._write_all()
                return
            if not self._chunks(phase):
                return
            if len(phases) > 1 and not self._advance():
                return
        self._finish()

    def _chunks(self, phase: str) -> bool:
        """Run a chunked phase from the checkpoint; False when the chunk budget ran out before its end."""
        targets = self.job.targets
        start = self.job.checkpoint if self.job.phase == phase else 0
        for begin in range(start, len(targets), self.job.chunk_size):
            if self.budget is not None and self.budget <= 0:
                return False
            chunk = list(enumerate(targets[begin : begin + self.job.chunk_size], start=begin))
            with transaction.atomic():
                job = _locked(self.job.pk, self.lease)
                results = [self._item(position, key, check=phase == CHECK) for position, key in chunk]
                self._record(job, phase, results, end=begin + len(chunk))
            if self.budget is not None:
                self.budget -= 1
        return True

    def _item(self, position: int, key: Any, *, check: bool) -> BulkJobItem:
        """Apply (or, when checking, judge) one item in its own savepoint; a refusal rolls back that item only."""
        passport: Passport | None = None
        try:
            with transaction.atomic():
                if self.job.operation == BulkJob.Operation.CREATE_ITEMS:
                    passport, version = self._create_item(str(key), check=check)
                else:
                    passport = Passport.objects.select_related("product", "schema").get(
                        pk=key, organization_id=self.job.organization_id
                    )
                    version = self._check(passport) if check else self._apply(passport)
        except Passport.DoesNotExist:
            refusal = Refusal("gone", "This passport no longer exists.", "이 여권은 더 이상 없습니다.")
        except (
            services.ParentNotPublishedError,
            services.PublishRefusedError,
            ValidationError,
            IntegrityError,
        ) as exc:
            refusal = _refusal(exc)
        else:
            outcome = BulkJobItem.Outcome.CHECKED if check else BulkJobItem.Outcome.DONE
            return BulkJobItem(
                job_id=self.job.pk,
                position=position,
                passport=passport,
                key=self._key(passport, key),
                outcome=outcome,
                version=version,
            )
        return BulkJobItem(
            job_id=self.job.pk,
            position=position,
            passport=passport if passport is not None and passport.pk else None,
            key=self._key(passport, key),
            outcome=BulkJobItem.Outcome.REFUSED,
            code=refusal.code,
            message_en=refusal.message_en,
            message_ko=refusal.message_ko,
        )

    @staticmethod
    def _key(passport: Passport | None, key: Any) -> str:
        return (passport.identifier if passport is not None and passport.identifier else str(key))[:300]

    def _apply(self, passport: Passport) -> int:
        operation = self.job.operation
        if operation == BulkJob.Operation.PUBLISH:
            return services.passport_publish(passport=passport, by=self.by).number
        if operation == BulkJob.Operation.NEW_VERSION:
            return services.passport_version_new(passport=passport, by=self.by).number
        published = passport.versions.filter(status=PUBLISHED).first()
        if published is None:
            raise ValidationError({"status": ["This passport has no published version to revoke."]})
        return services.passport_revoke(version=published, reason=self.job.reason, by=self.by).number

    def _check(self, passport: Passport) -> int | None:
        """What the service would refuse, without signing or changing anything (all-or-nothing's first pass)."""
        operation = self.job.operation
        if operation == BulkJob.Operation.PUBLISH:
            draft = passport.versions.select_related("schema").filter(status=DRAFT).first()
            if draft is None:
                raise ValidationError({"status": ["There is no draft to publish."]})
            if passport.parent_id is not None:
                base = PassportVersion.objects.filter(passport_id=passport.parent_id, status=PUBLISHED).first()
                if base is None and passport.parent_id not in self._publishing():
                    raise services.ParentNotPublishedError(passport.parent)  # type: ignore[arg-type]
                draft.base_version = base or draft.base_version  # the model draft this job publishes first
            issues = validation_report(draft)
            if issues:
                raise services.PublishRefusedError(issues, passport=passport)
            return draft.number
        if operation == BulkJob.Operation.NEW_VERSION:
            if passport.versions.filter(status=DRAFT).exists():
                raise ValidationError({"status": ["This passport already has a draft; edit it or publish it first."]})
            return None
        published = passport.versions.filter(status=PUBLISHED).first()
        if published is None:
            raise ValidationError({"status": ["This passport has no published version to revoke."]})
        return published.number

    def _publishing(self) -> set[int]:
        if not hasattr(self, "_targets_set"):
            self._targets_set = {int(pk) for pk in self.job.targets}
        return self._targets_set

    def _create_item(self, serial: str, *, check: bool) -> tuple[Passport | None, int | None]:
        parent = self.job.parent
        if parent is None:
            raise ValidationError({"parent": ["The model passport of this job no longer exists."]})
        if check:
            identifier = services.passport_identifier(
                product=parent.product, lot="", serial=serial, base_url=settings.PLATFORM_BASE_URL
            )
            if Passport.objects.filter(identifier=identifier).exists():
                raise ValidationError({"serial": [f"A passport with identifier {identifier} exists already."]})
            return None, None
        created = services.passport_create(
            org=self.job.organization,
            product=parent.product,
            granularity=Passport.Granularity.ITEM,
            schema=parent.schema,
            data={},
            serial=serial,
            parent=parent,
            by=self.by,
            base_url=settings.PLATFORM_BASE_URL,
        )
        if self.job.publish_created:
            return created, services.passport_publish(passport=created, by=self.by).number
        return created, 1

    def _record(self, job: BulkJob, phase: str, results: list[BulkJobItem], *, end: int) -> None:
        """Save a chunk's results, counts and checkpoint (inside the chunk's transaction)."""
        if phase == CHECK:
            # The checking pass keeps only refusals; the items it passed are written by the applying pass.
            BulkJobItem.objects.bulk_create([r for r in results if r.outcome == BulkJobItem.Outcome.REFUSED])
        else:
            BulkJobItem.objects.bulk_create(results)
        refused = sum(1 for r in results if r.outcome == BulkJobItem.Outcome.REFUSED)
        job.done += len(results)
        job.failed += refused
        if phase == WRITE:
            job.succeeded += len(results) - refused
        job.checkpoint, job.phase = end, phase
        job.save(update_fields=["done", "failed", "succeeded", "checkpoint", "phase", "updated_at"])
        self.job = job

    def _advance(self) -> bool:
        """Close all-or-nothing's checking pass: stop if any item is refused, else move on to applying them all."""
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            if job.failed:
                job.status, job.error_code = BulkJob.Status.FAILED, "items_refused"
                job.error_en = (
                    f"{job.failed:,} of {job.total:,} items would be refused, so nothing was done (all items or "
                    "nothing). Fix them, or run the operation for the valid items only."
                )
                job.error_ko = (
                    f"{job.total:,}개 중 {job.failed:,}개가 거부되어 아무것도 하지 않았습니다(전부 아니면 전무). "
                    "고치거나 '유효한 항목만'으로 실행하십시오."
                )
                job.finished_at, job.phase = timezone.now(), ""
                job.save()
                self.job = job
                return False
            job.checkpoint, job.phase, job.done = 0, WRITE_ALL, 0
            job.save(update_fields=["checkpoint", "phase", "done", "updated_at"])
            self.job = job
            return True

    def _write_all(self) -> None:
        try:
            with transaction.atomic():
                job = _locked(self.job.pk, self.lease)
                results = []
                for position, key in enumerate(job.targets):
                    result = self._item(position, key, check=False)
                    if result.outcome == BulkJobItem.Outcome.REFUSED:
                        raise _ChangedMeanwhileError(
                            position, Refusal(result.code, result.message_en, result.message_ko)
                        )
                    results.append(result)
                BulkJobItem.objects.bulk_create(results, batch_size=1000)
                job.done = job.succeeded = len(results)
                job.checkpoint = len(results)
                job.status, job.phase, job.finished_at = BulkJob.Status.DONE, "", timezone.now()
                job.save()
                _audit_finished(job)
                self.job = job
        except _ChangedMeanwhileError as exc:
            _fail(
                self.job.pk,
                self.lease,
                "changed_meanwhile",
                f"Item {exc.position + 1} is refused now (the data changed after the check): "
                f"{exc.refusal.message_en} Nothing was done.",
                f"{exc.position + 1}번째 항목이 이제 거부됩니다(검사 후 데이터가 바뀜): {exc.refusal.message_ko} "
                "아무것도 하지 않았습니다.",
            )

    def _finish(self) -> None:
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            job.status, job.phase, job.finished_at = BulkJob.Status.DONE, "", timezone.now()
            job.save(update_fields=["status", "phase", "finished_at", "updated_at"])
            _audit_finished(job)
            self.job = job


def _audit_finished(job: BulkJob) -> None:
    """One event for the job as a whole (each item's own events come from the service it went through)."""
    audit.record(
        org_id=job.organization_id,
        action="bulk.finished",
        object_type="bulk_job",
        object_id=job.pk,
        object_repr=f"{job.operation} of {job.total}",
        details={"operation": job.operation, "items": job.total, "succeeded": job.succeeded, "refused": job.failed},
        by=job.confirmed_by,
    )


def refused_items(job: BulkJob) -> Iterable[BulkJobItem]:
    return job.items.filter(outcome=BulkJobItem.Outcome.REFUSED).order_by("position")
