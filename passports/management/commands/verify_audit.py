"""``manage.py verify_audit``: check every audit chain; exit 1 naming the first edited, missing or moved event."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passports.audit import verify_stored
from passports.models import Organization


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail. Prints each chain's head hash (keep it elsewhere as an anchor) "
        "and exits with status 1 at the first event that was edited, deleted or reordered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", action="append", help="organization slug (repeatable); default: every chain")
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        org_ids = None
        if options["org"]:
            org_ids = list(Organization.objects.filter(slug__in=options["org"]).values_list("pk", flat=True))
        started = time.perf_counter()
        report = verify_stored(org_ids, chunk_size=options["chunk_size"])
        elapsed = time.perf_counter() - started
        if report.problem is not None:
            raise CommandError(f"audit trail broken at {report.problem}", returncode=1)
        for org_id, (seq, digest) in sorted((report.heads or {}).items()):
            self.stdout.write(f"organization {org_id}: {seq} event(s), head {digest}")
        self.stdout.write(
            self.style.SUCCESS(f"{report.events} event(s) in {report.chains} chain(s) verified in {elapsed:.2f} s")
        )
