"""Benchmark: bulk-publish N item passports as one job on PostgreSQL, signing included, against 200 passports/s.

    python bench/bench_bulk.py [--passports 2000] [--chunk 100]              # the job run in this process
    REDIS_URL=redis://127.0.0.1:6379/7 python bench/bench_bulk.py --worker [--kill-at 0.3]

Makes a fresh database (``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/dpp_bench_bulk``, dropped
and created), one organization with a published battery model passport, and N draft item passports under it made
by a ``create_items`` bulk job (their rate is printed too). Then a ``publish`` bulk job over every one of them runs
as a worker runs it: each passport through ``passport_publish`` (validated, hashed, signed as a VC-JWT, audited,
backup copy queued), in committed chunks. Prints passports per second beside the 200/s target of issue 17, wall
and CPU time, and checks the counts: every passport published once, one credential and one audit event each.
Last, what the database grew by per item passport (tables, indexes and TOAST, after ``VACUUM ANALYZE``, the
job's own records included) beside the 12 KB target, with the tables that grew most.

``--worker`` runs the job in a real Celery worker (prefork, one process) through Redis; with ``--kill-at F`` the
worker is killed (SIGKILL, whole process group) once a share F of the items is done, a new worker is started, and
the counts must still be exact: no passport lost, none published or reported twice.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_PER_SECOND = 200.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dpp_bench_bulk"


def fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def cpu_of_this_process() -> float:
    usage = os.times()
    return usage.user + usage.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passports", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help="run the job in a real Celery worker (REDIS_URL)")
    parser.add_argument("--kill-at", type=float, default=0.0, help="with --worker: kill it at this share done")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not args.worker:
        os.environ.pop("REDIS_URL", None)  # the job runs in this process
    elif not os.environ.get("REDIS_URL"):
        sys.exit("--worker needs REDIS_URL (e.g. redis://127.0.0.1:6379/7)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off: no query log
    os.environ.setdefault("CELERY_QUEUE", f"bench-bulk-{os.getpid()}")
    fresh_database(url)

    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.INFO)  # a log line per backup task would be most of the output
    call_command("migrate", verbosity=0)
    if not args.worker:
        # Work queued after each commit (backup copies, cache refreshes) goes to other workers in production; here
        # it is queued in memory and not run, so the figure is the job's own cost.
        from config.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://localhost/"
    run(args)


def run(args: argparse.Namespace) -> None:
    from django.conf import settings

    from passports.models import AuditEvent, BulkJob, BulkJobItem, Passport, PassportVersion
    from passports.services import bulk
    from tests.factories import make_published_passport

    org, owner = _organization()
    model = make_published_passport(org, name="Bench model")
    sizes_before = table_sizes()
    serials = bulk.serials_from_range(prefix="BENCH", first=1, last=args.passports, width=7)
    creating = bulk.bulk_job_create(
        org=org, by=owner, operation="create_items", parent=model, serials=serials, chunk_size=args.chunk
    )
    bulk.bulk_job_confirm(job=creating, by=owner, enqueue=False)
    started = time.perf_counter()
    created = bulk.bulk_job_run(job_id=creating.pk, runner="bench")
    create_seconds = time.perf_counter() - started
    if created.succeeded != args.passports:
        sys.exit(f"create_items made {created.succeeded} of {args.passports}: {created.error_en}")

    items = Passport.objects.filter(parent=model)
    job = bulk.bulk_job_create(
        org=org, by=owner, operation="publish", selection=bulk.Selection(passports=items), chunk_size=args.chunk
    )
    print(f"database {settings.DATABASES['default']['NAME']}, {args.passports:,} item passports, chunk {args.chunk}")
    print(f"create_items job: {create_seconds:.1f} s, {args.passports / create_seconds:,.0f} drafts/s")
    cpu_before = cpu_of_this_process()
    if args.worker:
        seconds, kills = _run_in_worker(job.pk, owner, args.kill_at)
    else:
        bulk.bulk_job_confirm(job=job, by=owner, enqueue=False)
        started = time.perf_counter()
        bulk.bulk_job_run(job_id=job.pk, runner="bench")
        seconds, kills = time.perf_counter() - started, 0
    cpu = cpu_of_this_process() - cpu_before

    done = BulkJob.objects.get(pk=job.pk)
    rate = args.passports / seconds
    where = "a Celery worker" if args.worker else "this process"
    each = 1000 * seconds / args.passports
    print(f"publish job in {where}: {seconds:.1f} s wall, {rate:,.1f} passports/s, {each:.1f} ms each")
    if not args.worker:
        print(f"  CPU of this process: {cpu:.1f} s (PostgreSQL's own CPU not included)")
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"  target {TARGET_PER_SECOND:.0f} passports/s: {verdict} ({rate / TARGET_PER_SECOND:.0%} of it)")

    ids = [str(pk) for pk in items.values_list("pk", flat=True)]
    published = PassportVersion.objects.filter(passport__parent=model, status="published").count()
    credentials = PassportVersion.objects.filter(passport__parent=model, issued_credentials__isnull=False).count()
    events = AuditEvent.objects.filter(action="passport.published", object_id__in=ids).count()
    positions = BulkJobItem.objects.filter(job=done).values_list("position", flat=True)
    exact = (
        done.status == "done"
        and (done.done, done.succeeded, done.failed) == (args.passports, args.passports, 0)
        and published == credentials == events == args.passports
        and sorted(positions) == list(range(args.passports))
    )
    print(
        f"  counts: job {done.status} {done.succeeded:,}/{done.total:,}, published {published:,}, credentials "
        f"{credentials:,}, audit events {events:,}, item results {len(positions):,}"
        + (f", after {kills} kill(s) of the worker" if kills else "")
        + (" — exact" if exact else " — NOT EXACT")
    )
    print_storage(sizes_before, table_sizes(), args.passports)
    if not exact:
        sys.exit(1)


TARGET_BYTES_PER_ITEM = 12 * 1024


def table_sizes() -> dict[str, int]:
    """Bytes on disk of every table of the database with its indexes and TOAST (after a VACUUM ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def print_storage(before: dict[str, int], after: dict[str, int], items: int) -> None:
    """What the database grew by per item passport, published with its credential, beside issue 17's 12 KB."""
    grown = {name: after[name] - before.get(name, 0) for name in after}
    total = sum(grown.values()) / items
    verdict = "meets" if total <= TARGET_BYTES_PER_ITEM else "MISSES"
    print(f"storage: {total / 1024:.1f} KB per published item passport, target 12 KB: {verdict}")
    for name, size in sorted(grown.items(), key=lambda pair: -pair[1])[:6]:
        print(f"  {name:40} {size / items / 1024:6.2f} KB per item")


def _organization() -> tuple[object, object]:
    from django.contrib.auth import get_user_model

    from passports.models import CompanyPrefix, Membership, Organization

    org = Organization.objects.create(name="Bench Cells", slug="bench-cells", country="KR")
    CompanyPrefix.objects.create(organization=org, prefix="880000")
    owner = get_user_model().objects.create_user(username="bench-owner", password="unused-bench-password")  # noqa: S106
    Membership.objects.create(organization=org, user=owner, role=Membership.Role.OWNER)
    return org, owner


def _run_in_worker(job_id: int, owner: object, kill_at: float) -> tuple[float, int]:
    """Confirm the job with a real worker consuming; kill it once at ``kill_at`` of the items, start another."""
    from django.db import transaction

    from config.celery import app
    from passports.models import BulkJob
    from passports.services import bulk

    app.conf.task_always_eager = False
    app.conf.task_default_queue = os.environ["CELERY_QUEUE"]
    (ROOT / "var").mkdir(exist_ok=True)
    log = (ROOT / "var" / "bench_bulk_worker.log").open("ab")
    starts = 0

    def start() -> subprocess.Popen[bytes]:
        nonlocal starts
        starts += 1
        name = f"bench-bulk-{starts}@%h"
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", os.environ["CELERY_QUEUE"], "-c", "1",
             "--pool", "prefork", "-l", "WARNING", "-n", name, "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    worker = start()
    time.sleep(3)  # the worker is up before the clock starts
    job = BulkJob.objects.get(pk=job_id)
    kills = 0
    started = time.perf_counter()
    with transaction.atomic():
        bulk.bulk_job_confirm(job=job, by=owner)
    try:
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            if kill_at and not kills and job.done >= kill_at * job.total:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
                kills += 1
                print(f"  killed the worker at {job.done:,}/{job.total:,} items; starting another")
                worker = start()
            time.sleep(0.05)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    return time.perf_counter() - started, kills


if __name__ == "__main__":
    main()
