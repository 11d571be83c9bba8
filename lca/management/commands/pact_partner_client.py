"""``manage.py pact_partner_client --org SLUG --partner SLUG [--name NAME] [--scopes read]``.

Credentials with which a partner (or the PACT conformance tool, which needs a client that can read at least
two footprints) reads the organization's PACT footprints: an API client of the partner organization that the
organization shares all its footprints with. Prints ``client_id`` and ``client_secret`` on their own lines;
the secret is shown this once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lca.pact.services import sharing_create
from passports.models import Organization
from passports.services.tenants import api_client_create


class Command(BaseCommand):
    help = "Create a partner organization's API client that may read all of an organization's PACT footprints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization whose footprints are read")
        parser.add_argument("--partner", required=True, help="slug of the partner organization owning the client")
        parser.add_argument("--name", default="PACT partner", help="the client's name")
        parser.add_argument("--scopes", default="read", help="comma-separated scopes (default: read)")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs: dict[str, Organization] = {}
        for option in ("org", "partner"):
            found = Organization.objects.filter(slug=options[option]).first()
            if found is None:
                raise CommandError(f"--{option}: no organization with slug {options[option]!r}.")
            orgs[option] = found
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            client, secret = api_client_create(org=orgs["partner"], name=options["name"], scopes=scopes)
        except ValueError as exc:
            raise CommandError(f"--scopes: {exc}") from exc
        sharing_create(org=orgs["org"], partner=client)
        self.stdout.write(f"client_id: {client.client_id}")
        self.stdout.write(f"client_secret: {secret}")
