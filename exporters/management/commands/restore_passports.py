"""``manage.py restore_passports --from STORE``: rebuild published passports from the backup copy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.backup.restore import restore_from, verify_restored
from exporters.backup.storage import store_from_url
from passports.models import PassportVersion


class Command(BaseCommand):
    help = (
        "Restore published passports (organizations, products, versions with their data and hashes, credentials, "
        "public keys, status lists) from a backup store into this database, then verify each restored version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="store", required=True, help="store URL: file:///path/to/backup or s3://bucket/prefix"
        )
        parser.add_argument(
            "--into-nonempty",
            action="store_true",
            help="allow a database that already has passports (versions already there are left as they are)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if PassportVersion.objects.exists() and not options["into_nonempty"]:
            raise CommandError("this database already has passports; restore into an empty one or --into-nonempty")
        try:
            store = store_from_url(options["store"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = restore_from(store)
        self.stdout.write(
            f"restored {report.versions} version(s) of {len(report.organizations)} organization(s), "
            f"{report.credentials} credential(s), {report.status_lists} status list(s); {report.skipped} already here"
        )
        problems = [*report.problems, *verify_restored()]
        for problem in problems:
            self.stderr.write(f"  problem: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s); the versions named were not restored or do not verify")
        self.stdout.write(self.style.SUCCESS("every restored version verifies"))
