"""``manage.py verify_authority``: record (or withdraw) an organization's verified authority status.

For the platform's staff, who check the evidence outside the platform first. Every run is recorded in the
organization's audit chain under the staff account named by ``--by``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from passports.models import AuthorityStatus, Organization
from passports.services.authorities import authority_verify, authority_withdraw


class Command(BaseCommand):
    help = (
        "Mark an organization as a verified authority of one kind (its members and API clients then see the "
        "authority tier of passports), or withdraw that status with --withdraw. Only staff accounts may do it; "
        "both are recorded in the organization's audit chain. Example: verify_authority --org bnetza-msa "
        "--kind market_surveillance --member-state DE --evidence 'Appointment letter 2026-114, contact confirmed "
        "by phone' --by alice"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--kind", required=True, choices=AuthorityStatus.Kind.values, help="kind of authority")
        parser.add_argument(
            "--member-state",
            default="",
            help="two-letter EU/EEA state that appointed or notified it (not for commission)",
        )
        parser.add_argument("--evidence", default="", help="what was checked (required when verifying)")
        parser.add_argument("--by", required=True, help="user name of the staff member who checked the evidence")
        parser.add_argument("--withdraw", action="store_true", help="withdraw the current status of this kind")
        parser.add_argument("--reason", default="", help="why the status is withdrawn (with --withdraw)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        staff = get_user_model().objects.filter(username=options["by"]).first()
        if staff is None:
            raise CommandError(f"No user named {options['by']!r}.")
        try:
            if options["withdraw"]:
                status = AuthorityStatus.objects.current().filter(organization=org, kind=options["kind"]).first()
                if status is None:
                    raise CommandError(f"{org.name} is not a verified authority of kind {options['kind']}.")
                authority_withdraw(status=status, reason=options["reason"], by=staff)
                self.stdout.write(f"Withdrawn: {org.name} is no longer a verified {options['kind']}.")
                return
            status = authority_verify(
                org=org,
                kind=options["kind"],
                member_state=options["member_state"],
                evidence=options["evidence"],
                by=staff,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            problems = "; ".join(f"--{field.replace('_', '-')}: {' '.join(m)}" for field, m in exc.message_dict.items())
            raise CommandError(problems) from exc
        self.stdout.write(f"Verified: {org.name} is a {status.get_kind_display()} ({status.member_state or 'EU'}).")
