"""``manage.py company_prefix``: list contested GS1 Company Prefix claims, verify or reject one.

For the platform's staff, who check the evidence outside the platform first (the GS1 member organisation's
licence record, GEPIR, a letter from the licensee). Every decision is recorded in the organization's audit
chain under the staff account named by ``--by``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from passports.models import CompanyPrefix
from passports.services.prefixes import contested_claims, prefix_reject, prefix_verify


class Command(BaseCommand):
    help = (
        "GS1 Company Prefix claims: 'list' shows the contested ones (frozen: no new products, nothing resolved), "
        "'verify' or 'reject' decides one claim. Example: company_prefix verify --org hanbit-energy --prefix "
        "8801234 --evidence 'GS1 Korea licence record 2026-0412' --by alice"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "verify", "reject"])
        parser.add_argument("--org", help="slug of the organization whose claim is decided")
        parser.add_argument("--prefix", help="the claimed prefix")
        parser.add_argument("--evidence", default="", help="what was checked, or why the claim is rejected")
        parser.add_argument("--by", help="user name of the staff member who decides")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for claim in contested_claims():
                self.stdout.write(f"{claim.prefix}\t{claim.organization.slug}\t{claim.status}")
            return
        if not (options["org"] and options["prefix"] and options["by"]):
            raise CommandError("verify and reject need --org, --prefix and --by.")
        found = CompanyPrefix.objects.filter(organization__slug=options["org"], prefix=options["prefix"]).first()
        if found is None:
            raise CommandError(f"{options['org']!r} has no claim to prefix {options['prefix']!r}.")
        staff = get_user_model().objects.filter(username=options["by"]).first()
        if staff is None:
            raise CommandError(f"No user named {options['by']!r}.")
        decide = prefix_verify if options["action"] == "verify" else prefix_reject
        try:
            decided = decide(claim=found, evidence=options["evidence"], by=staff)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{decided.prefix} of {options['org']}: {decided.status}.")
