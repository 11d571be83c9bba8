"""Faults injected into the real services: database connections killed, broker connections dropped, queued
messages lost. Each test states what is promised and shows it, on PostgreSQL and Redis only (they skip on the
embedded runtime, which has neither a server to kill nor a broker).

- Database: the web runs under gunicorn (sync workers, persistent connections, CONN_HEALTH_CHECKS on), as in
  production; its connection is terminated from another session between requests and in the middle of one.
  At most the request in flight fails; the next ones succeed on a fresh connection.
- Broker: every Redis connection of a real worker and of the producer is killed (``CLIENT KILL USER`` of a
  user made for the test, so other users of the shared Redis are untouched) while tasks are queued: every
  task enqueued before and after runs.
- Lost messages: Redis runs without persistence (``--save ""``), so a restart drops what was queued. A
  restart of the shared server would drop every other test's queue too, so the test drops exactly what a
  restart drops of ours: the queue's key. The job, kept in PostgreSQL, is found by the stuck-job sweeper
  and finished. The promise is "no job is lost", not "no message is lost".
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from core.sweeper import sweep_stuck_jobs
from passports.imports.services import import_job_create
from passports.models import IdempotencyKey, ImportJob, PassportVersion, Product
from tests.conftest import token_request
from tests.factories import gtin_from, make_passport
from tests.workers import (
    ROOT,
    WorkerProcess,
    database_url_for_test_db,
    real_services_available,
    running_worker,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _raw() -> psycopg.Connection[Any]:
    """A connection of our own to the test database, outside Django's."""
    return psycopg.connect(database_url_for_test_db(), autocommit=True)


@pytest.fixture
def services(transactional_db: Any) -> None:
    reason = real_services_available()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def gunicorn(services: None, tmp_path: Path) -> Iterator[str]:
    """The web app under gunicorn on the test database: one sync worker keeping its connection (as in prod)."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_CONN_MAX_AGE": "600",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=60, interval=0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def bearer(services: None, tenant: Any, make_credentials: Any) -> dict[str, str]:
    credentials = make_credentials(tenant.org, ("read", "write"))
    return {"Authorization": f"Bearer {token_request(credentials.basic()).json()['access_token']}"}


def _terminate_app_connections(own: psycopg.Connection[Any]) -> int:
    """pg_terminate_backend for every session on the test database but this one and the test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        test_pid = cursor.fetchone()[0]
    rows = own.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
        [test_pid],
    ).fetchall()
    return sum(1 for (killed,) in rows if killed)


def test_database_connections_killed_between_requests_cost_no_request(gunicorn: str, bearer: dict[str, str]) -> None:
    url = f"{gunicorn}/api/v1/products/"
    assert httpx.get(url, headers=bearer, timeout=30).status_code == 200
    with _raw() as admin:
        for _round in range(3):
            assert _terminate_app_connections(admin) >= 1  # the worker's persistent connection was there
            # CONN_HEALTH_CHECKS: the dead connection is noticed at the next request's first query and replaced.
            assert httpx.get(url, headers=bearer, timeout=30).status_code == 200
            body = {"gtin": gtin_from(7000 + _round), "name": "after a kill", "category": "battery"}
            assert httpx.post(url, json=body, headers=bearer, timeout=30).status_code == 201


def test_a_connection_killed_mid_request_fails_that_request_only(
    gunicorn: str, bearer: dict[str, str], tenant: Any
) -> None:
    passport = make_passport(tenant.org)
    url = f"{gunicorn}/api/v1/passports/{passport.pk}"
    detail = httpx.get(url, headers=bearer, timeout=30)
    etag, data = detail.headers["etag"], detail.json()["current_version"]["data"]
    headers = {**bearer, "If-Match": etag, "Idempotency-Key": "patch-killed-mid-way"}
    version = PassportVersion.objects.get(passport=passport, status="draft")
    answers: list[httpx.Response] = []
    with _raw() as admin, _raw() as holder:
        # Hold the version's row so the PATCH is certainly mid-request (waiting in SELECT ... FOR UPDATE).
        holder.autocommit = False
        holder.execute("SELECT id FROM passports_passportversion WHERE id = %s FOR UPDATE", [version.pk])
        sender = threading.Thread(
            target=lambda: answers.append(httpx.patch(url, json={"data": data}, headers=headers, timeout=60))
        )
        sender.start()

        def waiting_pid() -> int | None:
            row = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            return row[0] if row else None

        pid = wait_for(waiting_pid, timeout=30, interval=0.1)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        sender.join(timeout=60)
        holder.rollback()
    assert len(answers) == 1 and answers[0].status_code >= 500, [a.status_code for a in answers]
    # The failed request left nothing behind: no half-applied update, no idempotency key held in flight.
    assert PassportVersion.objects.get(pk=version.pk).revision == version.revision
    assert not IdempotencyKey.objects.filter(key="patch-killed-mid-way").exists()
    # The client retries with the same key: it runs, and every request after it succeeds.
    retried = httpx.patch(url, json={"data": data}, headers=headers, timeout=60)
    assert retried.status_code == 200, retried.text
    for _ in range(5):
        assert httpx.get(url, headers=bearer, timeout=30).status_code == 200


