"""``manage.py verify_passport FILE_OR_URL``: verify a passport credential offline, as ``POST /api/v1/verify`` does.

The argument is a file holding the compact JWS (or a JSON object with a ``credential`` member), or a URL of
this platform's resolver (``<PLATFORM_BASE_URL>/01/...``, with ``?version=N`` if wanted), which is resolved
inside the process: nothing is fetched over the network, so only credentials of this platform's organizations
can be checked. Exit status 0 when the credential is valid, 1 when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.urls import Resolver404, resolve

from exporters import selectors
from exporters.credentials.verification import verify_token
from exporters.resolver.digital_link import ResolverSyntaxError, parse_request_path

RESOLVER_ROUTES = frozenset({"resolver", "passport-page"})


def token_from_url(url: str) -> str:
    """The signed credential a resolver URL of this platform serves, looked up in the database."""
    split = urlsplit(url)
    ours = urlsplit(settings.PLATFORM_BASE_URL)
    if split.netloc != ours.netloc:
        raise CommandError(f"only URLs of this platform ({ours.netloc}) are resolved; nothing is fetched")
    try:
        match = resolve(split.path)
    except Resolver404 as exc:
        raise CommandError(f"{url} is not a passport URL of this platform") from exc
    if match.url_name not in RESOLVER_ROUTES:
        raise CommandError(f"{url} is not a GS1 Digital Link of this platform's resolver")
    try:
        link = parse_request_path(match.kwargs["tail"]).levels()[0]
        passport = selectors.passport_by_link(link)
        versions = selectors.resolvable_versions(passport)
        asked = parse_qs(split.query).get("version")
        version = selectors.version_to_resolve(versions, asked[0] if asked else None)
    except (ResolverSyntaxError, Http404) as exc:
        raise CommandError(f"no published passport at {url}: {exc}") from exc
    issued = selectors.credential_of(version)
    if issued is None:
        raise CommandError(f"version {version.number} of {passport.identifier} has no credential")
    return issued.jws


def token_from_file(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{path} is neither a compact JWS nor JSON") from exc
        token = document.get("credential") if isinstance(document, dict) else None
        if not isinstance(token, str):
            raise CommandError(f"{path} holds JSON without a 'credential' string")
        return token
    return text


class Command(BaseCommand):
    help = "Verify a signed passport credential (file or this platform's resolver URL), without network access."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="file with the compact JWS, or a resolver URL of this platform")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        if urlsplit(source).scheme in ("http", "https"):
            token = token_from_url(source)
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"{source} is neither a file nor an http(s) URL")
            token = token_from_file(path)
        report = verify_token(token)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            verdict = self.style.SUCCESS("VALID") if report.valid else self.style.ERROR("NOT VALID")
            self.stdout.write(f"{verdict}  status: {report.status}")
            self.stdout.write(f"  issuer: {report.issuer}")
            self.stdout.write(f"  key:    {report.kid}")
            for check in report.checks:
                mark = "ok  " if check["passed"] else "FAIL"
                self.stdout.write(f"  [{mark}] {check['check']}: {check['message']}")
        if not report.valid:
            raise CommandError("the credential is not valid", returncode=1)
