"""Every output of every demo passport, checked as an outside verifier would, on the world ``seed_demo`` builds.

The demo is seeded once for the module (inside a transaction rolled back at the end) and every test reads it:
the credentials expand with pyld using only shipped contexts and lose no term.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from exporters.document_loader import pyld_loader
from exporters.models import IssuedCredential
from tests.exporters.linked_data import sentinel_terms, statement_count

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-world")]


@pytest.fixture(scope="module")
def demo_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """``seed_demo`` once for the module; everything it wrote is rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def credentials(demo_world: None) -> list[IssuedCredential]:
    issued = list(IssuedCredential.objects.select_related("version__passport").order_by("pk"))
    assert len(issued) >= 12, "the demo publishes passports of every shipped schema"
    return issued


def test_every_demo_credential_expands_with_shipped_contexts_and_loses_no_term(
    credentials: list[IssuedCredential],
) -> None:
    """pyld with only the shipped W3C, UNTP and passport contexts; a sentinel @vocab catches any undefined term."""
    loader = pyld_loader(settings.PLATFORM_BASE_URL)
    for issued in credentials:
        credential = issued.credential
        assert sentinel_terms(credential, loader) == set(), issued.version.passport.identifier
        assert statement_count(credential, loader) > 80
        for link in credential["credentialSubject"]["product"].get("furtherInformation", []):
            assert link["linkType"].startswith("https://"), "UNTP link types are full URIs"
