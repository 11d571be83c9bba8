"""One step of a long job, tried again on a fresh database connection when the connection was lost.

A long job (a 60,000-row import) holds one connection for minutes. When the database ends it (a restart, a
failover, ``pg_terminate_backend``, a proxy's idle cut), every later query on it fails, although the
database is back a moment later. A job that commits in steps (one chunk, one transaction) loses nothing
by doing the failed step again, so the step is run again on a new connection after a short wait that
doubles each time, a bounded number of times; only then does the job fail.

Only a lost connection is retried: any other database error (a constraint, a serialization failure) is the
step's own to handle, and is raised at once. Outside a transaction only: inside an outer ``atomic`` block
the work already done in it went with the connection, so the step cannot be repeated on its own; the
error goes up to whoever opened the block.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
T = TypeVar("T")


class ConnectionLostError(Exception):
    """The database connection was lost on every attempt of a step: the job gives up on it."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"the database connection was lost {attempts} times in a row")
        self.attempts = attempts


# SQLSTATEs of a session the server ended: class 08 (connection exception), and the server shutting the
# session down (57P01 admin_shutdown, which pg_terminate_backend sends; 57P02 crash; 57P03 not yet accepting).
_ENDED_BY_SERVER = ("57P01", "57P02", "57P03")


def connection_lost(error: Error) -> bool:
    """Whether ``error`` says the connection itself was lost, rather than the statement failing.

    Decided from the driver's error, not from the connection afterwards: with ``CONN_HEALTH_CHECKS`` Django
    replaces a dead connection as soon as the failed ``atomic`` block closes, so by the time the error
    arrives here the connection looks healthy again.
    """
    if isinstance(error, InterfaceError):  # "connection already closed": used after it died
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if not isinstance(cause, psycopg.OperationalError):
        return False  # SQLite's "database is locked" and the like: the statement's, not the connection's
    state = cause.sqlstate
    # No SQLSTATE: the client noticed (server closed the connection, consuming input failed, timeout).
    return state is None or state.startswith("08") or state in _ENDED_BY_SERVER


def retry_delays(attempts: int, first: float, cap: float = 30.0) -> list[float]:
    """The waits before each retry: ``first``, doubling, at most ``cap`` seconds each."""
    return [min(cap, first * 2**n) for n in range(max(attempts - 1, 0))]


def on_fresh_connection(
    step: Callable[[], T],
    *,
    what: str,
    progress: Callable[[], object] | None = None,
    attempts: int | None = None,
    first_delay: float | None = None,
    using: str = DEFAULT_DB_ALIAS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``step``; when its connection is lost, close it, wait and run it again.

    ``step`` must be safe to run again after a failure part-way: each of its writes a unit that commits all
    or nothing, and it continues from what was committed (as a resumed import continues after its last
    committed chunk). It gives up with ``ConnectionLostError`` after ``attempts`` losses in a row; when
    ``progress()`` (what the step has committed so far) changed since the previous loss, the count starts
    again, so a long job that meets a lost connection now and then, moving on between them, is not failed
    for the sum of them. Other errors pass through unchanged.
    """
    attempts = attempts or int(getattr(settings, "JOB_DB_RETRY_ATTEMPTS", 5))
    first_delay = float(getattr(settings, "JOB_DB_RETRY_FIRST_SECONDS", 0.5) if first_delay is None else first_delay)
    connection = connections[using]
    delays = retry_delays(attempts, first_delay)
    losses, last_progress = 0, progress() if progress else None
    while True:
        try:
            return step()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or not connection_lost(error):
                raise
            # The dead connection is dropped; Django opens a new one at the next query.
            with contextlib.suppress(Error):
                connection.close()
            now_at = progress() if progress else None
            if now_at != last_progress:
                losses, last_progress = 0, now_at
            losses += 1
            if losses >= attempts:
                raise ConnectionLostError(losses) from error
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            logger.warning(
                "%s: database connection lost (%s); attempt %s of %s in %.1f s",
                what,
                first_line,
                losses + 1,
                attempts,
                delays[losses - 1],
            )
            sleep(delays[losses - 1])
