"""Enqueueing Celery tasks safely: only after the surrounding transaction commits.

A task enqueued inside a transaction can start on a worker before the rows it needs are committed (and
run on data that is then rolled back). ``enqueue_after_commit`` defers the send to ``on_commit``.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction


def enqueue_after_commit(task: Task, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs), using=using)
