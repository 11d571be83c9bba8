"""Redis stopped and started during publication, import and PACT events (issue 21, item 5).

A Redis server of the test's own (``redis-server`` on a free loopback port, no persistence) is the broker and
cache of the test process and of a real Celery worker; the test stops it, works, and starts it again, so no
other test's queue is touched. Promises shown, with exact counts:

- requests that do not need Redis keep answering (publish, list, import, PACT events: 200, not 500);
- work after the commit is kept in the outbox meanwhile, one row per task, none sent;
- once Redis is back, ``manage.py outbox_dispatch`` or a worker's start sends each once, and each is done:
  every backup confirmed, the import finished, the event handled;
- what still meets Redis away answers 503 with ``Retry-After`` in the error envelope.

PostgreSQL and ``REDIS_URL`` only (the worker shares the test database), like ``test_faults``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from config.celery import app as celery_app
from config.settings.test import worker_cache_url
from core.degraded import RETRY_AFTER_SECONDS
from core.errors import exception_handler
from exporters.models import BackupRecord
from exporters.resolver.public_cache import reset_generations
from passports import outbox
from passports.imports.services import import_job_create
from passports.models import ImportJob, OutboxMessage, PassportVersion, Product
from tests.conftest import token_request
from tests.factories import gtin_from, make_passport
from tests.workers import WorkerProcess, database_url_for_test_db, real_services_available, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class OwnRedis:
    """A redis-server process on one port, stopped and started again on the same port."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: self._pings(client), timeout=20, interval=0.1)

    @staticmethod
    def _pings(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@dataclass
class Stack:
    redis: OwnRedis
    worker: WorkerProcess


def _reset_producers() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def stack(transactional_db: Any, tmp_path: Path, settings: Any) -> Iterator[Stack]:
    reason = real_services_available() or (None if shutil.which("redis-server") else "needs redis-server")
    if reason:
        pytest.skip(reason)
    own = OwnRedis(port=_free_port(), workdir=tmp_path)
    own.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": worker_cache_url(own.url),  # as the worker's test settings will compute it
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    reset_generations()
    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.broker_url = own.url
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    _reset_producers()
    outbox._resume()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": own.url,
        "CELERY_QUEUE": queue,
        "BACKUP_STORE_URL": settings.BACKUP_STORE_URL,
    }
    worker = WorkerProcess(queue=queue, env=env, log_path=tmp_path / "worker.log")
    worker.start()
    wait_for(lambda: "ready" in worker.log(), timeout=60, interval=0.2)
    try:
        yield Stack(redis=own, worker=worker)
    finally:
        worker.stop()
        own.stop()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        _reset_producers()
        reset_generations()
        outbox._resume()


def _pending(task: str) -> list[list[Any]]:
    return [m.args for m in OutboxMessage.objects.filter(task=task, dispatched_at__isnull=True).order_by("pk")]


def test_publications_while_redis_is_down_are_backed_up_once_it_is_back(
    stack: Stack, tenant: Any, login_api: Any, tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_STORE_URL = stack.worker.env["BACKUP_STORE_URL"]
    passports = [make_passport(tenant.org) for _ in range(3)]
    api = login_api(tenant.owner)
    stack.redis.stop()
    started = time.monotonic()
    published = []
    for passport in passports:
        answer = api.post(f"/api/v1/passports/{passport.pk}/publish")
        assert answer.status_code == 200, answer.content
        published.append(PassportVersion.objects.get(passport=passport, status="published").pk)
    seconds = time.monotonic() - started
    assert api.get("/api/v1/passports/").status_code == 200  # throttles run on the per-process cache
    assert _pending("exporters.backup.replicate_version") == [[pk] for pk in sorted(published)]
    assert BackupRecord.objects.filter(confirmed_at__isnull=False).count() == 0
    assert seconds < 15, f"3 publications took {seconds:.1f} s with Redis down"

    stack.redis.start()
    call_command("outbox_dispatch")
    assert _pending("exporters.backup.replicate_version") == []
    wait_for(lambda: BackupRecord.objects.filter(confirmed_at__isnull=False).count() == 3, timeout=120, interval=0.3)
    assert sorted(BackupRecord.objects.values_list("version_id", flat=True)) == sorted(published)
    sent = OutboxMessage.objects.filter(task="exporters.backup.replicate_version")
    assert sent.count() == 3 and all(m.dispatched_at is not None for m in sent)


def test_an_import_made_while_redis_is_down_runs_when_a_worker_starts_after_it(stack: Stack, tenant: Any) -> None:
    stack.worker.kill()
    stack.redis.stop()
    rows = 25
    lines = ["gtin,name,category,cn_code"] + [f"{gtin_from(n)},Outage {n},battery,85076000" for n in range(1, rows + 1)]
    with transaction.atomic():
        job = import_job_create(
            org=tenant.org,
            by=tenant.owner,
            upload=ContentFile(("\r\n".join(lines) + "\r\n").encode(), name="outage.csv"),
            kind="products",
            mode=ImportJob.Mode.COMMIT,
            policy=ImportJob.Policy.VALID_ROWS,
        )
    assert _pending("passports.imports.run") == [[job.pk]]
    stack.redis.start()
    stack.worker.start()  # its start sends the outbox; no beat, no command
    done = wait_for(lambda: (j := ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.DONE and j, 120, 0.3)
    assert (done.rows_done, done.rows_created) == (rows, rows), stack.worker.log()[-3000:]
    assert Product.objects.filter(organization=tenant.org, name__startswith="Outage ").count() == rows
    assert _pending("passports.imports.run") == []
    assert OutboxMessage.objects.filter(task="passports.imports.run").count() == 1


def test_pact_events_received_while_redis_is_down_are_handled_once_it_is_back(
    stack: Stack, tenant: Any, other_tenant: Any, make_credentials: Any
) -> None:
    from lca.pact.events import CONTENT_TYPE, build_event
    from lca.pact.models import PactEvent

    credentials = make_credentials(other_tenant.org, ("read", "write"), name="buyer")
    token = token_request(credentials.basic()).json()["access_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    stack.redis.stop()
    ids = []
    for n in range(4):
        event = build_event(
            version="3", kind="published", source=f"//supplier-{n}", data={"pfIds": [str(uuid.uuid4())]}
        )
        answer = api.post("/3/events", json.dumps(event), content_type=CONTENT_TYPE)
        assert (answer.status_code, answer.content) == (200, b"")
        ids.append(PactEvent.objects.get(event_id=event["id"]).pk)
    assert _pending("lca.pact.handle") == [[pk] for pk in ids]
    assert set(PactEvent.objects.filter(pk__in=ids).values_list("status", flat=True)) == {PactEvent.Status.RECEIVED}
    stack.redis.start()
    call_command("outbox_dispatch")
    wait_for(lambda: PactEvent.objects.filter(pk__in=ids, status=PactEvent.Status.HANDLED).count() == 4, 120, 0.3)
    assert _pending("lca.pact.handle") == []
    assert OutboxMessage.objects.filter(task="lca.pact.handle").count() == 4


def test_what_needs_redis_while_it_is_down_answers_503_with_retry_after(stack: Stack) -> None:
    from config.tasks import worker_ping

    stack.redis.stop()
    with pytest.raises(Exception) as failure:  # noqa: PT011  # whatever kombu raises for a refused broker
        worker_ping.apply_async(args=["x"], retry=False)
    response = exception_handler(failure.value, {})
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.data["error"]["code"] == "service_unavailable"
    assert response.data["error"]["details"] == [{"retry_after_seconds": RETRY_AFTER_SECONDS}]
