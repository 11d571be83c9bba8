"""Each demo issuer's did:web resolves, per the did:web method, to a document of ours that verifies its credentials.

did:web method specification, section 3.2 (Read): ``did:web:<host>[%3A<port>]:<path...>`` is fetched from
``https://<host>[:<port>]/<path...>/did.json``. The test turns every demo DID into that URL (with our
``did_web_url``, checked against the spec's own examples in tests/exporters/test_did.py), asks the platform for
that URL on that host, and verifies a credential the resolver serves for the organization with jwcrypto, an
independent JOSE library, given nothing but the key the document lists for the credential's ``kid``.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from exporters.credentials.did import did_web_url
from exporters.services.keys import organization_did
from passports.models import Organization, Passport

pytestmark = pytest.mark.django_db

jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
jwcrypto_jws = pytest.importorskip("jwcrypto.jws")


def _fetch(client: APIClient, url: str, **headers: str) -> Any:
    """GET an absolute URL of ours on the host it names, as a resolver on the internet would reach it."""
    split = urlsplit(url)
    return client.get(
        split.path + (f"?{split.query}" if split.query else ""),
        HTTP_HOST=split.netloc,
        **headers,
    )


def test_every_demo_did_web_resolves_to_its_document_and_verifies_a_credential() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    issuers = Organization.objects.filter(passports__versions__status="published").distinct()
    assert issuers.count() >= 2
    client = APIClient()
    for org in issuers:
        did = organization_did(org)
        host = urlsplit(settings.PLATFORM_BASE_URL).netloc
        assert did == f"did:web:{host.replace(':', '%3A')}:orgs:{org.slug}"
        url = did_web_url(did)
        assert url == f"https://{host}/orgs/{org.slug}/did.json"  # did:web is always read over https
        document_response = _fetch(client, url)
        assert document_response.status_code == 200, url
        assert document_response["Content-Type"] == "application/did+json"
        document = json.loads(document_response.content)
        assert document["id"] == did

        passport = Passport.objects.filter(organization=org, versions__status="published").first()
        assert passport is not None
        token_response = _fetch(client, passport.identifier + "?format=vc-jwt")
        assert token_response.status_code == 200
        token = token_response.content.decode()
        verifier = jwcrypto_jws.JWS()
        verifier.deserialize(token)
        kid = verifier.jose_header["kid"]
        assert kid.startswith(did + "#")
        (method,) = [m for m in document["verificationMethod"] if m["id"] == kid]
        assert kid in document["assertionMethod"]
        verifier.verify(jwcrypto_jwk.JWK(**method["publicKeyJwk"]), alg=verifier.jose_header["alg"])
        credential = json.loads(verifier.payload)
        assert credential["issuer"]["id"] == did
        # What the credential points at resolves on the same address: its status lists.
        for entry in credential["credentialStatus"]:
            assert _fetch(client, entry["statusListCredential"]).status_code == 200