# --- the broker ---------------------------------------------------------------------------------------


@pytest.fixture
def redis_admin(services: None) -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.fixture
def own_redis_user(redis_admin: redis.Redis) -> Iterator[tuple[str, str]]:
    """A Redis user of this test alone, so its connections can be killed without touching anyone else's."""
    name, password = f"fault-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    redis_admin.execute_command("ACL", "SETUSER", name, "on", f">{password}", "~*", "&*", "+@all")
    try:
        yield name, password
    finally:
        redis_admin.execute_command("ACL", "DELUSER", name)


@pytest.fixture
def worker_as_own_user(own_redis_user: tuple[str, str], tmp_path: Path) -> Iterator[tuple[WorkerProcess, str]]:
    """A real worker (as tests/workers.py starts one) whose broker connections belong to the test's user."""
    from config.celery import app

    name, password = own_redis_user
    host_part = settings.REDIS_URL.split("://", 1)[1]
    url = f"redis://{name}:{password}@{host_part}"
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": url,
        "CELERY_QUEUE": queue,
    }
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = WorkerProcess(queue=queue, env=env, log_path=tmp_path / "worker.log")
    worker.start()
    try:
        yield worker, url
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def app_connection(url: str) -> Any:
    """A producer connection of its own (as the test's Redis user), rather than one from the app's pool."""
    from config.celery import app

    return app.connection_for_write(url)


def _ping_all(tokens: list[str], producer_url: str, queue: str) -> None:
    from config.tasks import worker_ping

    with app_connection(producer_url) as conn:
        for token in tokens:
            worker_ping.apply_async(args=[token], connection=conn, queue=queue, retry=True)


def _ran(tokens: list[str]) -> set[str]:
    return {token for token in tokens if cache.get(f"worker-ping:{token}")}


def test_tasks_queued_across_dropped_broker_connections_all_run(
    worker_as_own_user: tuple[WorkerProcess, str], redis_admin: redis.Redis, own_redis_user: tuple[str, str]
) -> None:
    worker, url = worker_as_own_user
    warm = [uuid.uuid4().hex]
    _ping_all(warm, url, worker.queue)
    wait_for(lambda: _ran(warm) == set(warm), timeout=90)
    before, after = [uuid.uuid4().hex for _ in range(10)], [uuid.uuid4().hex for _ in range(10)]
    with app_connection(url) as conn:
        from config.tasks import worker_ping

        for token in before:
            worker_ping.apply_async(args=[token], connection=conn, queue=worker.queue, retry=True)
        killed = redis_admin.execute_command("CLIENT", "KILL", "USER", own_redis_user[0])
        assert int(killed) >= 2, "the worker's and the producer's connections should both have been cut"
        # The same producer connection, now dead underneath: publishing reconnects and retries.
        for token in after:
            worker_ping.apply_async(args=[token], connection=conn, queue=worker.queue, retry=True)
    wait_for(lambda: _ran(before + after) == set(before + after), timeout=120, interval=0.5)
    assert "Connection to broker lost" in worker.log() or "reconnect" in worker.log().lower(), worker.log()[-3000:]


