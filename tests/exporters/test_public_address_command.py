"""``manage.py public_address``, which ``make run`` calls: the address on screen, and a warning when it moved."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from passports.models import Passport
from tests.factories import make_published_passport

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("public_address", stdout=out)
    return out.getvalue()


def test_it_prints_the_address_and_the_did_web_host(settings: Any) -> None:
    settings.PLATFORM_BASE_URL = "http://localhost:8101"
    printed = _run()
    assert "Public address: http://localhost:8101/" in printed
    assert "did:web:localhost%3A8101" in printed
    assert "another address" not in printed


def test_it_warns_when_published_passports_name_another_address(tenant: Any, settings: Any) -> None:
    passport = make_published_passport(tenant.org)
    assert isinstance(passport, Passport)
    settings.PLATFORM_BASE_URL = "https://passports.example.com"
    assert "1 published passport(s) carry identifiers under another address" in _run()
