"""Import jobs: ``import_job_create`` checks and stores an upload; ``import_job_run`` imports it in chunks.

A run reads the file from where the last committed chunk ended. Each chunk (``ImportJob.chunk_rows``
rows) is judged and written, and its rejected rows, its counts and the new checkpoint are saved, in one
transaction: a worker killed at any moment leaves either the whole chunk or none of it, so the resumed run
loses no row and writes none twice.

- ``dry_run``: one pass, judging every row against the database as it is (and as the earlier rows of the
  file would have left it); nothing is stored but the job, its counts and its error report.
- ``commit`` + ``valid_rows``: one pass writing the valid rows chunk by chunk; bad rows are reported.
- ``commit`` + ``all_or_nothing``: a checking pass like a dry run; if any row is bad nothing is written,
  else a second pass writes every row in one transaction (so it is atomic, and restarts from its first
  row after a crash, since nothing of it was committed).
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.jobs import enqueue_after_commit
from core.leases import LeaseLostError, lease_fail, lease_locked, lease_take
from core.reconnect import ConnectionLostError, on_fresh_connection
from passports import audit
from passports.imports.batches import CsvFile, Position, XlsxFile
from passports.imports.chunks import ACTIONS, CREATE, REJECT, UPDATE, Chunk, Plan, Reading, plan_from_outcomes
from passports.imports.columns import resolve_headers
from passports.imports.formats import Encoding, FormatError, NumberFormat, bom_length, cr_only
from passports.imports.inspection import inspect_upload
from passports.imports.kinds import Kind, kind_get
from passports.imports.limits import limits_from, too_large_messages
from passports.imports.rows import RunContext
from passports.models import ColumnMapping, ImportJob, ImportRowError, Organization
from passports.services.bulk import publish_on_import

logger = logging.getLogger(__name__)

CHECK, WRITE, WRITE_ALL = "check", "write", "write_all"
#: The task that runs a job (``passports.imports.tasks.import_job_task``), named so this module need not import
#: the tasks module that calls it.
IMPORT_JOB_TASK = "passports.imports.run"
PREVIEW_ROWS = 100


class ImportRejectedError(Exception):
    """An upload refused before a job exists; ``status`` is the HTTP answer (413, 415 or 400)."""

    def __init__(self, code: str, message_en: str, message_ko: str, status: int = 400) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_ko = message_ko
        self.status = status


_FORMAT_STATUS = {
    "xlsx_too_large": 413,
    "empty": 415,
    "type_mismatch": 415,
    "legacy_xls": 415,
    "not_a_spreadsheet": 415,
    "binary": 415,
    "bad_encoding": 415,
    "unknown_encoding": 415,
    "bad_xlsx": 415,
    "not_xlsx": 415,
    "encrypted_xlsx": 415,
}


# --------------------------------------------------------------------------------------------------
# Creating a job


@transaction.atomic
def import_job_create(
    *,
    org: Organization,
    by: Any,
    upload: File[Any],
    kind: str,
    mode: str = ImportJob.Mode.DRY_RUN,
    policy: str = ImportJob.Policy.ALL_OR_NOTHING,
    mapping: ColumnMapping | None = None,
    chunk_rows: int | None = None,
    enqueue: bool = True,
    publish: bool = False,
) -> ImportJob:
    """Check an upload (type, encoding, header against ``kind``), store it and queue its import.

    Raises ``ImportRejectedError`` with both messages when the file is refused; nothing is stored then.
    The task is queued when the surrounding transaction commits (``enqueue=False`` leaves it to the caller).
    ``publish`` (committing passport imports only) publishes the valid drafts once the rows are stored.
    """
    limits = limits_from(settings)
    name = Path(str(upload.name or "upload")).name
    if upload.size is not None and upload.size > limits.max_upload_bytes:
        raise ImportRejectedError("too_large", *too_large_messages(limits.max_upload_bytes), status=413)
    try:
        kind_obj = kind_get(kind)
    except LookupError as exc:
        raise ImportRejectedError("unknown_kind", str(exc), f"알 수 없는 종류입니다: {kind}") from exc
    if mode not in ImportJob.Mode.values or policy not in ImportJob.Policy.values:
        raise ImportRejectedError(
            "bad_option", f"Unknown mode {mode!r} or policy {policy!r}.", "모드나 정책이 잘못되었습니다."
        )
    if mapping is not None and (mapping.organization_id != org.pk or mapping.kind != kind):
        raise ImportRejectedError(
            "bad_mapping", "That column mapping is for another kind of file.", "다른 종류의 파일에 대한 열 매핑입니다."
        )
    saved = dict(mapping.mapping) if mapping is not None else {}
    try:
        inspection = inspect_upload(upload.file, name, kind_obj, saved, limits)  # type: ignore[arg-type]
    except FormatError as exc:
        raise ImportRejectedError(exc.code, exc.message_en, exc.message_ko, _FORMAT_STATUS.get(exc.code, 400)) from exc
    job = ImportJob(
        organization=org,
        created_by=_person(by),
        kind=kind,
        original_name=name[:255],
        size=upload.size or 0,
        file_format=inspection.file_format,
        encoding=inspection.encoding.name if inspection.encoding else "",
        delimiter=inspection.delimiter,
        decimal_separator=inspection.numbers.decimal,
        mode=mode,
        policy=policy,
        mapping=mapping,
        mapping_used=saved,
        chunk_rows=chunk_rows or int(getattr(settings, "IMPORT_CHUNK_ROWS", 5000)),
        publish_on_import=publish and mode == ImportJob.Mode.COMMIT,
    )
    upload.seek(0)
    job.file.save(name, upload, save=False)
    job.save()
    if enqueue:
        enqueue_after_commit(IMPORT_JOB_TASK, job.pk)
    return job


def _person(by: Any) -> Any:
    return by if isinstance(by, User) else None


# --------------------------------------------------------------------------------------------------
# Running a job


def import_job_run(*, job_id: int, runner: str = "", max_chunks: int | None = None) -> ImportJob:
    """Run (or resume) a job until it is done, or for ``max_chunks`` chunks; return it as it stands.

    Idempotent: a finished job is left alone, and a resumed one continues after its checkpoint. A lost
    database connection does not fail the job: the run starts again on a new connection from the job as
    the database has it (the last committed chunk), after a back-off (``core.reconnect``); only a
    connection lost again and again with no chunk committed between fails it.
    """
    lease = on_fresh_connection(partial(_claim, job_id, runner), what=f"import {job_id}")
    if lease is not None:
        run: _Run | None = None

        def attempt() -> None:
            nonlocal run
            # Reloaded on each attempt: a chunk whose COMMIT was cut off may or may not have been stored.
            run = _Run(ImportJob.objects.select_related("organization", "created_by").get(pk=job_id), lease, max_chunks)
            run.run()

        try:
            on_fresh_connection(attempt, what=f"import {job_id}", progress=lambda: run and run.job.checkpoint)
        except LeaseLostError:
            logger.info("import %s: another run took over", job_id)
        except FormatError as exc:
            _fail(job_id, lease, exc.code, exc.message_en, exc.message_ko)
        except ConnectionLostError:
            logger.exception("import %s: the database connection could not be kept", job_id)
            _fail(
                job_id,
                lease,
                "database_lost",
                "The import stopped: the connection to the database was lost several times in a row. "
                "The rows committed so far are kept; start the import again to continue.",
                "데이터베이스 연결이 연달아 끊겨 가져오기가 중단되었습니다. 지금까지 반영된 행은 유지됩니다. "
                "가져오기를 다시 시작하면 이어서 진행합니다.",
            )
        except Exception:
            logger.exception("import %s failed", job_id)
            _fail(
                job_id,
                lease,
                "internal",
                "The import stopped on an unexpected error; the rows committed so far are kept.",
                "예기치 않은 오류로 가져오기가 중단되었습니다. 지금까지 반영된 행은 유지됩니다.",
            )
            raise
    return ImportJob.objects.get(pk=job_id)


def import_jobs_resume_orphaned(*, alive: set[str], started: str = "", started_at: datetime | None = None) -> list[int]:
    """Queue again the running jobs no live worker is running; returns their ids.

    A worker killed mid-import leaves its job ``running`` with an unacknowledged message that the broker
    redelivers only after its visibility timeout (hours). Each worker, when it starts, calls this with the
    names of the workers that answer a ping (``alive``), its own name (``started``) and the time it
    started. A job is orphaned when its runner does not answer, or when its runner is the worker that has
    just started and the job has not moved since (the previous life of a worker restarted under the same
    name: it answers the ping, but is not running the job).

    Each orphan is taken by a conditional UPDATE on the lease it was left with, which also gives it a new
    one: of two workers starting at once (or a worker and the sweeper) one takes it, and a run of the old
    lease that is in fact alive stops at its next chunk instead of writing beside the new one.
    """
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).exclude(runner="")
    resumed = []
    for pk, runner, lease, updated_at in running.values_list("pk", "runner", "lease", "updated_at"):
        restarted = bool(started) and runner == started and started_at is not None and updated_at < started_at
        gone = "@" in runner and runner not in alive
        if not (gone or restarted):
            continue
        with transaction.atomic():
            taken = ImportJob.objects.filter(pk=pk, status=ImportJob.Status.RUNNING, runner=runner, lease=lease).update(
                lease=uuid.uuid4().hex, runner="", updated_at=timezone.now()
            )
            if taken:
                transaction.on_commit(partial(current_app.tasks[IMPORT_JOB_TASK].apply_async, args=[pk]))
        if taken:
            resumed.append(pk)
            logger.warning("import %s: its worker %s is gone; queued again", pk, runner)
    return resumed


def _claim(job_id: int, runner: str) -> str | None:
    return lease_take(ImportJob, job_id, runner, refused=lambda job: job.is_finished)


def _locked(job_id: int, lease: str) -> ImportJob:
    return lease_locked(ImportJob, job_id, lease)


def _fail(job_id: int, lease: str, code: str, message_en: str, message_ko: str) -> None:
    failed = partial(lease_fail, ImportJob, job_id, lease, code=code, message_en=message_en, message_ko=message_ko)
    on_fresh_connection(failed, what=f"import {job_id}")


class _Run:
    """One run of one job: reads the file from its checkpoint and commits chunk after chunk."""

    def __init__(self, job: ImportJob, lease: str, max_chunks: int | None) -> None:
        self.job = job
        self.lease = lease
        self.budget = max_chunks
        self.kind: Kind = kind_get(job.kind)
        self.numbers = NumberFormat(job.decimal_separator or ".")
        self.virtual: dict[Any, Any] = {}
        self.cache: dict[str, Any] = {}

    def run(self) -> None:
        with _local_source(self.job) as source:
            header, self.start = source.header()
            header_map = resolve_headers(header, self.kind.tree, self.job.mapping_used)
            self.reading = Reading(
                source, header_map, self.kind.tree, self.numbers, key_columns=self.kind.key_columns, width=len(header)
            )
            self.header_map = header_map
            if self.job.rows_total is None:
                self._count()
            phases = [CHECK] if self.job.mode == ImportJob.Mode.DRY_RUN else [WRITE]
            if self.job.mode == ImportJob.Mode.COMMIT and self.job.policy == ImportJob.Policy.ALL_OR_NOTHING:
                phases = [CHECK, WRITE_ALL]
            current = self.job.checkpoint.get("phase") or phases[0]
            for phase in phases[phases.index(current) :]:
                if phase == WRITE_ALL:
                    self._write_all()
                    return
                if not self._phase(phase):
                    return
                if len(phases) > 1 and not self._advance():
                    return
            self._finish()

    def _count(self) -> None:
        total = self.reading.count()
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            job.rows_total = total
            job.save(update_fields=["rows_total", "updated_at"])
        self.job.rows_total = total

    def _context(self, *, write: bool) -> RunContext:
        return RunContext(
            org=self.job.organization,
            user=self.job.created_by,
            header_keys=self.header_map.column_keys(),
            write=write,
            virtual=self.virtual,
            cache=self.cache,
            job_id=self.job.pk if write else None,
        )

    # ----------------------------------------------------------------------------------------------
    # Phases

    def _phase(self, phase: str) -> bool:
        """Run a chunked phase from its checkpoint; False when the chunk budget ran out before its end."""
        self.cache, self.virtual = {}, {}
        checkpoint = self.job.checkpoint
        resume = checkpoint.get("phase") == phase and checkpoint.get("offset", 0) > self.start.offset
        start = Position(checkpoint["offset"], checkpoint["row"]) if resume else self.start
        if phase == CHECK and resume:
            # A dry run keeps in memory what earlier rows would have created: replay them to rebuild it.
            start = self.start
        for chunk in self.reading.chunks(start, self.job.chunk_rows):
            if phase == CHECK and resume and chunk.end.offset <= checkpoint["offset"]:
                self._plan(self._context(write=False), chunk)
                continue
            if self.budget is not None and self.budget <= 0:
                return False
            if phase == CHECK:
                plan = self._plan(self._context(write=False), chunk)
                self._commit(chunk, plan, phase)
            else:
                self._write_chunk(chunk, phase)
            if self.budget is not None:
                self.budget -= 1
        return True

    def _plan(self, ctx: RunContext, chunk: Chunk) -> Plan:
        """The kind's plan of a chunk: column by column where the kind can, else record by record."""
        by_columns = getattr(self.kind.handler, "plan_chunk", None)
        if by_columns is not None and self.reading.flat:
            return by_columns(ctx, self.reading, chunk)
        outcomes, payload = self.kind.handler.plan(ctx, self.reading.records(chunk))
        return plan_from_outcomes(outcomes, payload)

    def _write_chunk(self, chunk: Chunk, phase: str) -> None:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    job = _locked(self.job.pk, self.lease)
                    ctx = self._context(write=True)
                    plan = self._plan(ctx, chunk)
                    self.kind.handler.apply(ctx, plan.payload)
                    self._record(job, chunk, plan, phase)
                    _audit_chunk(job, chunk, plan)
                return
            except IntegrityError:
                # Someone wrote one of these keys between our lookup and our insert: judge the chunk again.
                if attempt == 2:
                    raise

    def _write_all(self) -> None:
        self.cache, self.virtual = {}, {}
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            counts = {CREATE: 0, UPDATE: 0}
            for chunk in self.reading.chunks(self.start, self.job.chunk_rows):
                ctx = self._context(write=True)
                plan = self._plan(ctx, chunk)
                rejected = np.flatnonzero(plan.actions == REJECT)
                if len(rejected):
                    row = chunk.first_row(int(rejected[0]))
                    raise FormatError(
                        "changed_meanwhile",
                        f"Row {row} no longer passes (the data changed while the file was "
                        "checked); nothing was stored. Upload the file again.",
                        f"{row}행이 더 이상 검사를 통과하지 못합니다(검사 중 데이터가 바뀜). "
                        "아무것도 저장하지 않았습니다. 파일을 다시 올리십시오.",
                    )
                self.kind.handler.apply(ctx, plan.payload)
                _audit_chunk(job, chunk, plan)
                counts[CREATE] += plan.count(CREATE)
                counts[UPDATE] += plan.count(UPDATE)
            job.rows_created, job.rows_updated = counts[CREATE], counts[UPDATE]
            job.committed = True
            job.status, job.phase, job.finished_at = ImportJob.Status.DONE, "", timezone.now()
            job.rows_total = job.rows_done
            job.save()
            publish_on_import(import_job=job)
            self.job = job

    def _commit(self, chunk: Chunk, plan: Plan, phase: str) -> None:
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            self._record(job, chunk, plan, phase)

    def _record(self, job: ImportJob, chunk: Chunk, plan: Plan, phase: str) -> None:
        """Save a chunk's rejected rows, counts and checkpoint (inside the chunk's transaction)."""
        ImportRowError.objects.bulk_create(self.reading.error_rows(job, chunk, plan), batch_size=1000)
        for record in range(min(chunk.records, max(PREVIEW_ROWS - len(job.preview), 0))):
            job.preview.append(
                {
                    "row": chunk.first_row(record),
                    "action": ACTIONS[int(plan.actions[record])],
                    "key": self.reading.preview_key(chunk, plan, record),
                }
            )
        job.rows_done += chunk.rows
        job.rows_created += plan.count(CREATE)
        job.rows_updated += plan.count(UPDATE)
        job.rows_rejected += plan.count(REJECT)
        job.committed = job.committed or (phase == WRITE and bool((plan.actions != REJECT).any()))
        end = chunk.end
        job.checkpoint = {"phase": phase, "offset": end.offset, "row": end.row}
        job.phase = phase
        job.save(
            update_fields=[
                "phase",
                "preview",
                "rows_done",
                "rows_created",
                "rows_updated",
                "rows_rejected",
                "committed",
                "checkpoint",
                "updated_at",
            ]
        )
        self.job = job

    def _advance(self) -> bool:
        """Close the checking pass of all-or-nothing: stop if any row is bad, else move on to writing."""
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            if job.rows_rejected:
                job.status, job.error_code = ImportJob.Status.FAILED, "rows_rejected"
                job.error_en = (
                    f"{job.rows_rejected:,} rows have errors, so nothing was stored (all rows or nothing). "
                    "Fix them, or import with the policy 'valid rows only'."
                )
                job.error_ko = (
                    f"오류가 있는 행이 {job.rows_rejected:,}개여서 아무것도 저장하지 않았습니다(전부 아니면 전무). "
                    "오류를 고치거나 '유효한 행만' 정책으로 가져오십시오."
                )
                job.finished_at, job.rows_total, job.phase = timezone.now(), job.rows_done, ""
                job.save()
                self.job = job
                return False
            job.checkpoint = {"phase": WRITE_ALL, "offset": 0, "row": 0}
            job.phase = WRITE_ALL
            job.save(update_fields=["checkpoint", "phase", "updated_at"])
            self.job = job
            return True

    def _finish(self) -> None:
        with transaction.atomic():
            job = _locked(self.job.pk, self.lease)
            job.status, job.phase = ImportJob.Status.DONE, ""
            job.rows_total = job.rows_done
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "phase", "rows_total", "finished_at", "updated_at"])
            publish_on_import(import_job=job)
            self.job = job


