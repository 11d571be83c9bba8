"""Browser tests: Playwright (Python) driving Debian's chromium against pytest-django's live server.

No ``playwright install``: the browser is the system's ``chromium`` (with ``fonts-nanum`` for Korean text).
Tests skip, saying why, where it is missing. Screenshots go to ``tests/artifacts/`` (not versioned).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A chromium for one test. Function-scoped on purpose: Playwright's sync API keeps an event loop running
    in the test's thread while it is open, which Django's async-safety guard would hold against every later
    ORM call of the worker; the guard is lifted for this test only (its ORM calls are plain synchronous
    calls between page actions) and the loop ends with the test."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not on PATH (apt-get install chromium fonts-nanum)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageErrors(list[str]):
    """Console errors and uncaught exceptions of a page, CSP violations included."""


_WARMED: set[str] = set()


@pytest.fixture
def warm_server(live_server: Any, transactional_db: None) -> None:
    """Answer one request before the browser comes: the first one imports every view module (seconds on a
    busy machine), which is not what the flows measure. Once per live server."""
    import urllib.request

    if live_server.url in _WARMED:
        return
    with urllib.request.urlopen(f"{live_server.url}/login/", timeout=120) as response:  # noqa: S310  # local
        response.read()
    _WARMED.add(live_server.url)


@pytest.fixture
def page(browser: Any, live_server: Any, warm_server: None) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    errors = PageErrors()
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    yield opened
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Log in through the session cookie of Django's test client (the login form has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
