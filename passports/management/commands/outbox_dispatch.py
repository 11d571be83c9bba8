"""``manage.py outbox_dispatch``: send what the transactional outbox still holds (after a broker outage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passports.outbox import outbox_dispatch


class Command(BaseCommand):
    help = "Send the outbox's pending tasks to the broker, oldest first; exits 1 if some are still pending."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=5000, help="at most this many messages (default 5000)")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        report = outbox_dispatch(limit=limit)
        self.stdout.write(f"sent {report.sent}, still pending {report.pending}, old sent rows purged {report.purged}")
        if report.pending:
            raise CommandError(f"{report.pending} message(s) still pending: is the broker reachable?")
