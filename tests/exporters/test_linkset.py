"""RFC 9264 linksets of passports (no database)."""

from __future__ import annotations

from exporters.linkset import (
    CREDENTIAL_STATUS,
    GS1_DEFAULT_LINK,
    GS1_PIP,
    PassportLinks,
    VersionLink,
    build_linkset,
    target_for,
)

ANCHOR = "https://dpp.example.com/01/08801234000017"


def links(version: int = 2, **changes: object) -> PassportLinks:
    fields: dict[str, object] = {
        "anchor": ANCHOR,
        "page_url": f"{ANCHOR}?version={version}",
        "version": version,
        "versions": [
            VersionLink(1, f"{ANCHOR}?version=1", "superseded"),
            VersionLink(2, f"{ANCHOR}?version=2", "published"),
            VersionLink(3, f"{ANCHOR}?version=3", "revoked"),
        ],
        "credential_jwt_url": f"{ANCHOR}?version={version}&format=vc-jwt",
        "status_list_urls": ["https://dpp.example.com/orgs/acme/status/revocation"],
    }
    fields.update(changes)
    return PassportLinks(**fields)  # type: ignore[arg-type]


def test_linkset_shape_follows_rfc_9264() -> None:
    linkset = build_linkset(links())
    assert list(linkset) == ["linkset"]
    (context,) = linkset["linkset"]
    assert context["anchor"] == ANCHOR
    for relation, targets in context.items():
        if relation == "anchor":
            continue
        assert isinstance(targets, list) and targets, relation
        for target in targets:
            assert isinstance(target["href"], str)
            assert isinstance(target.get("hreflang", []), list)  # RFC 9264 4.2.4.2: an array of strings
    assert context[GS1_DEFAULT_LINK][0]["hreflang"] == ["en", "ko"]
    assert context[CREDENTIAL_STATUS][0]["type"] == "application/vc+jwt"


def test_versions_point_both_ways_and_at_the_latest_published() -> None:
    context = build_linkset(links(version=2))["linkset"][0]
    assert [t["href"].rsplit("=", 1)[1] for t in context["version-history"]] == ["1", "2", "3"]
    assert context["latest-version"][0]["href"].endswith("version=2")  # version 3 is revoked
    assert context["predecessor-version"][0]["href"].endswith("version=1")
    assert context["successor-version"][0]["href"].endswith("version=3")
    first = build_linkset(links(version=1))["linkset"][0]
    assert "predecessor-version" not in first


def test_link_types_resolve_to_their_first_target() -> None:
    linkset = build_linkset(links(report_url="https://dpp.example.com/api/v1/passports/7/report.pdf"))
    assert target_for(linkset, "gs1:pip") == linkset["linkset"][0][GS1_PIP][0]["href"]
    assert target_for(linkset, "alternate") == "https://dpp.example.com/api/v1/passports/7/report.pdf"
    assert target_for(linkset, "describedby") == f"{ANCHOR}?version=2&format=vc-jwt"
    assert target_for(linkset, "gs1:certificationInfo") is None
