"""GS1-Conformant Resolver Standard 1.0: one test per criterion, as GS1's resolver test suite checks them.

Criteria and check ids come from gs1/GS1DL-resolver-testsuite @ e3485a5b (``ConformantResolver1_0.txt`` and
``GS1DigitalLinkResolverTestSuite.js``); each test names the suite's id in its docstring. The suite itself needs an
https URL on the public internet and GS1's hosted proxy, so its checks are made here against the real views.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from core.public_address import PublicAddressError, check_production_base_url
from exporters.resolver.digital_link import gs1_file
from exporters.resolver.linkset import GS1_DEFAULT_LINK, GS1_DPP, GS1_PIP, MEDIA_TYPE, NOT_RELATIONS
from passports.models import Passport
from passports.services.passports import passport_publish
from tests.factories import ProductFactory, make_passport

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Media types of the IANA registry that our links use (application/vc+jwt: W3C VC-JOSE-COSE, registered 2025).
IANA_MEDIA_TYPES = {
    "text/html",
    "application/json",
    "application/ld+json",
    "application/vc+jwt",
    "application/pdf",
    "application/linkset+json",
}
#: GS1 link types we use, all in the ratified GS1 Web Vocabulary.
RATIFIED_GS1_LINK_TYPES = {"defaultLink", "pip", "dpp"}


@dataclass
class World:
    model: Passport
    item: Passport

    @property
    def model_path(self) -> str:
        return urlsplit(self.model.identifier).path

    @property
    def item_path(self) -> str:
        return urlsplit(self.item.identifier).path


def _published(tenant: Any, **fields: Any) -> Passport:
    passport = make_passport(tenant.org, **fields)
    passport_publish(passport=passport, by=tenant.owner)
    return passport


@pytest.fixture
def world(tenant: Any) -> World:
    product = ProductFactory(organization=tenant.org, name="EV battery pack")
    model = _published(tenant, product=product)
    item = _published(tenant, product=product, granularity="item", lot="L2603", serial="SN-0001", data={})
    return World(model=model, item=item)


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def linkset_of(client: APIClient, path: str) -> dict[str, Any]:
    response = client.get(path, {"linkType": "linkset"})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def default_href(linkset: dict[str, Any]) -> str:
    return str(linkset["linkset"][0][GS1_DEFAULT_LINK][0]["href"])


def without_link_type(location: str) -> str:
    split = urlsplit(location)
    query = [(k, v) for k, v in parse_qsl(split.query) if k != "linkType"]
    return split._replace(query="&".join(f"{k}={v}" for k, v in query)).geturl()


# --- Identification and syntax ---------------------------------------------------------------------------------


def test_c01_every_key_qualifier_of_the_gtin_is_supported(client: APIClient, world: World) -> None:
    """basicWalkUp: 'For primary keys that have key qualifiers, all key qualifiers SHALL be supported'; an unknown
    lot, serial or consumer product variant walks up the tree instead of answering 404."""
    for suffix in ("/10/KL8G", "/21/UNKNOWN", "/10/L2603/21/UNKNOWN", "/22/2A/10/KL8G"):
        response = client.get(world.model_path + suffix)
        assert response.status_code == 307, suffix
    assert client.get(world.item_path)["Location"].endswith("/dpp" + world.item_path)
    assert client.get(world.model_path + "/10/KL8G")["Location"] == default_href(linkset_of(client, world.model_path))


def test_c02_get_head_and_options_are_supported(client: APIClient, world: World) -> None:
    """methodsCheck: 'SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS requests.'"""
    get = client.get(world.model_path)
    head = client.head(world.model_path)
    assert get.status_code == head.status_code == 307
    assert head["Location"] == get["Location"]
    options = client.options(world.model_path)
    assert options.status_code == 204
    for response in (get, head, options):
        assert {"GET", "HEAD", "OPTIONS"} <= {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert client.post(world.model_path).status_code == 405


def test_c03_https_is_required_of_the_public_address(settings: Any, client: APIClient) -> None:
    """isHttps / tlsOK: 'SHALL support HTTP Over TLS (HTTPS)'. TLS is the web server's; what the platform owns is
    that production refuses any public address (written into every Digital Link) that is not https."""
    with pytest.raises(PublicAddressError, match="https://"):
        check_production_base_url("http://dpp.example.com")
    settings.PLATFORM_BASE_URL = "https://dpp.example.com"
    assert client.get("/.well-known/gs1resolver").json()["resolverRoot"] == "https://dpp.example.com"


def test_c04_cors_on_every_answer(client: APIClient, world: World) -> None:
    """corsCheck: 'SHALL support CORS' on the redirect, the linkset, the page and the data."""
    responses = [
        client.get(world.model_path),
        client.get(world.model_path, {"linkType": "linkset"}),
        client.get("/dpp" + world.model_path),
        client.get(world.model_path, {"format": "json"}),
        client.get(world.model_path, {"format": "jsonld"}),
        client.get("/.well-known/gs1resolver"),
        client.options("/dpp" + world.model_path),
    ]
    for response in responses:
        assert response["Access-Control-Allow-Origin"] == "*", response
        assert "Link" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("suffix", "rule"),
    [
        ("/foo", "not an AI/value pair"),  # GS1's own probe: the Digital Link with /foo appended
        ("/99/X", "not a key qualifier"),
        ("/21/SN-1/10/L1", "out of order"),
        ("/10/L1/10/L2", "out of order or repeated"),
        ("/10/" + "L" * 21, "at most 20"),
        ("/10/L~1", "character set 82"),
    ],
)
def test_c05_syntax_errors_answer_400(client: APIClient, world: World, suffix: str, rule: str) -> None:
    """reportWith400: 'SHALL extract and syntactically validate the URI and report errors with an HTTP response
    code of 400.'"""
    response = client.get(world.model_path + suffix)
    assert response.status_code == 400
    assert rule in response.json()["detail"]


