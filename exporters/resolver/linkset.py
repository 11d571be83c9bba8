"""The links a GS1 Digital Link resolves to, as an RFC 9264 linkset (``application/linkset+json``).

GS1-Conformant Resolver Standard 1.0 (section "Linksets"), checked by GS1's linkset schema (shipped as
``exporters/credentials/contexts/gs1-linkset-schema.json``):
- one context object per identification level, with ``anchor`` (the uncompressed Digital Link) and
  ``itemDescription``; a request with key qualifiers gets every level up to the primary key, most specific first;
- relation names are GS1 link types as full URIs (``https://gs1.org/voc/...``) or IANA names (``describedby``,
  ``version-history``...): GS1's schema allows nothing else, so no ``#`` fragment relations;
- every link has ``href`` and ``title`` and, where known, ``type`` (an IANA media type) and ``hreflang``;
- the one ``gs1:defaultLink`` carries ``href`` and ``title`` only (no optional attributes), and the same
  target is also typed descriptively (``gs1:pip``, ``gs1:dpp``).
Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MEDIA_TYPE = "application/linkset+json"
GS1_VOC = "https://gs1.org/voc/"
GS1_DEFAULT_LINK = f"{GS1_VOC}defaultLink"
GS1_PIP = f"{GS1_VOC}pip"
GS1_DPP = f"{GS1_VOC}dpp"
#: The namespaces GS1 has used for its web vocabulary; a ``linkType`` in any of them means the same link type.
GS1_NAMESPACES = ("https://gs1.org/voc/", "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/", "gs1:")
#: Members of a linkset context object that are not relations.
NOT_RELATIONS = frozenset({"anchor", "itemDescription"})


@dataclass(frozen=True)
class VersionLink:
    number: int
    url: str
    status: str


@dataclass(frozen=True)
class PassportLinks:
    """Everything the resolver knows how to reach for one identification level (one passport version)."""

    anchor: str
    item_description: str
    page_url: str
    version: int
    versions: Sequence[VersionLink]
    credential_jwt_url: str | None = None
    credential_jsonld_url: str | None = None
    data_url: str | None = None
    report_url: str | None = None
    languages: Sequence[str] = ("en", "ko")


def _target(href: str, title: str, media_type: str | None = None, hreflang: Sequence[str] = ()) -> dict[str, Any]:
    target: dict[str, Any] = {"href": href, "title": title}
    if media_type:
        target["type"] = media_type
    if hreflang:
        target["hreflang"] = list(hreflang)
    return target


def build_context(links: PassportLinks) -> dict[str, Any]:
    """The linkset context object of one identification level."""
    page = _target(links.page_url, "Digital product passport", "text/html", links.languages)
    context: dict[str, Any] = {
        "anchor": links.anchor,
        "itemDescription": links.item_description,
        GS1_DEFAULT_LINK: [_target(links.page_url, "Digital product passport")],
        GS1_PIP: [_target(links.page_url, "Product information page", "text/html", links.languages)],
    }
    machine: list[dict[str, Any]] = []
    if links.credential_jsonld_url:
        machine.append(_target(links.credential_jsonld_url, "Passport credential (JSON-LD)", "application/ld+json"))
    if links.credential_jwt_url:
        machine.append(_target(links.credential_jwt_url, "Signed passport credential", "application/vc+jwt"))
    if links.data_url:
        machine.append(_target(links.data_url, "Passport data", "application/json"))
    context[GS1_DPP] = [page, *machine]
    if machine:
        context["describedby"] = machine
    ordered = sorted(links.versions, key=lambda item: item.number)
    context["version-history"] = [
        _target(item.url, f"Version {item.number} ({item.status})", "text/html") for item in ordered
    ]
    latest = next((item for item in reversed(ordered) if item.status == "published"), None)
    if latest is not None:
        context["latest-version"] = [_target(latest.url, f"Version {latest.number}", "text/html")]
    earlier = [item for item in ordered if item.number < links.version]
    later = [item for item in ordered if item.number > links.version]
    if earlier:
        context["predecessor-version"] = [_target(earlier[-1].url, f"Version {earlier[-1].number}", "text/html")]
    if later:
        context["successor-version"] = [_target(later[0].url, f"Version {later[0].number}", "text/html")]
    if links.report_url:
        context["alternate"] = [
            _target(links.report_url, "Compliance report (for members of the issuing organization)", "application/pdf")
        ]
    return context


def build_linkset(levels: Sequence[PassportLinks]) -> dict[str, Any]:
    """The RFC 9264 linkset of a request: one context per level, most specific first."""
    return {"linkset": [build_context(level) for level in levels]}


def relation_of(link_type: str) -> str:
    """The relation a ``?linkType=`` value names: GS1 CURIEs and namespaces become ``https://gs1.org/voc/...``."""
    for namespace in GS1_NAMESPACES:
        if link_type.startswith(namespace):
            return GS1_VOC + link_type[len(namespace) :]
    return link_type


def targets_of(linkset: dict[str, Any], relation: str) -> list[dict[str, Any]]:
    """The targets of ``relation`` at the most specific level that has any (GS1: walking up the tree)."""
    for context in linkset.get("linkset", []):
        targets = context.get(relation)
        if isinstance(targets, list) and targets:
            return targets
    return []
