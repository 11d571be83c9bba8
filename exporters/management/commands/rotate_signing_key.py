"""``manage.py rotate_signing_key --org SLUG``: make a new signing key current, or mark one compromised.

Rotation retires the current key (it stays in the DID document, so everything it signed keeps verifying) and
creates a new current one. ``--compromise KID`` withdraws a key: it leaves the DID document, its signatures
stop verifying, and the organization's credentials and status lists it signed are re-signed with a current
key. Private keys are never printed; only key ids and fingerprints.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters.credentials.keys import SUPPORTED_ALGS
from exporters.models import SigningKey
from exporters.services.compromise import key_compromise
from exporters.services.keys import UnknownKeyError, key_rotate
from passports.models import Organization


class Command(BaseCommand):
    help = "Rotate an organization's signing key (or mark a key compromised with --compromise KID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--alg", default="EdDSA", choices=SUPPORTED_ALGS, help="algorithm of the new key")
        parser.add_argument("--compromise", metavar="KID", help="mark this key compromised instead of rotating")
        parser.add_argument("--list", action="store_true", help="only list the organization's keys")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organization with slug {options['org']!r}")
        if options["list"]:
            self._list(org)
            return
        if options["compromise"]:
            try:
                key = key_compromise(org=org, kid=options["compromise"])
            except UnknownKeyError as exc:
                raise CommandError(str(exc)) from exc
            current = SigningKey.objects.filter(organization=org, status=SigningKey.Status.CURRENT).first()
            self.stdout.write(self.style.WARNING(f"Marked compromised: {key.kid}"))
            if current is not None:
                self.stdout.write(f"Re-signed with: {current.kid}")
            return
        key = key_rotate(org=org, alg=options["alg"])
        self.stdout.write(self.style.SUCCESS(f"New current key: {key.kid}"))
        self.stdout.write(f"  algorithm:   {key.alg}")
        self.stdout.write(f"  fingerprint: {key.fingerprint}")
        self._list(org)

    def _list(self, org: Organization) -> None:
        for key in SigningKey.objects.filter(organization=org).order_by("created_at", "pk"):
            self.stdout.write(f"  {key.status:<11} {key.alg:<5} {key.kid}")