@pytest.mark.parametrize("gtin", ["08801234567890", "0880123456789a", "12345", "00000000000000"])
def test_c05_a_bad_gtin_answers_400(client: APIClient, gtin: str) -> None:
    """reportWith400, on the primary key: a wrong check digit, a letter, a length that is no GTIN."""
    response = client.get(f"/01/{gtin}")
    assert response.status_code == 400
    assert "AI (01)" in response.json()["detail"]


def test_c06_no_error_is_answered_with_200(client: APIClient, world: World) -> None:
    """noErrorWith200: 'SHALL NOT use a 200 OK response code with a resource that indicates an error condition.'"""
    assert client.get(world.model_path + "/foo").status_code == 400
    assert client.get("/01/08800000000015").status_code == 404  # well formed, no passport
    assert client.get(world.model_path, {"linkType": "gs1:nosuchlt"}).status_code == 404
    assert client.get("/dpp/01/08800000000015").status_code == 404


def test_c07_compressed_links_are_decompressed_and_named_same_as(client: APIClient, world: World) -> None:
    """Compression: 'SHALL be able to decompress a URI', 'SHOULD NOT redirect to the equivalent uncompressed URI on
    the same resolver', 'SHALL expose the uncompressed URI in the Link response header with rel owl:sameAs'."""
    from gs1 import compress_gs1_digital_link

    compressed = urlsplit(compress_gs1_digital_link(world.item.identifier)).path
    assert compressed.count("/") == 1
    response = client.get(compressed)
    assert response.status_code == 307
    assert response["Location"] == client.get(world.item_path)["Location"]  # the default link, not the long URI
    assert f'<{world.item.identifier}>; rel="owl:sameAs"' in response["Link"]
    assert client.get("/AAAAAAAAAAAA").status_code == 404  # base64url, but no Digital Link


def test_c07_gs1s_published_compression_example_decodes() -> None:
    """The example of GS1 Digital Link URI Syntax: /ARHKVAdpQg is /01/09780345418913."""
    from exporters.resolver.digital_link import decompress_path

    assert decompress_path("ARHKVAdpQg") == "/01/09780345418913"
    assert decompress_path("not-compressed") is None


