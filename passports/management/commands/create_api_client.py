"""``manage.py create_api_client --org SLUG --name NAME --scopes read,write``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passports.models import ApiClient, Organization
from passports.services.tenants import api_client_create


class Command(BaseCommand):
    help = (
        "Create OAuth2 client credentials for a partner system of one organization. Prints "
        "'client_id: ...' and 'client_secret: ...' on their own lines; the secret is shown only this once "
        "(it is stored hashed). Exchange them at POST /auth/token (grant_type=client_credentials, HTTP Basic)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization that owns the client")
        parser.add_argument("--name", required=True, help="a name people recognise, e.g. 'ERP integration'")
        parser.add_argument(
            "--scopes",
            default="read",
            help=f"comma-separated scopes from {', '.join(ApiClient.SCOPES)} (default: read)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            client, secret = api_client_create(org=org, name=options["name"], scopes=scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"client_id: {client.client_id}")
        self.stdout.write(f"client_secret: {secret}")
