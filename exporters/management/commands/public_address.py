"""``manage.py public_address``: print the public address written into identifiers, QR codes and credentials.

``make run`` calls it before serving, so the address a phone must reach is on screen. It also says when
published passports carry identifiers under another address (the data was created under an earlier
``PLATFORM_BASE_URL``): their printed QR codes and signed credentials still name the old address until an owner
re-issues them (README, "Moving to a new public address").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from exporters.credentials.did import did_web
from exporters.services.keys import platform_host
from passports.models import Passport


class Command(BaseCommand):
    help = "Print PLATFORM_BASE_URL and warn about published passports issued under another address."

    def handle(self, *args: Any, **options: Any) -> None:
        base = settings.PLATFORM_BASE_URL
        self.stdout.write(self.style.SUCCESS(f"Public address: {base}/"))
        issuers = did_web(platform_host(), "slug").replace(":orgs:slug", ":orgs:<organization>")
        self.stdout.write(f"  QR codes, GS1 Digital Links, issuers {issuers}")
        self.stdout.write(f"  API docs: {base}/api/schema/swagger-ui/")
        elsewhere = (
            Passport.objects.filter(versions__status="published")
            .exclude(identifier__startswith=f"{base}/")
            .distinct()
            .count()
        )
        if elsewhere:
            self.stdout.write(
                self.style.WARNING(
                    f"  {elsewhere} published passport(s) carry identifiers under another address; their QR codes "
                    "and credentials do not point here: manage.py reissue_credentials --all "
                    "(README: Moving to a new public address)"
                )
            )
