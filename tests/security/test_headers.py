"""Browser-side promises: a strict Content-Security-Policy on our pages, secure cookies in production.

The CSP is checked on every HTML page the isolation matrix knows (as the owner, so the pages render their
content, and anonymously for public pages): script-src and style-src never allow 'unsafe-inline' or
'unsafe-eval', and the markup has no inline script, no style attribute and no event-handler attribute, which
such a policy would block (a page that needs them would be broken, not protected). The API documentation
pages (Swagger UI, Redoc) are the documented exception: their bundles style themselves with inline styles,
so they get style-src 'unsafe-inline'; their scripts stay 'self' only.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.routes.rows import Row, collect_rows

ROOT = Path(__file__).resolve().parents[2]
ROWS = collect_rows()
PAGE_KINDS = {"public", "web_page", "web_object"}
DOCS_PAGES = {"swagger-ui", "redoc"}  # style-src 'unsafe-inline': documented in SECURITY.md


def parse_csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class InlineCode(HTMLParser):
    """Finds what a policy without 'unsafe-inline' blocks: inline scripts, style attributes, on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        if (
            tag == "script"
            and "src" not in names
            and names.get("type", "") not in {"application/json", "application/ld+json"}
        ):
            self._in_inline_script = True
        if tag == "style":
            self._in_style = True
        if "style" in names:
            self.problems.append(f'<{tag} style="{names["style"]}">')
        self.problems += [f"<{tag} {name}=...>" for name in names if name.startswith("on")]
        if tag == "a" and (names.get("href") or "").strip().lower().startswith("javascript:"):
            self.problems.append("<a href=javascript:...>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")
        if self._in_style and data.strip():
            self.problems.append(f"inline <style>: {data.strip()[:60]}")


def _pages() -> list[str]:
    return sorted(name for name, row in ROWS.items() if row.kind in PAGE_KINDS and "get" in row.methods)


@pytest.mark.django_db
@pytest.mark.parametrize("name", _pages())
def test_pages_have_a_strict_csp_and_no_inline_code(name: str, tenant: Any, login_api: Any) -> None:
    row: Row = ROWS[name]
    kwargs = row.make(tenant) if row.make else {}
    url = reverse(name, kwargs={} if row.kind in {"web_page"} else kwargs)
    checked = 0
    for who, client in {"owner": login_api(tenant.owner), "anonymous": APIClient()}.items():
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code >= 300:
            continue
        checked += 1
        header = response.get("Content-Security-Policy")
        assert header, f"{url} as {who}: no Content-Security-Policy"
        csp = parse_csp(header)
        assert csp.get("object-src") == ["'none'"], header
        assert csp.get("frame-ancestors") == ["'none'"], header
        assert csp.get("base-uri") == ["'self'"], header
        for directive in ("default-src", "script-src", "style-src"):
            sources = csp.get(directive, csp.get("default-src", []))
            assert "'unsafe-eval'" not in sources, f"{url}: {directive} {sources}"
            if directive == "style-src" and name in DOCS_PAGES:
                continue
            assert "'unsafe-inline'" not in sources, f"{url}: {directive} {sources}"
            assert "*" not in sources and "data:" not in sources, f"{url}: {directive} {sources}"
        if name in DOCS_PAGES:
            assert "'unsafe-inline'" not in csp["script-src"]
            continue
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert not parser.problems, f"{url} as {who}: {parser.problems[:5]}"
    if not checked:
        pytest.skip(f"{name} answers no HTML page to these callers (JSON, a file or a redirect)")


@pytest.mark.django_db
def test_api_docs_are_the_only_pages_allowed_inline_styles(api: APIClient) -> None:
    for name in DOCS_PAGES:
        csp = parse_csp(api.get(reverse(name))["Content-Security-Policy"])
        assert "'unsafe-inline'" in csp["style-src"]
        assert csp["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_security_headers_on_every_answer(api: APIClient) -> None:
    for url in ("/", "/api/v1/schemas/", "/healthz", "/api/v1/nowhere"):
        response = api.get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url


def _production_settings(**extra: str) -> dict[str, Any]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "prod-" + base64.b64encode(os.urandom(40)).decode(),
        "DJANGO_ALLOWED_HOSTS": "dpp.example.com",
        "PLATFORM_BASE_URL": "https://dpp.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "SIGNING_KEK": base64.b64encode(os.urandom(32)).decode(),
        "BACKUP_STORE_URL": "s3://dpp-backup/passports",  # production wants a second store
        **extra,
    }
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
        "CONTENT_SECURITY_POLICY",
        "OUTBOUND_ALLOWLIST",
        "AXES_FAILURE_LIMIT",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only() -> None:
    prod = _production_settings()
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["DEBUG"] is False
    script = prod["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "'unsafe-inline'" not in script["script-src"] + script["style-src"]
    assert prod["OUTBOUND_ALLOWLIST"] == []  # production reaches no private address unless named
    assert prod["AXES_FAILURE_LIMIT"] <= 10


def test_production_cannot_turn_debug_on_or_secure_cookies_off_by_accident() -> None:
    # DJANGO_DEBUG is read by base.py; production pins DEBUG off whatever the environment says.
    assert _production_settings(DJANGO_DEBUG="true")["DEBUG"] is False


@pytest.mark.django_db
def test_session_cookie_is_http_only_on_login(client: Any, tenant: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True  # as in production: the flag must reach the Set-Cookie header
    response = client.post("/login/", {"username": tenant.owner.username, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] in {"Lax", "Strict"}
    assert re.fullmatch(r"[a-z0-9]{32}", cookie.value)  # an opaque id; the session itself stays server-side
