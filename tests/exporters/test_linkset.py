"""RFC 9264 linksets of passports as GS1's linkset schema wants them (no database)."""

from __future__ import annotations

import json

import jsonschema

from exporters.resolver.digital_link import gs1_file
from exporters.resolver.linkset import (
    GS1_DEFAULT_LINK,
    GS1_DPP,
    GS1_PIP,
    PassportLinks,
    VersionLink,
    build_linkset,
    relation_of,
    targets_of,
)

ANCHOR = "https://dpp.example.com/01/08801234000017"
PAGE = "https://dpp.example.com/dpp/01/08801234000017"


def links(version: int = 2, anchor: str = ANCHOR, **changes: object) -> PassportLinks:
    fields: dict[str, object] = {
        "anchor": anchor,
        "item_description": "EV battery pack",
        "page_url": PAGE,
        "version": version,
        "versions": [
            VersionLink(1, f"{PAGE}?version=1", "superseded"),
            VersionLink(2, f"{PAGE}?version=2", "published"),
            VersionLink(3, f"{PAGE}?version=3", "revoked"),
        ],
        "credential_jwt_url": f"{anchor}?version={version}&format=vc-jwt",
        "credential_jsonld_url": f"{anchor}?version={version}&format=jsonld",
        "data_url": f"{anchor}?version={version}&format=json",
        "report_url": "https://dpp.example.com/api/v1/passports/7/report.pdf?version=2",
    }
    fields.update(changes)
    return PassportLinks(**fields)  # type: ignore[arg-type]


def test_the_linkset_validates_against_gs1s_linkset_schema() -> None:
    schema = json.loads(gs1_file("gs1-linkset-schema.json"))
    item = links(anchor=f"{ANCHOR}/21/SN-1", page_url=f"{PAGE}/21/SN-1")
    linkset = build_linkset([item, links()])
    jsonschema.Draft7Validator(schema).validate(linkset)
    for context in linkset["linkset"]:
        assert context["itemDescription"] == "EV battery pack"
        assert not any("#" in relation for relation in context), "GS1's schema allows no fragment relations"


def test_the_default_link_has_a_title_and_nothing_optional_and_is_also_described() -> None:
    (context,) = build_linkset([links()])["linkset"]
    assert context[GS1_DEFAULT_LINK] == [{"href": PAGE, "title": "Digital product passport"}]
    assert context[GS1_PIP][0]["href"] == PAGE
    assert context[GS1_PIP][0]["hreflang"] == ["en", "ko"]
    assert [t["type"] for t in context[GS1_DPP]] == [
        "text/html",
        "application/ld+json",
        "application/vc+jwt",
        "application/json",
    ]
    for relation, targets in context.items():
        if relation in ("anchor", "itemDescription"):
            continue
        for target in targets:
            assert target["href"] and target["title"], relation


def test_versions_point_both_ways_and_at_the_latest_published() -> None:
    (context,) = build_linkset([links(version=2)])["linkset"]
    assert [t["href"].rsplit("=", 1)[1] for t in context["version-history"]] == ["1", "2", "3"]
    assert context["latest-version"][0]["href"].endswith("version=2")  # version 3 is revoked
    assert context["predecessor-version"][0]["href"].endswith("version=1")
    assert context["successor-version"][0]["href"].endswith("version=3")
    (first,) = build_linkset([links(version=1)])["linkset"]
    assert "predecessor-version" not in first


def test_link_types_are_read_in_every_gs1_namespace_and_walk_up_the_levels() -> None:
    for spelling in (
        "gs1:pip",
        "https://gs1.org/voc/pip",
        "https://ref.gs1.org/voc/pip",
        "https://www.gs1.org/voc/pip",
    ):
        assert relation_of(spelling) == GS1_PIP
    assert relation_of("describedby") == "describedby"
    item = links(anchor=f"{ANCHOR}/21/SN-1", page_url=f"{PAGE}/21/SN-1", report_url=None)
    linkset = build_linkset([item, links()])
    assert targets_of(linkset, GS1_PIP)[0]["href"] == f"{PAGE}/21/SN-1"  # the most specific level first
    assert targets_of(linkset, "alternate")[0]["href"].endswith("report.pdf?version=2")  # from the model level
    assert targets_of(linkset, "https://gs1.org/voc/certificationInfo") == []
