"""Enqueueing Celery tasks safely: only after the surrounding transaction commits, and never lost.

A task enqueued inside a transaction can start on a worker before the rows it needs are committed (and run
on data that is then rolled back); a task sent straight to the broker while it is down is lost. So
``enqueue_after_commit`` hands the task to the outbox that the passports app installs at start-up
(``passports.outbox``: a row written in the same transaction, sent after the commit and again until a broker
took it). ``core`` holds no models, hence the hook: without an outbox installed (a bare script) the task is
sent after the commit directly.

A task may be named instead of passed: a service that queues its own app's task names it
(``"passports.bulk.run"``), so the service need not import the tasks module that imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Task, current_app
from django.db import transaction

#: Writes one outbox row for (task name, args, kwargs, database alias) inside the current transaction.
OutboxWriter = Callable[[str, list[Any], dict[str, Any], str | None], Any]

_outbox: OutboxWriter | None = None


def install_outbox(writer: OutboxWriter | None) -> None:
    """Route every ``enqueue_after_commit`` through ``writer`` (the passports app does at ``ready``)."""
    global _outbox  # noqa: PLW0603  # one outbox per process, installed once at start-up
    _outbox = writer


def enqueue_after_commit(task: Task | str, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Send ``task`` (or the task registered under that name) once the current transaction commits.

    Through the outbox when one is installed; otherwise straight to the task once committed.
    """
    name = task if isinstance(task, str) else task.name
    if _outbox is not None:
        _outbox(name, list(args), dict(kwargs), using)
        return
    transaction.on_commit(lambda: current_app.tasks[name].apply_async(args=args, kwargs=kwargs), using=using)
