"""The links a GS1 Digital Link resolves to, as an RFC 9264 linkset (``application/linkset+json``).

GS1 Digital Link resolvers answer ``?linkType=all`` with every link they hold for an identifier (GS1-Conformant
Resolver Standard); RFC 9264 gives the JSON shape: ``{"linkset": [{"anchor": ..., "<relation>": [targets]}]}``,
each target with ``href`` and optional ``type``, ``title`` and ``hreflang`` (a list). Relations are GS1 link
types (``https://gs1.org/voc/...``), IANA relation names (``describedby``, ``version-history``,
``latest-version``, ``predecessor-version``, ``successor-version``, ``alternate``) and the VC vocabulary's
``credentialStatus``. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MEDIA_TYPE = "application/linkset+json"
GS1_DEFAULT_LINK = "https://gs1.org/voc/defaultLink"
GS1_PIP = "https://gs1.org/voc/pip"
CREDENTIAL_STATUS = "https://www.w3.org/2018/credentials#credentialStatus"

#: Short link types a caller may ask for with ``?linkType=`` and the relation each stands for.
LINK_TYPES: dict[str, str] = {
    "gs1:defaultLink": GS1_DEFAULT_LINK,
    "gs1:pip": GS1_PIP,
    "describedby": "describedby",
    "version-history": "version-history",
    "latest-version": "latest-version",
    "alternate": "alternate",
    "status": CREDENTIAL_STATUS,
}


@dataclass(frozen=True)
class VersionLink:
    number: int
    url: str
    status: str


@dataclass(frozen=True)
class PassportLinks:
    """Everything the resolver knows how to reach for one passport version."""

    anchor: str
    page_url: str
    version: int
    versions: Sequence[VersionLink]
    credential_jwt_url: str | None = None
    credential_jsonld_url: str | None = None
    data_url: str | None = None
    status_list_urls: Sequence[str] = ()
    report_url: str | None = None
    languages: Sequence[str] = ("en", "ko")
    titles: dict[str, str] = field(default_factory=dict)


def _target(href: str, title: str, media_type: str | None = None, hreflang: Sequence[str] = ()) -> dict[str, Any]:
    target: dict[str, Any] = {"href": href, "title": title}
    if media_type:
        target["type"] = media_type
    if hreflang:
        target["hreflang"] = list(hreflang)
    return target


def build_linkset(links: PassportLinks) -> dict[str, Any]:
    """The RFC 9264 linkset of one passport version."""
    page = _target(links.page_url, links.titles.get("page", "Product passport"), "text/html", links.languages)
    context: dict[str, Any] = {"anchor": links.anchor, GS1_DEFAULT_LINK: [page], GS1_PIP: [page]}
    described: list[dict[str, Any]] = []
    if links.credential_jwt_url:
        described.append(_target(links.credential_jwt_url, "Signed passport credential", "application/vc+jwt"))
    if links.credential_jsonld_url:
        described.append(_target(links.credential_jsonld_url, "Passport credential", "application/ld+json"))
    if links.data_url:
        described.append(_target(links.data_url, "Passport data (public tier)", "application/json"))
    if described:
        context["describedby"] = described
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
    if links.status_list_urls:
        context[CREDENTIAL_STATUS] = [
            _target(url, "Bitstring status list", "application/vc+jwt") for url in links.status_list_urls
        ]
    if links.report_url:
        context["alternate"] = [
            _target(links.report_url, "Compliance report (for members of the issuing organization)", "application/pdf")
        ]
    return {"linkset": [context]}


def target_for(linkset: dict[str, Any], link_type: str) -> str | None:
    """The first target of ``link_type`` (a short name of `LINK_TYPES` or a relation), for a redirect."""
    relation = LINK_TYPES.get(link_type, link_type)
    for context in linkset.get("linkset", []):
        targets = context.get(relation)
        if isinstance(targets, list) and targets:
            href = targets[0].get("href")
            return href if isinstance(href, str) else None
    return None