@pytest.mark.parametrize(
    ("compressed", "uncompressed"),
    [
        ("ARAB0b-AEA", "/01/08800000000008"),
        ("CxAB0b-AEMpe3Wm5CzpG_aaaag", "/01/08800000000008/10/L2603/21/SN-0001"),
        ("DBAB0b-AEM6Rv2mmmo", "/01/08800000000008/21/SN-0001"),
        ("ChAB0b-AEMSuogxF6g", "/01/08800000000008/22/V1/10/L1"),
    ],
)
def test_c07_links_compressed_by_gs1s_toolkit_decode(client: APIClient, compressed: str, uncompressed: str) -> None:
    """Made by GS1's own GS1DigitalLinkToolkit.js (compressGS1DigitalLink, with its optimisation codes): each
    decodes to its Digital Link, and the route takes it (404: no passport here, not 'no such page')."""
    from exporters.resolver.digital_link import decompress_path

    assert decompress_path(compressed) == uncompressed
    response = client.get(f"/{compressed}", {"linkType": "linkset"})
    assert response.status_code == 404


def test_a_path_of_ours_without_its_slash_still_gets_it(client: APIClient) -> None:
    """The compressed-link route must not swallow APPEND_SLASH: /organization goes on to /organization/."""
    response = client.get("/organization")
    assert response.status_code == 301
    assert response["Location"] == "/organization/"


def test_c08_link_type_linkset_answers_the_linkset_without_redirect(client: APIClient, world: World) -> None:
    """ltLinksetNoRedirect: with linkType=linkset 'the resolver SHALL NOT redirect the query and SHALL return the
    linkset.'"""
    response = client.get(world.model_path, {"linkType": "linkset"})
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert json.loads(response.content)["linkset"][0]["anchor"] == world.model.identifier


def test_c09_accept_linkset_json_answers_the_linkset_as_rfc_9264(client: APIClient, world: World) -> None:
    """ltAcceptHeader / declaredContentType: 'If the HTTP Accept header is application/linkset+json, the resolver
    SHALL return the linkset serialised as JSON as defined by RFC9264' (and not redirect)."""
    response = client.get(world.model_path, HTTP_ACCEPT=MEDIA_TYPE)
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert json.loads(response.content) == linkset_of(client, world.model_path)


def test_c10_the_deprecated_link_type_all_still_answers_the_linkset(client: APIClient, world: World) -> None:
    """ltAllNoRedirect: linkType=all was deprecated in resolver 1.0.0 for linkset; old clients still get it."""
    response = client.get(world.model_path, {"linkType": "all"})
    assert response.status_code == 200
    assert json.loads(response.content) == linkset_of(client, world.model_path)


def test_c11_an_item_linkset_includes_the_product_level_links(client: APIClient, world: World) -> None:
    """'If the request GS1 Digital Link URI includes one or more key qualifiers, any links associated with each
    level up to the primary key SHALL be included in the linkset.'"""
    contexts = linkset_of(client, world.item_path)["linkset"]
    assert [c["anchor"] for c in contexts] == [world.item.identifier, world.model.identifier]
    assert contexts[1][GS1_PIP][0]["href"].endswith("/dpp" + world.model_path)
    # An unknown serial: the product level alone answers.
    unknown = linkset_of(client, world.model_path + "/21/UNKNOWN")["linkset"]
    assert [c["anchor"] for c in unknown] == [world.model.identifier]


def test_c12_the_subject_of_the_linkset_is_the_uncompressed_uri(client: APIClient, world: World) -> None:
    """'The URI used as the subject of facts presented SHALL be the uncompressed version.'"""
    from gs1 import compress_gs1_digital_link

    compressed = urlsplit(compress_gs1_digital_link(world.item.identifier)).path
    response = client.get(compressed, {"linkType": "linkset"})
    assert json.loads(response.content)["linkset"][0]["anchor"] == world.item.identifier


def test_c13_every_link_has_a_target_a_type_and_a_title(client: APIClient, world: World) -> None:
    """'All links in the linkset SHALL include the target URL, the link type and a link title, and SHOULD include
    the human language(s).'"""
    for context in linkset_of(client, world.item_path)["linkset"]:
        relations = [r for r in context if r not in NOT_RELATIONS]
        assert relations
        for relation in relations:
            for link in context[relation]:
                assert link["href"].startswith(settings.PLATFORM_BASE_URL), (relation, link)
                assert link["title"], (relation, link)
        assert context[GS1_PIP][0]["hreflang"] == ["en", "ko"]


