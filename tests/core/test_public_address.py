"""The public address: derived from the development server's host and port, strict in production (issue 16.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.public_address import (
    PublicAddressError,
    check_base_url_shape,
    check_production_base_url,
    development_base_url,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", "8101", "http://localhost:8101"),
        ("0.0.0.0", "8000", "http://localhost:8000"),  # noqa: S104  # a bind address as make run may be given
        ("::1", 9000, "http://localhost:9000"),
        ("", None, "http://localhost:8000"),
        (None, "80", "http://localhost"),
        ("dpp.local", "8101", "http://dpp.local:8101"),
        ("Passports.Example.COM", "8443", "http://passports.example.com:8443"),
    ],
)
def test_development_address_is_a_name_never_an_ip(host: str | None, port: str | int | None, expected: str) -> None:
    assert development_base_url(host, port) == expected


def test_a_port_out_of_range_is_refused() -> None:
    with pytest.raises(PublicAddressError, match="PORT 70000"):
        development_base_url("127.0.0.1", "70000")


@pytest.mark.parametrize("url", ["https://dpp.example.com/passports", "http://x.example?a=1", "ftp://x.example"])
def test_an_address_with_a_path_or_another_scheme_is_refused(url: str) -> None:
    with pytest.raises(PublicAddressError, match="PLATFORM_BASE_URL"):
        check_base_url_shape(url)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("", "must be set in production"),
        ("http://dpp.example.com", "must use https://"),
        ("https://203.0.113.7", "IP address"),
        ("https://[2001:db8::1]:8443", "IP address"),
        ("https://localhost:8443", "not a public domain name"),
        ("https://intranet", "not a public domain name"),
    ],
)
def test_production_requires_https_on_a_domain_name(url: str, rule: str) -> None:
    with pytest.raises(PublicAddressError, match=rule):
        check_production_base_url(url)


def test_production_accepts_https_on_a_domain_name_with_a_port() -> None:
    assert check_production_base_url("https://passports.example.com:8443/") == "https://passports.example.com:8443"


def _django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PLATFORM_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_make_run_host_and_port_become_the_public_address() -> None:
    """`make run PORT=8101` exports PLATFORM_DEV_HOST/PORT; the settings write localhost, never the IP."""
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export PLATFORM_DEV_HOST = $(HOST)" in makefile
    assert "run: export PLATFORM_DEV_PORT = $(PORT)" in makefile
    settled = _django(
        "from django.conf import settings; print(settings.PLATFORM_BASE_URL, settings.ALLOWED_HOSTS)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        PLATFORM_DEV_HOST="127.0.0.1",
        PLATFORM_DEV_PORT="8101",
    )
    assert settled.stdout.startswith("http://localhost:8101 "), settled.stderr
    explicit = _django(
        "from django.conf import settings; print(settings.PLATFORM_BASE_URL)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        PLATFORM_DEV_PORT="8101",
        PLATFORM_BASE_URL="https://dpp.example.com/",
    )
    assert explicit.stdout.strip() == "https://dpp.example.com"


def test_production_refuses_to_start_on_an_ip_address_with_a_clear_message() -> None:
    result = _django(
        "print('started')",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY="x7#Kq!v9pL2$mN8@wR4^tY6&uI0*oP3(aS5)dF1-gH7_jZ9+cB2=eV4nM6bX8",
        DJANGO_ALLOWED_HOSTS="dpp.example.com",
        DATABASE_URL="sqlite:///:memory:",
        PLATFORM_BASE_URL="http://127.0.0.1:8000",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: PLATFORM_BASE_URL 'http://127.0.0.1:8000' must use https://" in result.stderr