# --------------------------------------------------------------------------------------------------
# The file on local disk


@contextlib.contextmanager
def _local_source(job: ImportJob) -> Iterator[CsvFile | XlsxFile]:
    """The job's file as a readable source: a local path (copied from remote storage if need be), and
    for UTF-16/UTF-32 or bare-CR files a UTF-8 rewrite, made the same way on every run so that byte
    offsets in the checkpoint stay valid."""
    with contextlib.ExitStack() as stack:
        if isinstance(job.file.storage, FileSystemStorage):
            path = Path(job.file.path)
        else:  # remote storage (S3 and the like) has no local path: copy the file down once
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="import-")))
            path = folder / "upload"
            with job.file.open("rb") as remote, path.open("wb") as local:
                shutil.copyfileobj(remote, local)
        if job.file_format == "xlsx":
            yield XlsxFile(path)
            return
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
        encoding = Encoding(job.encoding or "utf-8", bom_length(head, job.encoding or "utf-8"))
        if not encoding.ascii_safe or cr_only(head):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="import-")))
            path = _rewritten(path, encoding, folder / "utf8.csv", newlines=cr_only(head))
            encoding = Encoding("utf-8")
        yield CsvFile(path, encoding, job.delimiter or ",")


def _rewritten(source: Path, encoding: Encoding, target: Path, *, newlines: bool) -> Path:
    decoder = codecs.getincrementaldecoder(encoding.name)(errors="strict")
    done = 0
    with source.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
        raw.seek(encoding.bom)
        carry = ""
        for block in iter(lambda: raw.read(1 << 20), b""):
            try:
                text = carry + decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise FormatError(
                    "bad_encoding",
                    f"Byte {done + exc.start} of the file is not valid {encoding.name.upper()} text.",
                    f"파일의 {done + exc.start}번째 바이트가 올바른 {encoding.name.upper()} 텍스트가 아닙니다.",
                ) from exc
            done += len(block)
            if newlines:
                text, carry = (text[:-1], "\r") if text.endswith("\r") else (text, "")
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            out.write(text)
        out.write(carry.replace("\r", "\n") + decoder.decode(b"", final=True))
    return target


def _audit_chunk(job: ImportJob, chunk: Chunk, plan: Plan) -> None:
    """One audit event per written chunk, in its transaction: which job and file, which rows, what it changed.

    Rows a person looks at one by one (products, passports) also get an event each from their query sets; bulk
    rows such as activity data get only this one, so a 200,000-row import writes a few dozen events, not
    200,000 (issue 21, item 4).
    """
    written = plan.count(CREATE) + plan.count(UPDATE)
    if not written:
        return
    audit.record(
        org_id=job.organization_id,
        action="import.chunk_written",
        object_type="import_job",
        object_id=job.pk,
        object_repr=f"{job.kind} import {job.pk}",
        details={
            "kind": job.kind,
            "file_sha256": job.sha256,
            "first_row": chunk.first_row(0) if chunk.records else 0,
            "rows": chunk.rows,
            "created": plan.count(CREATE),
            "updated": plan.count(UPDATE),
            "rejected": plan.count(REJECT),
        },
        by=job.created_by,
    )
