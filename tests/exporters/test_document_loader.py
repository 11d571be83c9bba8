"""Offline JSON-LD loader: only shipped contexts, byte for byte as published, and never the network."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporters.credentials import document_loader
from exporters.credentials.document_loader import (
    DocumentLoaderError,
    digest_sri,
    known_urls,
    load_document,
    pyld_document_loader,
    pyld_loader,
)
from exporters.credentials.passport_context import context_path, newest_version
from exporters.credentials.statuslist import StatusBitstring, build_status_list_credential
from exporters.credentials.vc import UNTP_DPP_CONTEXT, VC_V2_CONTEXT, ContextRef, build_credential, canonical_sha256
from passports.schema_files import example_files
from tests.exporters.linked_data import SENTINEL, sentinel_terms
from tests.exporters.test_credentials import HOST, ISSUED, ISSUER_DID, SAMPLES

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
UNTP_REFERENCE = REFERENCE / "untp" / "context.jsonld"
BASE = f"https://{HOST}"
#: Our newest context version: the one new credentials name, and the only one that defines every shipped term.
NEWEST = newest_version(document_loader.own_context_paths())
OURS = f"{BASE}{context_path(NEWEST)}"
#: The SHA-256 the W3C Verifiable Credentials Data Model v2.0 Recommendation (15 May 2025) states for its base
#: context in section B.1 "Base Context" ("the following value is the hexadecimal encoded SHA2-256 digest value
#: of the base context file"); implementations must treat that file as already retrieved.
VC_V2_PUBLISHED_SHA256 = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


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
    from pyld import jsonld

    return jsonld


def test_known_urls_load(no_network: None) -> None:
    assert known_urls() == {VC_V2_CONTEXT, UNTP_DPP_CONTEXT}
    ours = {f"{BASE}{context_path(version)}" for version in range(1, NEWEST + 1)}
    assert OURS in ours
    assert known_urls(BASE) == {VC_V2_CONTEXT, UNTP_DPP_CONTEXT, *ours}
    vc = load_document(VC_V2_CONTEXT)
    assert vc["@context"]["@protected"] is True
    for term in ("VerifiableCredential", "BitstringStatusListCredential", "BitstringStatusListEntry"):
        assert term in vc["@context"]
    assert "ProductPassport" in load_document(UNTP_DPP_CONTEXT)["@context"]
    assert "characteristics" in load_document(OURS, base_url=BASE)["@context"]


def test_the_w3c_context_is_the_published_file() -> None:
    """Byte for byte what the W3C publishes: its digest is the one the Recommendation states."""
    shipped = document_loader.document_bytes(VC_V2_CONTEXT)
    assert hashlib.sha256(shipped).hexdigest() == VC_V2_PUBLISHED_SHA256
    # The catch-all vocabulary went in July 2024: a term no context defines is dropped by every verifier.
    assert "@vocab" not in json.loads(shipped)["@context"]


def test_the_untp_context_is_the_published_file() -> None:
    if not UNTP_REFERENCE.is_file():
        pytest.skip(f"UNTP reference context not found at {UNTP_REFERENCE} (shared/ is a sibling of the repo)")
    assert document_loader.document_bytes(UNTP_DPP_CONTEXT) == UNTP_REFERENCE.read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/v2/",
        "http://www.w3.org/ns/credentials/v2",
        "https://WWW.W3.ORG/ns/credentials/v2",
        "https://test.uncefact.org/vocabulary/untp/dpp/working",
        "https://attacker.example/context.jsonld",
        "https://attacker.example/ns/passport/v1",  # our path, on a host that is not ours
        f"{BASE}{context_path(NEWEST + 1)}",  # a version we do not ship
        "/ns/passport/v1",  # a path alone is no URL
        "file:///etc/passwd",
        "",
    ],
)
def test_unknown_urls_are_refused_without_network(no_network: None, url: str) -> None:
    with pytest.raises(DocumentLoaderError, match="never fetched"):
        load_document(url, base_url=BASE)


def test_our_context_answers_only_under_the_base_named() -> None:
    with pytest.raises(DocumentLoaderError):
        load_document(OURS)
    assert load_document(OURS, base_url=BASE + "/") == load_document(OURS, base_url=BASE)


def test_loaded_documents_are_copies() -> None:
    first = load_document(VC_V2_CONTEXT)
    first["@context"]["VerifiableCredential"] = "https://attacker.example/vc"
    assert load_document(VC_V2_CONTEXT)["@context"]["VerifiableCredential"]["@id"].startswith("https://www.w3.org/")


def test_index_records_the_sha256_source_and_licence_of_each_file() -> None:
    index = json.loads(document_loader.INDEX_FILE.read_text(encoding="utf-8"))
    for entry in index.values():
        data = (document_loader.CONTEXTS_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["licence"] and entry["source"]
    shipped = {path.name for path in document_loader.CONTEXTS_DIR.glob("*.jsonld")}
    assert shipped == {entry["file"] for entry in index.values()}, "every context file is listed, none is stray"


@pytest.fixture
def copied_contexts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for path in document_loader.CONTEXTS_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(document_loader, "CONTEXTS_DIR", tmp_path)
    monkeypatch.setattr(document_loader, "INDEX_FILE", tmp_path / "index.json")
    document_loader.clear_caches()
    yield tmp_path
    document_loader.clear_caches()


def test_edited_context_file_is_refused(copied_contexts: Path) -> None:
    assert load_document(UNTP_DPP_CONTEXT)
    document_loader.clear_caches()
    path = copied_contexts / "untp-dpp-working-0.6.jsonld"
    path.write_text(path.read_text(encoding="utf-8").replace("granularityCode", "pallet"), encoding="utf-8")
    with pytest.raises(DocumentLoaderError, match="SHA-256"):
        load_document(UNTP_DPP_CONTEXT)


def test_index_entry_cannot_point_outside_the_folder(copied_contexts: Path) -> None:
    index_path = copied_contexts / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index[UNTP_DPP_CONTEXT]["file"] = "../outside.jsonld"
    index_path.write_text(json.dumps(index), encoding="utf-8")
    document_loader.clear_caches()
    with pytest.raises(DocumentLoaderError, match="outside"):
        load_document(UNTP_DPP_CONTEXT)


def _contexts() -> list[ContextRef]:
    return [
        ContextRef(UNTP_DPP_CONTEXT, digest_sri(UNTP_DPP_CONTEXT)),
        ContextRef(OURS, digest_sri(OURS, base_url=BASE)),
    ]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_untp_terms_of_a_credential_are_defined_by_shipped_contexts(
    sample: str, jsonld: Any, no_network: None
) -> None:
    """With a sentinel @vocab after our contexts, no term the credential itself adds may fall back to it."""
    credential = build_credential(SAMPLES[sample](contexts=_contexts(), passport_data=None))
    assert credential["@context"] == [VC_V2_CONTEXT, UNTP_DPP_CONTEXT, OURS]
    loader = pyld_loader(BASE)
    assert sentinel_terms(credential, loader) == set()
    expanded = json.dumps(jsonld.expand(credential, {"documentLoader": loader}))
    assert "https://dpp.example/ns/passport#conformance" in expanded
    # The typed code values expand into their code lists.
    assert "untp/dpp/working/granularityCode#" in expanded
    assert "vocabulary.uncefact.org/CountryId#" in expanded


@pytest.mark.parametrize("example", example_files(), ids=lambda path: path.stem)
def test_every_field_of_every_example_passport_is_defined_by_our_context(
    example: Path, jsonld: Any, no_network: None
) -> None:
    """The passport data attached under ``characteristics`` keeps every field, with its type."""
    data = json.loads(example.read_text(encoding="utf-8"))
    credential = build_credential(
        SAMPLES["battery-model"](contexts=_contexts(), passport_data=data, passport_data_sha256=canonical_sha256(data))
    )
    loader = pyld_loader(BASE)
    assert sentinel_terms(credential, loader) == set()
    expanded = json.dumps(jsonld.expand(credential, {"documentLoader": loader}))
    assert "https://dpp.example/ns/passport#characteristics" in expanded
    # Every member name of the data is a term of our vocabulary in the expanded graph.
    names = set(re.findall(r'"([a-z][a-z0-9_]*)":', json.dumps(data)))
    assert {name for name in names if f"https://dpp.example/ns/passport#{name}" not in expanded} == set()


def test_without_our_context_the_passport_data_is_lost(jsonld: Any, no_network: None) -> None:
    """The sentinel catches what a verifier with the real contexts would drop (so the check above bites)."""
    credential = build_credential(SAMPLES["battery-model"]())
    lost = sentinel_terms(credential, pyld_loader(BASE))
    assert {"characteristics", "conformance"} <= lost
    kept = jsonld.to_rdf(credential, {"documentLoader": pyld_document_loader, "format": "application/n-quads"})
    assert SENTINEL not in kept and "characteristics" not in kept


def test_status_list_credential_needs_only_the_vc_context(jsonld: Any, no_network: None) -> None:
    credential = build_status_list_credential(
        "https://dpp.example.com/status/1", ISSUER_DID, "revocation", StatusBitstring().encode(), ISSUED
    )
    assert sentinel_terms(credential, pyld_document_loader) == set()
    expanded = jsonld.expand(credential, {"documentLoader": pyld_document_loader})
    assert "https://www.w3.org/ns/credentials/status#encodedList" in json.dumps(expanded)


def test_pyld_cannot_reach_an_unknown_context(jsonld: Any, no_network: None) -> None:
    credential = build_credential(SAMPLES["battery-model"]())
    credential["@context"].append("https://attacker.example/redefine.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(credential, {"documentLoader": pyld_document_loader})
