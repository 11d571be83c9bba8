"""Offline JSON-LD loader: only shipped contexts, never the network, and the same meaning as UNTP's."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporters import document_loader
from exporters.credentials import build_credential
from exporters.document_loader import DocumentLoaderError, known_urls, load_document, pyld_document_loader
from exporters.statuslist import StatusBitstring, build_status_list_credential
from tests.exporters.test_credentials import ISSUED, ISSUER_DID, SAMPLES

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
UNTP_CONTEXT = REFERENCE / "untp" / "context.jsonld"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
UNTP_URL = "https://test.uncefact.org/vocabulary/untp/dpp/working/"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve a name or open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def jsonld() -> Any:
    return pytest.importorskip("pyld.jsonld")


def test_known_urls_load(no_network: None) -> None:
    assert known_urls() == {VC_V2, UNTP_URL}
    vc = load_document(VC_V2)
    assert vc["@context"]["@protected"] is True
    for term in ("VerifiableCredential", "BitstringStatusListCredential", "BitstringStatusListEntry"):
        assert term in vc["@context"]
    assert "ProductPassport" in load_document(UNTP_URL)["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/v2/",
        "http://www.w3.org/ns/credentials/v2",
        "https://WWW.W3.ORG/ns/credentials/v2",
        "https://test.uncefact.org/vocabulary/untp/dpp/working",
        "https://attacker.example/context.jsonld",
        "file:///etc/passwd",
        "",
    ],
)
def test_unknown_urls_are_refused_without_network(no_network: None, url: str) -> None:
    with pytest.raises(DocumentLoaderError, match="never fetched"):
        load_document(url)


def test_loaded_documents_are_copies() -> None:
    first = load_document(VC_V2)
    first["@context"]["VerifiableCredential"] = "https://attacker.example/vc"
    assert load_document(VC_V2)["@context"]["VerifiableCredential"]["@id"].startswith("https://www.w3.org/")


def test_index_records_the_sha256_of_each_file() -> None:
    index = json.loads(document_loader.INDEX_FILE.read_text(encoding="utf-8"))
    for entry in index.values():
        data = (document_loader.CONTEXTS_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["licence"]


@pytest.fixture
def copied_contexts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for path in document_loader.CONTEXTS_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(document_loader, "CONTEXTS_DIR", tmp_path)
    monkeypatch.setattr(document_loader, "INDEX_FILE", tmp_path / "index.json")
    document_loader._index.cache_clear()
    document_loader._load.cache_clear()
    yield tmp_path
    document_loader._index.cache_clear()
    document_loader._load.cache_clear()


def test_edited_context_file_is_refused(copied_contexts: Path) -> None:
    assert load_document(UNTP_URL)
    document_loader._load.cache_clear()
    path = copied_contexts / "untp-dpp-terms.jsonld"
    path.write_text(path.read_text(encoding="utf-8").replace("granularityCode", "pallet"), encoding="utf-8")
    with pytest.raises(DocumentLoaderError, match="SHA-256"):
        load_document(UNTP_URL)


def test_index_entry_cannot_point_outside_the_folder(copied_contexts: Path) -> None:
    index_path = copied_contexts / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index[UNTP_URL]["file"] = "../outside.jsonld"
    index_path.write_text(json.dumps(index), encoding="utf-8")
    document_loader._index.cache_clear()
    with pytest.raises(DocumentLoaderError, match="outside"):
        load_document(UNTP_URL)


def _issuer_dependent_terms(expanded: Any) -> set[str]:
    return set(re.findall(r"credentials/issuer-dependent#([^\"]+)", json.dumps(expanded)))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_our_untp_terms_expand_like_the_real_untp_context(sample: str, jsonld: Any, no_network: None) -> None:
    """The credential means the same RDF whether a verifier uses UNTP's context or our offline one."""
    if not UNTP_CONTEXT.is_file():
        pytest.skip(f"UNTP reference context not found at {UNTP_CONTEXT} (shared/ is a sibling of the repo)")
    untp = json.loads(UNTP_CONTEXT.read_text(encoding="utf-8"))

    def reference_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == UNTP_URL:
            return {"contextUrl": None, "documentUrl": url, "document": untp}
        return pyld_document_loader(url, options)

    credential = build_credential(SAMPLES[sample]())
    ours = jsonld.expand(credential, {"documentLoader": pyld_document_loader})
    reference = jsonld.expand(credential, {"documentLoader": reference_loader})
    assert ours == reference
    # Only our deliberate extensions fall back to the VC 2.0 issuer-dependent vocabulary: the
    # conformance flag and the attached passport data under the open `characteristics` slot.
    attached = set(SAMPLES[sample]().passport_data or {})
    allowed = {"conformance", "characteristics"} | attached | {"direct", "indirect"}
    assert _issuer_dependent_terms(ours) <= allowed
    assert "conformance" in _issuer_dependent_terms(ours)
    # The typed code values expand into their code lists.
    dump = json.dumps(ours)
    assert "untp/dpp/working/granularityCode#" in dump
    assert "vocabulary.uncefact.org/CountryId#KR" in dump or "CountryId#VN" in dump


def test_status_list_credential_needs_only_the_vc_context(jsonld: Any, no_network: None) -> None:
    credential = build_status_list_credential(
        "https://dpp.example.com/status/1", ISSUER_DID, "revocation", StatusBitstring().encode(), ISSUED
    )
    expanded = jsonld.expand(credential, {"documentLoader": pyld_document_loader})
    assert _issuer_dependent_terms(expanded) == set()
    assert "https://www.w3.org/ns/credentials/status#encodedList" in json.dumps(expanded)


def test_pyld_cannot_reach_an_unknown_context(jsonld: Any, no_network: None) -> None:
    credential = build_credential(SAMPLES["battery-model"]())
    credential["@context"].append("https://attacker.example/redefine.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(credential, {"documentLoader": pyld_document_loader})
