"""``manage.py verify_report FILE.pdf``: is this report ours, unchanged, and does it show a published version?

For operators answering an authority's or customer's question about a printout or a file: it checks
against every organization's versions (the API's ``POST /api/v1/reports/verify`` checks the caller's own).
Exit status 0 on a match, 1 otherwise, so scripts can rely on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.reports.verification import verify_report


class Command(BaseCommand):
    help = "Check a compliance report PDF: embedded version hash, per-page hashes, seal, and the version's status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the report PDF")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        result = verify_report(path.read_bytes(), org=None, every_organization=True)
        verdict = "match" if result.match else "mismatch"
        self.stdout.write(f"{verdict}: {result.message}")
        self.stdout.write(f"  outcome: {result.outcome}")
        if result.embedded_hash:
            self.stdout.write(f"  version hash: sha256:{result.embedded_hash}")
        for version in result.versions:
            self.stdout.write(f"  {version['identifier']} v{version['version']} ({version['status']})")
        if not result.match:
            raise SystemExit(1)
