"""``core.reconnect``: a step whose database connection was lost runs again on a new one, a bounded number
of times; nothing else is retried. The lost connections are real (``pg_terminate_backend``) on PostgreSQL."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection

from core.reconnect import ConnectionLostError, on_fresh_connection, retry_delays
from passports.models import Organization
from tests.workers import database_url_for_test_db


def test_the_waits_double_up_to_a_cap() -> None:
    assert retry_delays(5, 0.5) == [0.5, 1.0, 2.0, 4.0]
    assert retry_delays(4, 20.0) == [20.0, 30.0, 30.0]
    assert retry_delays(1, 0.5) == []


@pytest.mark.django_db
def test_other_database_errors_are_not_retried(tenant: Any) -> None:
    calls: list[int] = []

    def duplicate() -> None:
        calls.append(1)
        Organization.objects.create(name="Again", slug=tenant.org.slug)

    with pytest.raises(IntegrityError):
        on_fresh_connection(duplicate, what="test", sleep=lambda _s: None)
    assert calls == [1]


@pytest.fixture
def postgres(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: an SQLite connection cannot be terminated from outside")


def _terminate_own_connection() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg.connect(database_url_for_test_db(), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def test_a_step_whose_connection_was_terminated_runs_again_on_a_new_one(postgres: None) -> None:
    waits: list[float] = []
    pids: list[int] = []
    attempts: list[int] = []

    def step() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            _terminate_own_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.append(cursor.fetchone()[0])
        return Organization.objects.count()

    assert on_fresh_connection(step, what="test", sleep=waits.append, first_delay=0.25) == 0
    assert waits == [0.25]
    assert (len(attempts), len(pids)) == (2, 1)  # the first attempt failed at its first query


def test_a_connection_lost_again_and_again_gives_up_after_the_bound(postgres: None) -> None:
    waits: list[float] = []

    def always_lost() -> None:
        _terminate_own_connection()
        Organization.objects.count()

    with pytest.raises(ConnectionLostError) as raised:
        on_fresh_connection(always_lost, what="test", attempts=3, first_delay=0.1, sleep=waits.append)
    assert raised.value.attempts == 3 and waits == [0.1, 0.2]


def test_progress_between_losses_starts_the_count_again(postgres: None) -> None:
    done: list[int] = []

    def one_step_per_connection() -> None:
        # Commits one unit, then loses its connection, five times; the sixth attempt finishes.
        while len(done) < 5:
            Organization.objects.count()
            done.append(1)
            _terminate_own_connection()
            Organization.objects.count()

    on_fresh_connection(
        one_step_per_connection, what="test", attempts=2, progress=lambda: len(done), sleep=lambda _s: None
    )
    assert len(done) == 5
