"""``manage.py reissue_credentials --org SLUG | --all``: issue published passports again under the current address.

After ``PLATFORM_BASE_URL`` changed (README, "Moving to a new public address"): each organization's Digital Links
move to the new address, its status lists are signed there, and each published or superseded version gets a new
credential from the new ``did:web``. Earlier credentials are kept and keep verifying while the earlier address,
listed in ``PLATFORM_PREVIOUS_BASE_URLS``, still reaches the platform, until a revocation. Running it again
changes nothing. Owners can do the same from the organization page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.services.credentials import credentials_reissue
from passports.models import Organization


class Command(BaseCommand):
    help = "Re-issue the credentials of published passports under the current PLATFORM_BASE_URL."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", help="organization slug")
        which.add_argument("--all", action="store_true", help="every organization with published passports")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            orgs = list(
                Organization.objects.filter(passports__versions__status="published").distinct().order_by("slug")
            )
        else:
            orgs = list(Organization.objects.filter(slug=options["org"]))
            if not orgs:
                raise CommandError(f"no organization with slug {options['org']!r}")
        self.stdout.write(f"Public address: {settings.PLATFORM_BASE_URL}/")
        for org in orgs:
            result = credentials_reissue(org=org)
            self.stdout.write(
                f"  {org.slug}: {result.identifiers_moved} Digital Link(s) moved, "
                f"{result.credentials_issued} credential(s) issued, {result.status_lists_signed} status list(s) signed"
            )