def test_a_job_whose_queued_message_was_lost_is_finished_by_the_sweeper(
    worker_as_own_user: tuple[WorkerProcess, str], redis_admin: redis.Redis, tenant: Any
) -> None:
    worker, _url = worker_as_own_user
    worker.kill()  # the job is queued while no worker runs, as when Redis restarts under a queue
    rows = 30
    lines = ["gtin,name,category,cn_code"] + [f"{gtin_from(n)},Lost {n},battery,85076000" for n in range(1, rows + 1)]
    with transaction.atomic():
        job = import_job_create(
            org=tenant.org,
            by=tenant.owner,
            upload=ContentFile(("\r\n".join(lines) + "\r\n").encode(), name="lost.csv"),
            kind="products",
            mode=ImportJob.Mode.COMMIT,
            policy=ImportJob.Policy.VALID_ROWS,
        )
    wait_for(lambda: redis_admin.llen(worker.queue) == 1, timeout=30)
    # What a restart of Redis without persistence does to this queue: the message is gone.
    assert redis_admin.delete(worker.queue) == 1
    worker.start()
    time.sleep(5)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED  # nobody will ever run it...
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))  # stalled
    assert sweep_stuck_jobs().resumed == {"passports.ImportJob": [job.pk]}  # ...but the sweeper finds it
    done = wait_for(lambda: (j := ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.DONE and j, 120, 0.3)
    assert (done.rows_done, done.rows_created) == (rows, rows), worker.log()[-3000:]
    assert Product.objects.filter(organization=tenant.org).count() == rows


# --- workers and the database under a long import (issue 21, item 6) -------------------------------------

IMPORT_ROWS = 3_000


def _queue_import(tenant: Any, name: str) -> ImportJob:
    """A products import of IMPORT_ROWS rows in chunks of 20, queued to the real worker."""
    lines = ["gtin,name,category,cn_code"] + [
        f"{gtin_from(n)},{name} {n},battery,85076000" for n in range(1, IMPORT_ROWS + 1)
    ]
    with transaction.atomic():
        return import_job_create(
            org=tenant.org,
            by=tenant.owner,
            upload=ContentFile(("\r\n".join(lines) + "\r\n").encode(), name=f"{name}.csv"),
            kind="products",
            mode=ImportJob.Mode.COMMIT,
            policy=ImportJob.Policy.VALID_ROWS,
            chunk_rows=20,
        )


def _rows_done(job: ImportJob) -> int:
    return ImportJob.objects.get(pk=job.pk).rows_done


def _lock_waiter(admin: psycopg.Connection[Any]) -> int | None:
    row = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else None


@contextlib.contextmanager
def _job_held(job: ImportJob) -> Iterator[tuple[psycopg.Connection[Any], int]]:
    """The job's row locked by another session: the worker stops inside its next chunk's transaction (its
    first statement locks the job's row), certainly mid-import. Yields an admin connection and the
    waiting worker's backend pid; the lock is released when the block ends."""
    with _raw() as admin, _raw() as holder:
        holder.autocommit = False
        holder.execute("SELECT id FROM passports_importjob WHERE id = %s FOR UPDATE", [job.pk])
        try:
            yield admin, wait_for(lambda: _lock_waiter(admin), timeout=60, interval=0.05)
        finally:
            holder.rollback()


def _finished(job: ImportJob, timeout: float = 180) -> ImportJob:
    ended = {ImportJob.Status.DONE, ImportJob.Status.FAILED}
    return wait_for(lambda: (j := ImportJob.objects.get(pk=job.pk)).status in ended and j, timeout, 0.3)


@pytest.fixture
def named_worker(services: None, tmp_path: Path) -> Iterator[WorkerProcess]:
    """A real worker that keeps one name across restarts, as a service manager restarts it."""
    with running_worker(tmp_path, node_name=f"fixed-{uuid.uuid4().hex[:6]}@{socket.gethostname()}") as worker:
        yield worker


def test_a_worker_killed_and_restarted_under_its_own_name_resumes_the_import(
    named_worker: WorkerProcess, tenant: Any
) -> None:
    worker = named_worker
    job = _queue_import(tenant, "Restarted")
    wait_for(lambda: _rows_done(job) >= 200, timeout=120, interval=0.05)
    with _job_held(job):
        worker.kill()  # kill -9 mid-import, its message unacknowledged (redelivered only after hours)
    stuck = ImportJob.objects.get(pk=job.pk)
    assert (stuck.status, stuck.runner) == (ImportJob.Status.RUNNING, worker.node_name)
    assert 200 <= stuck.rows_done < IMPORT_ROWS
    # Restarted under the same name, it answers every ping: the job is resumed because it has not moved since
    # this worker started, not because its name went silent. No sweeper runs here.
    worker.start()
    done = _finished(job)
    assert done.status == ImportJob.Status.DONE, (done.error_code, worker.log()[-3000:])
    assert (done.rows_done, done.rows_created, done.rows_rejected) == (IMPORT_ROWS, IMPORT_ROWS, 0)
    assert Product.objects.filter(organization=tenant.org).count() == IMPORT_ROWS
    assert f"its worker {worker.node_name} is gone; queued again" in worker.log()


def test_database_connections_terminated_mid_import_cost_no_row(celery_worker: WorkerProcess, tenant: Any) -> None:
    job = _queue_import(tenant, "Terminated")
    wait_for(lambda: _rows_done(job) >= 200, timeout=120, interval=0.05)
    # Once inside a chunk's transaction (waiting for the job's row), then twice wherever the worker is.
    with _job_held(job) as (admin, waiting):
        assert admin.execute("SELECT pg_terminate_backend(%s)", [waiting]).fetchone() == (True,)
    with _raw() as admin:
        for at_least in (1_000, 2_000):
            wait_for(lambda at_least=at_least: _rows_done(job) >= at_least, timeout=120, interval=0.05)
            assert _terminate_app_connections(admin) >= 1
    done = _finished(job)
    assert done.status == ImportJob.Status.DONE, (done.error_code, celery_worker.log()[-3000:])
    assert (done.rows_done, done.rows_created, done.rows_rejected) == (IMPORT_ROWS, IMPORT_ROWS, 0)
    assert Product.objects.filter(organization=tenant.org).count() == IMPORT_ROWS
    assert celery_worker.log().count("database connection lost") >= 1, celery_worker.log()[-3000:]
