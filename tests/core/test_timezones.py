"""Times in the viewer's zone, labelled; one date format per language; one Korean word for "revoked"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.test import Client

from exporters.reports.labels import status_label
from passports.services.passports import passport_publish
from tests.factories import make_passport

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def _history(tenant: Any, *, language: str = "en", zone: str | None = None) -> str:
    passport = make_passport(tenant.org)
    passport_publish(passport=passport)
    client = Client()
    client.force_login(tenant.owner)
    client.cookies["django_language"] = language
    if zone is not None:
        client.cookies["dpp_tz"] = zone
    return client.get(f"/passports/{passport.pk}/history/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_korean_pages_show_korean_time_labelled(tenant: Any) -> None:
    html = _history(tenant, language="ko")
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2} KST", html), "no KST time on the Korean page"
    assert " UTC" not in html


def test_the_browser_zone_wins_and_is_named(tenant: Any) -> None:
    html = _history(tenant, zone="Europe/Berlin")
    assert re.search(r"[A-Z][a-z]{2,4}\.? \d{1,2}, \d{4}, \d{2}:\d{2} CES?T", html), "no Berlin time on the page"


def test_an_unknown_zone_cookie_is_ignored(tenant: Any) -> None:
    html = _history(tenant, zone="Mars/Olympus_Mons")
    assert re.search(r"[A-Z][a-z]{2,4}\.? \d{1,2}, \d{4}, \d{2}:\d{2} UTC", html)


def test_one_korean_word_for_revoked() -> None:
    """Revoking a passport, a version or a client is 철회 everywhere; 폐기 stays for waste and destruction."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = [
        (str(m.id), m.string if isinstance(m.string, str) else " ".join(m.string))
        for m in catalogue
        if m.id and m.string
    ]
    revocations = [(msgid, text) for msgid, text in pairs if re.search(r"\brevo[kc]", msgid, re.IGNORECASE)]
    assert revocations
    wrong = [msgid for msgid, text in revocations if "폐기" in text or "철회" not in text]
    assert not wrong, wrong
    revoked = next(text for msgid, text in pairs if msgid == "Revoked")
    assert status_label("revoked", "ko") == revoked
