"""Which URLs a credential may link to: https, and plain http only on the loopback interface (no database)."""

from __future__ import annotations

import dataclasses

import pytest

from exporters.credentials.vc import CredentialInputError, build_credential
from tests.exporters.test_credentials import battery_model_input


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://localhost", "http://[::1]:8000"],
)
def test_a_development_server_on_loopback_can_issue(base: str) -> None:
    inp = battery_model_input()
    product = dataclasses.replace(inp.product, id=f"{base}/01/08801234567893")
    credential = build_credential(
        dataclasses.replace(inp, product=product, passport_data_url=f"{base}/orgs/hanbit/data/public.json")
    )
    assert credential["credentialSubject"]["product"]["id"].startswith(base)


@pytest.mark.parametrize(
    "url",
    [
        "http://dpp.example.com/01/08801234567893",
        "http://localhost.example.com/01/08801234567893",
        "http://127.0.0.2/01/08801234567893",
        "http://127.0.0.1.nip.io/01/08801234567893",
    ],
)
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    inp = battery_model_input()
    with pytest.raises(CredentialInputError) as caught:
        build_credential(dataclasses.replace(inp, product=dataclasses.replace(inp.product, id=url)))
    assert ("product.id", f"{url!r} is not an https URL") in caught.value.problems
