"""Checking that a JSON-LD document loses nothing: expansion with a sentinel ``@vocab`` as the last context.

The W3C VC 2.0 context has no ``@vocab``: a term no context defines is silently dropped by expansion, so a
credential can say more to a person than to a verifier. Adding ``{"@vocab": SENTINEL}`` after the document's own
contexts turns every such term (and every undefined type name) into a SENTINEL IRI instead, which the test can see.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from pyld import jsonld

SENTINEL = "https://sentinel.invalid/undefined-term#"


def _iris(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key == "@type":
                yield from (value if isinstance(value, list) else [value])
            yield from _iris(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iris(item)


def sentinel_terms(document: dict[str, Any], loader: Callable[..., dict[str, Any]]) -> set[str]:
    """The terms of ``document`` that no context defines (they fell back to the sentinel vocabulary)."""
    probe = copy.deepcopy(document)
    contexts = probe.get("@context", [])
    probe["@context"] = [*(contexts if isinstance(contexts, list) else [contexts]), {"@vocab": SENTINEL}]
    expanded = jsonld.expand(probe, {"documentLoader": loader})
    return {iri.removeprefix(SENTINEL) for iri in _iris(expanded) if isinstance(iri, str) and iri.startswith(SENTINEL)}


def statement_count(document: dict[str, Any], loader: Callable[..., dict[str, Any]]) -> int:
    """How many RDF statements a verifier gets from ``document`` (N-Quads lines)."""
    quads = jsonld.to_rdf(document, {"documentLoader": loader, "format": "application/n-quads"})
    return len([line for line in quads.splitlines() if line.strip()])
