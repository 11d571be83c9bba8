"""Celery: settings fit for long jobs, enqueue after commit, and a real worker on the real broker."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.db import transaction

from config.celery import app
from config.tasks import worker_ping
from core.jobs import enqueue_after_commit
from tests.workers import WorkerProcess, wait_for


def test_long_job_settings() -> None:
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_commit() -> None:
    token = uuid.uuid4().hex
    with transaction.atomic():
        enqueue_after_commit(worker_ping, token)
        assert cache.get(f"worker-ping:{token}") is None  # not sent while the transaction is open
    assert cache.get(f"worker-ping:{token}")


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing() -> None:
    token = uuid.uuid4().hex

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            enqueue_after_commit(worker_ping, token)
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert cache.get(f"worker-ping:{token}") is None


@pytest.mark.celery_worker
@pytest.mark.slow
def test_real_worker_runs_a_task_through_redis(celery_worker: WorkerProcess) -> None:
    token = uuid.uuid4().hex
    worker_ping.delay(token)
    host = wait_for(lambda: cache.get(f"worker-ping:{token}"), timeout=60)
    assert host, celery_worker.log()
    assert "ready" in celery_worker.log()


@pytest.mark.celery_worker
@pytest.mark.slow
def test_task_queued_while_worker_is_down_runs_after_restart(celery_worker: WorkerProcess) -> None:
    celery_worker.kill()
    token = uuid.uuid4().hex
    worker_ping.delay(token)
    assert cache.get(f"worker-ping:{token}") is None
    celery_worker.start()
    assert wait_for(lambda: cache.get(f"worker-ping:{token}"), timeout=60), celery_worker.log()