def test_c14_media_types_are_iana_registered(client: APIClient, world: World) -> None:
    """'If a media type is defined for a link, it SHALL be one defined by IANA.'"""
    for context in linkset_of(client, world.item_path)["linkset"]:
        for relation, links in context.items():
            if relation not in NOT_RELATIONS:
                assert {link["type"] for link in links if "type" in link} <= IANA_MEDIA_TYPES, relation


def test_c15_the_default_link_is_also_described_by_a_descriptive_type(client: APIClient, world: World) -> None:
    """'Links that are typed gs1:defaultLink or gs1:defaultLinkMulti SHALL also be described using a descriptive
    link type.'"""
    context = linkset_of(client, world.model_path)["linkset"][0]
    default = context[GS1_DEFAULT_LINK][0]["href"]
    assert default in {link["href"] for link in context[GS1_PIP]}
    assert default in {link["href"] for link in context[GS1_DPP]}


def test_c16_the_linkset_names_its_json_ld_context(client: APIClient, world: World) -> None:
    """linksetJsonldCheck: 'SHOULD include an HTTP Link header pointing to a JSON-LD context file with a rel type of
    http://www.w3.org/ns/json-ld#context that itself should be served with a media type of application/ld+json.'"""
    response = client.get(world.model_path, HTTP_ACCEPT=MEDIA_TYPE)
    link = next(part for part in response["Link"].split(", ") if "json-ld#context" in part)
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in link and 'type="application/ld+json"' in link
    context_url = link[link.index("<") + 1 : link.index(">")]
    served = client.get(urlsplit(context_url).path)
    assert served["Content-Type"] == "application/ld+json"
    assert served.content == gs1_file("gs1-linkset-context.jsonld")


def test_c17_exactly_one_default_link_with_a_title_and_nothing_else(client: APIClient, world: World) -> None:
    """defaultLinkExists / singleDefaulLink: 'exactly one default link ... it SHALL include a title, but SHALL NOT
    include other attributes.'"""
    for context in linkset_of(client, world.item_path)["linkset"]:
        (default,) = context[GS1_DEFAULT_LINK]
        assert set(default) == {"href", "title"}


def test_c18_a_plain_request_redirects_to_the_default_link(client: APIClient, world: World) -> None:
    """defaultTarget: 'the resolver SHALL redirect to that URL unless there is information supplied within the query
    to the contrary.' The Location is the default link's href exactly; the page it leads to is the passport."""
    for path in (world.model_path, world.item_path):
        response = client.get(path, HTTP_ACCEPT=BROWSER)
        assert response.status_code == 307
        assert response["Location"] == default_href(linkset_of(client, path))
        page = client.get(urlsplit(response["Location"]).path, HTTP_ACCEPT=BROWSER)
        assert page.status_code == 200 and "EV battery pack" in page.content.decode()
    assert client.get(world.model_path, HTTP_ACCEPT="*/*")["Location"] == default_href(
        linkset_of(client, world.model_path)
    )


def test_c19_every_request_uri_has_a_default_link_at_its_level_or_above(client: APIClient, world: World) -> None:
    """'For any request URI, no matter how granular, there SHALL be a default link at the entry level or higher.'"""
    for suffix in ("", "/10/L2603", "/10/L2603/21/SN-0001", "/21/SN-9", "/22/V1/10/X/21/Y"):
        linkset = linkset_of(client, world.model_path + suffix)
        assert any(GS1_DEFAULT_LINK in context for context in linkset["linkset"]), suffix


def test_c20_each_link_type_redirects_to_its_link(client: APIClient, world: World) -> None:
    """loFor<linkType>: 'SHALL redirect to the requested type of link if available', checked for every link type
    of the linkset the way GS1's suite asks: with the link's media type and language as Accept headers."""
    context = linkset_of(client, world.item_path)["linkset"][0]
    checked = 0
    for relation, links in context.items():
        if relation in NOT_RELATIONS or relation == GS1_DEFAULT_LINK:
            continue
        for link in links:
            headers = {"HTTP_ACCEPT": link.get("type", "*/*")}
            if link.get("hreflang"):
                headers["HTTP_ACCEPT_LANGUAGE"] = link["hreflang"][0]
            short = relation.replace("https://gs1.org/voc/", "gs1:")
            response = client.get(world.item_path, {"linkType": short}, **headers)
            if response.status_code == 300:
                continue  # links nothing in the request tells apart: criterion c24
            assert response.status_code == 307, (relation, link)
            assert without_link_type(response["Location"]) == link["href"], (relation, link)
            checked += 1
    assert checked >= 8


