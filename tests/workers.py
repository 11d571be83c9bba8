"""A real Celery worker process for the tests that need one (``@pytest.mark.celery_worker``).

The worker is started by the fixture, not by CI, because it must talk to the test database that
pytest-django creates (``test_<name>``) and to a queue of its own, so no other worker steals its tasks.
It runs only against PostgreSQL and Redis: an in-memory SQLite test database cannot be shared with another
process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def real_services_available() -> str | None:
    """None when a real worker can run here, else the reason it cannot."""
    if not settings.REDIS_URL:
        return "needs REDIS_URL (the real-services run of .ci/run sets it)"
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (DATABASE_URL): an SQLite test database cannot be shared with a worker"
    return None


def database_url_for_test_db() -> str:
    conf = connection.settings_dict
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{conf['NAME']}"


@dataclass
class WorkerProcess:
    queue: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)
    # A fixed node name (``name@host``) for every start, as a restarted service keeps its name; by default
    # each start gets a new one.
    node_name: str = ""

    def start(self) -> None:
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                self.queue,
                "-c",
                "1",
                "--pool",
                "prefork",
                "-l",
                "INFO",
                "-n",
                self.node_name or f"{self.queue}-{self.starts}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """kill -9 of the whole worker (main process and its pool children)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def running_worker(tmp_path: Path, *, node_name: str = "") -> Iterator[WorkerProcess]:
    """A real worker on a queue of its own, with the app sending to that queue until the block ends."""
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
    }
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = WorkerProcess(queue=queue, env=env, log_path=tmp_path / "worker.log", node_name=node_name)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous


@pytest.fixture
def celery_worker(transactional_db: Any, tmp_path: Path) -> Iterator[WorkerProcess]:
    reason = real_services_available()
    if reason:
        pytest.skip(reason)
    with running_worker(tmp_path) as worker:
        yield worker


def wait_for(condition: Any, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Polls ``condition()`` until it returns something truthy; fails the test with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
