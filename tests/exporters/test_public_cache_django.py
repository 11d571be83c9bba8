"""Anonymous public answers rendered once: kept per GTIN, ETag/304, and dropped on a new version, a revocation or a
suspension once the change commits (exporters/resolver/public_cache.py), driven through the WSGI application as gunicorn
drives it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from exporters.resolver.public_cache import PublicResponseCache
from exporters.services.credentials import credential_suspend
from passports.models import Passport
from passports.services.passports import passport_publish, passport_revoke, passport_version_new
from tests.factories import make_passport

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@pytest.fixture
def wsgi() -> Iterator[PublicResponseCache]:
    # As Django's test client does: neither a request's start nor its end may close the test's connection
    # (on PostgreSQL, close_old_connections at request_started closed it mid-transaction: every call was a 500).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PublicResponseCache(WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app: PublicResponseCache, path: str, method: str = "get", **headers: str) -> Answer:
    environ = getattr(RequestFactory(), method)(path, **headers).environ
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started["status"], started["headers"] = status, response_headers
        return lambda data: None

    body = b"".join(app(environ, start_response))
    return Answer(int(started["status"].split()[0]), dict(started["headers"]), body)


@pytest.fixture
def passport(tenant: Any) -> Passport:
    made = make_passport(tenant.org)
    passport_publish(passport=made, by=tenant.owner)
    return made


def page_of(passport: Passport) -> str:
    return "/dpp" + urlsplit(passport.identifier).path


def test_an_anonymous_page_is_rendered_once_and_then_served_without_the_database(
    wsgi: PublicResponseCache, passport: Passport, django_assert_num_queries: Any
) -> None:
    first = call(wsgi, page_of(passport))
    assert first.status == 200
    assert "Set-Cookie" not in first.headers  # no CSRF cookie: the language switch is links
    assert first.headers["Cache-Control"] == "public, no-cache"
    with django_assert_num_queries(0):
        again = call(wsgi, page_of(passport))
    assert again.body == first.body
    assert again.headers["ETag"] == first.headers["ETag"]
    redirect = call(wsgi, urlsplit(passport.identifier).path)
    with django_assert_num_queries(0):
        redirect_again = call(wsgi, urlsplit(passport.identifier).path)
    assert redirect.status == redirect_again.status == 307
    assert redirect_again.headers["Location"] == redirect.headers["Location"]


def test_if_none_match_gets_304_without_a_body(wsgi: PublicResponseCache, passport: Passport) -> None:
    first = call(wsgi, page_of(passport))
    answer = call(wsgi, page_of(passport), HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["ETag"] == first.headers["ETag"]
    assert answer.headers["Cache-Control"] == "public, no-cache"
    assert call(wsgi, page_of(passport), HTTP_IF_NONE_MATCH='"other"').status == 200
    head = call(wsgi, page_of(passport), method="head")
    assert (head.status, head.body, head.headers["ETag"]) == (200, b"", first.headers["ETag"])


def test_a_revocation_is_visible_on_the_next_request(
    wsgi: PublicResponseCache, passport: Passport, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert "has been revoked" not in call(wsgi, page_of(passport)).text
    linkset = call(wsgi, urlsplit(passport.identifier).path + "?linkType=linkset").text
    with django_capture_on_commit_callbacks(execute=True):
        passport_revoke(version=passport.versions.get(number=1), reason="data error", by=tenant.owner)
    assert "has been revoked by its issuer" in call(wsgi, page_of(passport)).text
    assert call(wsgi, urlsplit(passport.identifier).path + "?linkType=linkset").text != linkset


def test_a_new_version_is_served_on_the_next_request(
    wsgi: PublicResponseCache, passport: Passport, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    before = call(wsgi, page_of(passport))
    with django_capture_on_commit_callbacks(execute=True):
        passport_version_new(passport=passport, by=tenant.owner)
        passport_publish(passport=passport, by=tenant.owner)
    after = call(wsgi, page_of(passport))
    assert "Version 2" in after.text and after.headers["ETag"] != before.headers["ETag"]


def test_a_suspension_is_visible_on_the_next_request(
    wsgi: PublicResponseCache, passport: Passport, django_capture_on_commit_callbacks: Any
) -> None:
    before = call(wsgi, page_of(passport))
    with django_capture_on_commit_callbacks(execute=True):
        credential_suspend(version=passport.versions.get(number=1), suspended=True)
    assert call(wsgi, page_of(passport)).headers["ETag"] != before.headers["ETag"]


def test_callers_who_may_see_more_are_never_served_or_stored(
    wsgi: PublicResponseCache, passport: Passport, tenant: Any, client: Any, django_assert_num_queries: Any
) -> None:
    anonymous = call(wsgi, page_of(passport))
    client.force_login(tenant.viewer)
    session = client.cookies["sessionid"].value
    member = call(wsgi, page_of(passport), HTTP_COOKIE=f"sessionid={session}")
    assert member.status == 200
    assert member.headers["Cache-Control"] == "private, no-store"
    assert "Detailed composition" in member.text and "Detailed composition" not in anonymous.text
    assert "Detailed composition" not in call(wsgi, page_of(passport)).text  # the member's page was not kept
    assert call(wsgi, page_of(passport), HTTP_AUTHORIZATION="Bearer nothing").status == 200


def test_each_language_is_kept_apart(wsgi: PublicResponseCache, passport: Passport) -> None:
    english = call(wsgi, page_of(passport), HTTP_ACCEPT_LANGUAGE="en")
    korean = call(wsgi, page_of(passport), HTTP_ACCEPT_LANGUAGE="ko")
    by_link = call(wsgi, page_of(passport) + "?lang=ko", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english.text
    assert '<html lang="ko">' in korean.text and '<html lang="ko">' in by_link.text
    assert by_link.headers["Content-Language"] == "ko"
    assert 'href="?lang=en"' in by_link.text


def test_only_resolver_paths_are_kept(wsgi: PublicResponseCache, passport: Passport) -> None:
    assert call(wsgi, "/healthz").status == 200
    assert call(wsgi, "/01/08800000000015").status == 404  # not kept: the next publication must show
    assert call(wsgi, "/01/08800000000015").status == 404