def test_c21_an_unavailable_link_type_is_404(client: APIClient, world: World) -> None:
    """specificLinkTypeNotFound: 'SHALL return a 404 Not Found message if a link of the requested type is not
    available.'"""
    for link_type in ("gs1:nosuchlt", "gs1:certificationInfo", "https://gs1.org/voc/recallStatus", "license"):
        assert client.get(world.model_path, {"linkType": link_type}).status_code == 404, link_type


def test_c22_the_query_string_is_passed_on_when_redirecting(client: APIClient, world: World) -> None:
    """qsPassedOn: 'By default, SHALL pass on all key=value pairs in the query string of the request URI (if
    present) when redirecting.'"""
    response = client.get(world.model_path + "?foo=bar&17=261231")
    assert response.status_code == 307
    assert response["Location"] == default_href(linkset_of(client, world.model_path)) + "?foo=bar&17=261231"
    typed = client.get(world.model_path + "?foo=bar&linkType=gs1:pip")
    assert "foo=bar" in typed["Location"] and "linkType" not in typed["Location"]


def test_c23_accept_and_accept_language_choose_among_links_of_one_type(client: APIClient, world: World) -> None:
    """'SHOULD support use of the Accept-Language and MAY support Accept HTTP Request Headers ... to disambiguate
    between multiple links of the same linkType', and a media type in Accept is information that makes a better
    match than the default link."""
    dpp = {link["type"]: link["href"] for link in linkset_of(client, world.model_path)["linkset"][0][GS1_DPP]}
    for media, href in dpp.items():
        response = client.get(world.model_path, {"linkType": "gs1:dpp"}, HTTP_ACCEPT=media)
        assert response["Location"] == href, media
    signed = client.get(world.model_path, HTTP_ACCEPT="application/vc+jwt")
    assert signed["Location"] == dpp["application/vc+jwt"]
    assert client.get(signed["Location"])["Content-Type"] == "application/vc+jwt"
    korean = client.get(world.model_path, {"linkType": "gs1:pip"}, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9")
    assert korean.status_code == 307


def test_c24_indistinguishable_links_answer_300_multiple_choices(client: APIClient, world: World) -> None:
    """'Where it is impossible to determine which of multiple links of the same link type is the best match, the
    resolver should return the list of the available links of that type with an HTTP response code of 300.'"""
    passport_publish_new_version(world)
    response = client.get(world.model_path, {"linkType": "version-history"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 300
    choices = json.loads(response.content)["linkset"][0]["choices"]
    assert [c["title"] for c in choices] == ["Version 1 (superseded)", "Version 2 (published)"]


def passport_publish_new_version(world: World) -> None:
    from passports.services.passports import passport_version_new

    owner = world.model.organization.memberships.get(role="owner").user
    passport_version_new(passport=world.model, by=owner)
    passport_publish(passport=world.model, by=owner)


def test_c25_the_resolver_description_file(client: APIClient) -> None:
    """rdFile: 'SHALL provide a resolver description file at /.well-known/gs1resolver'; 'the list of supported
    primary identifiers SHALL be provided'; 'a context file ... SHOULD be declared'."""
    response = client.get("/.well-known/gs1resolver", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    description = response.json()
    assert description["name"]
    assert description["resolverRoot"] == settings.PLATFORM_BASE_URL
    assert description["supportedPrimaryKeys"] == ["01"]
    assert description["jsonLdContextLocation"].endswith("/ns/gs1-linkset-context.jsonld")
    assert description["supportedLinkType"][0]["namespace"] == "https://gs1.org/voc/"


def test_c26_no_company_prefix_redirection_so_no_handled_by(client: APIClient, world: World) -> None:
    """'If supporting redirection based on an MO or Global Company Prefix ... SHALL be annotated with
    gs1:handledBy.' We answer every identifier ourselves: no handledBy link, no redirection to another resolver."""
    for context in linkset_of(client, world.item_path)["linkset"]:
        assert "https://gs1.org/voc/handledBy" not in context
    assert urlsplit(client.get(world.model_path)["Location"]).netloc == urlsplit(settings.PLATFORM_BASE_URL).netloc


def test_c27_a_trailing_slash_is_tolerated(client: APIClient, world: World) -> None:
    """trailingSlash: 'SHOULD tolerate trailing slashes ... the resolver SHOULD NOT fail if one is present'
    (GS1's check: the same status and Location with and without)."""
    for path in (world.model_path, world.item_path):
        plain, slashed = client.get(path), client.get(path + "/")
        assert (plain.status_code, plain["Location"]) == (slashed.status_code, slashed["Location"])


def test_c28_the_linkset_is_linked_even_when_redirecting(client: APIClient, world: World) -> None:
    """linkOnRedirect: 'SHOULD expose link to the linkset in an HTTP Link header, even when redirecting.'"""
    response = client.get(world.model_path)
    assert response.status_code == 307
    assert f'<{world.model.identifier}?linkType=linkset>; rel="linkset"' in response["Link"]


def test_c29_no_legacy_links_in_the_link_header(client: APIClient, world: World) -> None:
    """legacyLinkHeaders: listing every link in the Link header was deprecated in resolver 1.0.0."""
    for response in (client.get(world.model_path), client.get(world.model_path, {"linkType": "linkset"})):
        assert 'rel="gs1:' not in response["Link"]


def test_c30_gs1_link_types_are_read_in_each_gs1_namespace(client: APIClient, world: World) -> None:
    """'SHALL recognise the GS1 Web vocabulary namespace, noting its change management practice': gs1:pip,
    https://gs1.org/voc/pip, https://ref.gs1.org/voc/pip and https://www.gs1.org/voc/pip are one link type."""
    locations = {
        client.get(world.model_path, {"linkType": spelling}, HTTP_ACCEPT="text/html")["Location"]
        for spelling in (
            "gs1:pip",
            "https://gs1.org/voc/pip",
            "https://ref.gs1.org/voc/pip",
            "https://www.gs1.org/voc/pip",
        )
    }
    assert len(locations) == 1


def test_c31_the_linkset_validates_against_gs1s_schema(client: APIClient, world: World) -> None:
    """validLinkset: 'Linkset must be valid according to published JSON schema' (GS1's, shipped in the repo)."""
    schema = json.loads(gs1_file("gs1-linkset-schema.json"))
    for path in (world.model_path, world.item_path):
        jsonschema.Draft7Validator(schema).validate(linkset_of(client, path))


def test_c32_a_gtin_of_fewer_than_14_digits_is_redirected_to_14(client: APIClient, world: World) -> None:
    """validDL: 'As of version 1.4.0 ... all GTINs must be expressed as 14 digits'; a GTIN-13 is sent there."""
    short = world.item_path.replace("/01/0", "/01/", 1)
    response = client.get(short + "?foo=bar")
    assert response.status_code == 301
    assert response["Location"] == world.item_path + "?foo=bar"
    assert client.get("/dpp" + short)["Location"] == "/dpp" + world.item_path


def test_c33_gs1_link_types_are_ratified_ones(client: APIClient, world: World) -> None:
    """linkTypesDefined: 'Link types SHOULD be given as a URI defined in the GS1 Web vocabulary'; the others are
    IANA registered relation names (lower case, as GS1's schema requires)."""
    for context in linkset_of(client, world.item_path)["linkset"]:
        for relation in context:
            if relation in NOT_RELATIONS:
                continue
            if relation.startswith("https://gs1.org/voc/"):
                assert relation.removeprefix("https://gs1.org/voc/") in RATIFIED_GS1_LINK_TYPES
            else:
                assert relation in {
                    "describedby",
                    "version-history",
                    "latest-version",
                    "predecessor-version",
                    "successor-version",
                    "alternate",
                }, relation


def test_c34_head_answers_like_get_without_a_body(client: APIClient, world: World) -> None:
    """'SHALL support ... HEAD': the same status and headers as GET, on the linkset and the page too."""
    for path, query in ((world.model_path, {"linkType": "linkset"}), ("/dpp" + world.model_path, None)):
        get, head = client.get(path, query), client.head(path, query)
        assert get.status_code == head.status_code == 200
        assert head["Content-Type"] == get["Content-Type"]
        assert head.content == b""
