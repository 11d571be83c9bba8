"""Every case of WBCSD's PACT conformance tool (wbcsd/pact-conformance-service), v2.3 and v3.0, as a test of ours.

The tool itself is not run in CI (it is a Node service; docs/notes give the commands used against a live
server). Each test below does what the tool's case does, against the published OpenAPI files, and checks
what the tool checks (plus what the case is about when the tool only looks at the status). Test names carry
the tool's case key: ``test_case_12_request_created`` is ``TESTCASE#12``. Cases both suites share are
parametrized by version; v2.3 has 22 cases, v3.0 41.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from rest_framework.test import APIClient

from lca.pact.events import CONTENT_TYPE, TYPES
from lca.pact.services import sharing_create
from tests.conftest import token_request
from tests.factories import ProductFactory
from tests.lca.pact_support import assert_conforms, publish, validator

pytestmark = pytest.mark.django_db

VERSIONS = ["2", "3"]
EVENTS_CT = "application/cloudevents+json; charset=UTF-8"


@dataclass
class Host:
    """Our server as the tool sees it: a client that may read the owner's footprints, and what it lists."""

    credentials: Any
    api: APIClient
    footprints: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def first(self, version: str) -> dict[str, Any]:
        return self.footprints[version][0]


@pytest.fixture
def host(tenant: Any, other_tenant: Any, make_credentials: Any) -> Host:
    """Three footprints (one revised, so one is Deprecated), all shared with the tool's client."""
    first = publish(tenant.org)
    second = publish(tenant.org, cpc="41532")
    publish(tenant.org, product=second.product, total="9.5", cpc="41532")
    assert first.document_v2 is not None
    credentials = make_credentials(other_tenant.org, ("read",), name="conformance tool")
    sharing_create(org=tenant.org, partner=credentials.client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(credentials.basic()).json()["access_token"])
    found = Host(credentials=credentials, api=api)
    for version in VERSIONS:
        found.footprints[version] = json.loads(api.get(f"/{version}/footprints").content)["data"]
        assert len(found.footprints[version]) == 3
    return found


def _get(host: Host, url: str, version: str, path: str) -> Any:
    return assert_conforms(version, path, "get", host.api.get(url))


def _event(host: Host, version: str, body: dict[str, Any], api: APIClient | None = None) -> Any:
    return (api or host.api).post(f"/{version}/events", json.dumps(body), content_type=EVENTS_CT)


def _envelope(version: str, kind: str, data: dict[str, Any], source: str = "https://tool.example") -> dict[str, Any]:
    return {
        "type": TYPES[version][kind],
        "specversion": "1.0",
        "id": f"run-{kind}-{version}",
        "source": source,
        "time": "2026-01-01T00:00:00Z",
        "data": data,
    }


# -- authentication (cases 1, 2, 18, 19) ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_case_01_token_with_valid_credentials(version: str, host: Host) -> None:
    response = token_request(host.credentials.basic())
    assert response.status_code == 200
    assert response.json()["access_token"]


@pytest.mark.parametrize("version", VERSIONS)
def test_case_02_token_with_invalid_credentials(version: str, host: Host) -> None:
    from base64 import b64encode

    wrong = "Basic " + b64encode(b"nobody-at-all:not-a-secret").decode()
    assert token_request(wrong).status_code in {400, 401}


@pytest.mark.parametrize("version", VERSIONS)
def test_case_18_openid_connect_flow(version: str, host: Host) -> None:
    """The tool finds the token endpoint in the discovery document, then authenticates there."""
    document = APIClient().get("/.well-known/openid-configuration", secure=True).json()
    assert document["token_endpoint"] == "https://testserver/auth/token"
    assert "client_credentials" in document["grant_types_supported"]
    path = urlsplit(document["token_endpoint"]).path
    response = APIClient().post(
        path,
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=host.credentials.basic(),
        secure=True,
    )
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("version", VERSIONS)
def test_case_19_openid_connect_flow_with_incorrect_credentials(version: str, host: Host) -> None:
    from base64 import b64encode

    wrong = "Basic " + b64encode(f"{host.credentials.client_id}:wrong-secret".encode()).decode()
    assert token_request(wrong).status_code in {400, 401}


# -- reading (cases 3, 4, 5, 8) -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_case_03_get_footprint(version: str, host: Host) -> None:
    pf_id = host.first(version)["id"]
    body = _get(host, f"/{version}/footprints/{pf_id}", version, f"/{version}/footprints/{{id}}")
    assert body["data"]["id"] == pf_id


@pytest.mark.parametrize("version", VERSIONS)
def test_case_04_list_footprints(version: str, host: Host) -> None:
    body = _get(host, f"/{version}/footprints", version, f"/{version}/footprints")
    assert len(body["data"]) == len(host.footprints[version])


@pytest.mark.parametrize("version", VERSIONS)
def test_case_05_pagination_link(version: str, host: Host) -> None:
    first = host.api.get(f"/{version}/footprints?limit=1")
    link = first["Link"]
    target = urlsplit(link[1 : link.index(">")])
    assert target.netloc == "testserver"  # the tool strips its base URL off the link: same host
    body = _get(host, f"{target.path}?{target.query}", version, f"/{version}/footprints")
    assert len(body["data"]) == 1 and body["data"][0]["id"] == host.footprints[version][1]["id"]


@pytest.mark.parametrize("version", VERSIONS)
def test_case_08_get_footprint_with_non_existent_id(version: str, host: Host) -> None:
    response = host.api.get(f"/{version}/footprints/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == ("NoSuchFootprint" if version == "2" else "NotFound")


# -- invalid tokens (cases 6, 7, 16) -------------------------------------------------------------------------------


def _invalid_token_api() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer very-invalid-access-token-0123456789abcdef")
    return api


def _assert_unauthenticated(version: str, response: Any, path: str, method: str) -> None:
    # v2 answers 400 BadRequest; v3 401, code BadRequest as the tool expects (it accepts 400 or 401).
    assert response.status_code == (400 if version == "2" else 401)
    assert assert_conforms(version, path, method, response)["code"] == "BadRequest"


@pytest.mark.parametrize("version", VERSIONS)
def test_case_06_list_footprints_with_invalid_token(version: str, host: Host) -> None:
    response = _invalid_token_api().get(f"/{version}/footprints")
    _assert_unauthenticated(version, response, f"/{version}/footprints", "get")


@pytest.mark.parametrize("version", VERSIONS)
def test_case_07_get_footprint_with_invalid_token(version: str, host: Host) -> None:
    response = _invalid_token_api().get(f"/{version}/footprints/{host.first(version)['id']}")
    _assert_unauthenticated(version, response, f"/{version}/footprints/{{id}}", "get")


@pytest.mark.parametrize("version", VERSIONS)
def test_case_16_events_with_invalid_token(version: str, host: Host) -> None:
    body = _envelope(version, "published", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]})
    response = _event(host, version, body, api=_invalid_token_api())
    _assert_unauthenticated(version, response, f"/{version}/events", "post")


# -- plain HTTP (cases 9, 10, 11, 17) ------------------------------------------------------------------------------
# The server answers only over TLS in production (SECURE_SSL_REDIRECT; the loopback run serves TLS alone on its
# port). A plain-HTTP request is redirected to https and carries nothing back.


@pytest.fixture
def tls_only(settings: Any, host: Host) -> APIClient:
    """The tool's client, built after the setting changed (a test client builds its middleware once)."""
    settings.SECURE_SSL_REDIRECT = True
    api = APIClient()
    token = api.post(
        "/auth/token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=host.credentials.basic(),
        secure=True,
    ).json()["access_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def _assert_refused_over_http(response: Any) -> None:
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert b"data" not in response.content and b"access_token" not in response.content


@pytest.mark.parametrize("version", VERSIONS)
def test_case_09_authentication_over_http(version: str, host: Host, tls_only: APIClient) -> None:
    plain = APIClient().post(
        "/auth/token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=host.credentials.basic(),
    )
    _assert_refused_over_http(plain)


@pytest.mark.parametrize("version", VERSIONS)
def test_case_10_list_footprints_over_http(version: str, host: Host, tls_only: APIClient) -> None:
    _assert_refused_over_http(tls_only.get(f"/{version}/footprints"))
    assert tls_only.get(f"/{version}/footprints", secure=True).status_code == 200


@pytest.mark.parametrize("version", VERSIONS)
def test_case_11_get_footprint_over_http(version: str, host: Host, tls_only: APIClient) -> None:
    _assert_refused_over_http(tls_only.get(f"/{version}/footprints/{host.first(version)['id']}"))


@pytest.mark.parametrize("version", VERSIONS)
def test_case_17_events_over_http(version: str, host: Host, tls_only: APIClient) -> None:
    body = _envelope(version, "published", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]})
    _assert_refused_over_http(_event(host, version, body, api=tls_only))


# -- events (cases 12 to 15, 21 / 40) ------------------------------------------------------------------------------


class _Requester(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]]

    def do_POST(self) -> None:  # http.server's handler name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def requester() -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """The tool's own events endpoint (its webhook URL is the request's ``source``), on 127.0.0.1."""
    received: list[tuple[str, dict[str, Any]]] = []
    handler = type("Requester", (_Requester,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def _request_data(version: str, product_ids: list[str]) -> dict[str, Any]:
    if version == "2":
        return {"pf": {"productIds": product_ids}, "comment": "Please send PCF data for this year."}
    return {"productId": product_ids, "comment": "Please send PCF data for this year."}


def _send_request(host: Host, version: str, product_ids: list[str], source: str, capture: Any, *, key: str) -> Any:
    body = _envelope(version, "created", _request_data(version, product_ids), source=source)
    body["id"] = f"test-run-id/{key}"
    with capture(execute=True):
        response = _event(host, version, body)
    return response


@pytest.mark.parametrize("version", VERSIONS)
def test_case_12_request_created_is_accepted(
    version: str, host: Host, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source, _received = requester
    product_ids = host.first(version)["productIds"]
    response = _send_request(host, version, product_ids, source, django_capture_on_commit_callbacks, key="12")
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("version", VERSIONS)
def test_case_13_request_fulfilled_reaches_the_requester(
    version: str, host: Host, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The answer goes to the events endpoint the request's ``source`` names, with no one registering it."""
    source, received = requester
    product_ids = host.first(version)["productIds"]
    _send_request(host, version, product_ids, source, django_capture_on_commit_callbacks, key="12")
    assert len(received) == 1
    path, event = received[0]
    assert path == f"/{version}/events"
    errors = [e.message for e in validator(version, "/components/schemas/RequestFulfilledEvent").iter_errors(event)]
    assert not errors, errors
    assert event["data"]["requestEventId"] == "test-run-id/12"
    assert any(pid in pf["productIds"] for pf in event["data"]["pfs"] for pid in product_ids)
    assert all(pf["status"] == "Active" for pf in event["data"]["pfs"])


@pytest.mark.parametrize("version", VERSIONS)
def test_case_14a_request_to_be_rejected_is_accepted(
    version: str, host: Host, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source, _received = requester
    response = _send_request(host, version, ["urn:pact:null"], source, django_capture_on_commit_callbacks, key="14.A")
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("version", VERSIONS)
def test_case_14b_request_rejected_reaches_the_requester(
    version: str, host: Host, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source, received = requester
    _send_request(host, version, ["urn:pact:null"], source, django_capture_on_commit_callbacks, key="14.A")
    path, event = received[0]
    assert path == f"/{version}/events"
    errors = [e.message for e in validator(version, "/components/schemas/RequestRejectedEvent").iter_errors(event)]
    assert not errors, errors
    assert event["data"]["requestEventId"] == "test-run-id/14.A"
    assert event["data"]["error"]["code"] == "NotFound" and event["data"]["error"]["message"]


@pytest.mark.parametrize("version", VERSIONS)
def test_case_15_published_event(version: str, host: Host, django_capture_on_commit_callbacks: Any) -> None:
    body = _envelope(version, "published", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]})
    with django_capture_on_commit_callbacks(execute=True):
        response = _event(host, version, body)
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize(("version", "case"), [("2", "21"), ("3", "40")])
def test_case_21_and_40_malformed_published_event(version: str, case: str, host: Host) -> None:
    """v2.3 case 21 and v3.0 case 40: ``pfIds`` that are not footprint ids are refused at once."""
    for data in ({"pfIds": ["urn:gtin:4712345060507"]}, {"pfIds": []}, {}):
        response = _event(host, version, _envelope(version, "published", data))
        assert assert_conforms(version, f"/{version}/events", "post", response)["code"] == "BadRequest", data


@pytest.mark.parametrize("version", VERSIONS)
def test_request_without_criteria_is_refused_at_once(version: str, host: Host) -> None:
    data: dict[str, Any] = {"pf": {}} if version == "2" else {"comment": "anything"}
    response = _event(host, version, _envelope(version, "created", data))
    assert assert_conforms(version, f"/{version}/events", "post", response)["code"] == "BadRequest"
    assert "criteria" in json.loads(response.content)["message"]


# -- v2.3 filtering (case 20) ----------------------------------------------------------------------------------------


def test_v2_case_20_filter(host: Host) -> None:
    created = host.first("2")["created"]
    expression = quote(f"created ge '{created}'")
    body = _get(host, f"/2/footprints?$filter={expression}", "2", "/2/footprints")
    assert body["data"] and all(pf["created"] >= created for pf in body["data"])


def test_v2_filter_subset(host: Host) -> None:
    """The rest of the v2 ``$filter`` subset: eq on the list properties through any, the CPC, geography."""
    first = host.first("2")

    def ids(expression: str) -> set[str]:
        return {
            pf["id"] for pf in _get(host, f"/2/footprints?$filter={quote(expression)}", "2", "/2/footprints")["data"]
        }

    every = {pf["id"] for pf in host.footprints["2"]}
    product = first["productIds"][0]
    assert ids(f"productIds/any(productId:(productId eq '{product}'))") == {first["id"]}
    assert ids(f"companyIds/any(c:(c eq '{first['companyIds'][0]}'))") == every
    assert ids("productCategoryCpc eq '41532'") == every - {first["id"]}
    assert ids("pcf/geographyCountry eq 'KR' and productCategoryCpc eq '46410'") == {first["id"]}
    assert ids("pcf/geographyRegionOrSubregion eq '142'") == every  # Asia holds KR
    assert ids("pcf/geographyCountry eq 'DE'") == set()
    last = max(pf["created"] for pf in host.footprints["2"])
    assert ids(f"created lt '{last}'") == {pf["id"] for pf in host.footprints["2"] if pf["created"] < last}
    for broken in ("created ge", "nonsense eq 'x'", "created ge 'yesterday'", "productCategoryCpc gt '1'"):
        response = host.api.get(f"/2/footprints?$filter={quote(broken)}")
        assert assert_conforms("2", "/2/footprints", "get", response)["code"] == "BadRequest", broken


# -- v3.0 filtering (cases 20 to 39) ---------------------------------------------------------------------------------


def _v3(host: Host, query: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _get(host, f"/3/footprints?{query}", "3", "/3/footprints")["data"]
    return data


def _day(text: str, days: int) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")) + timedelta(days=days)
    return moment.isoformat().replace("+00:00", "Z")


def test_v3_case_20_product_id(host: Host) -> None:
    wanted = host.first("3")["productIds"][0]
    found = _v3(host, f"productId={quote(wanted)}")
    assert found and all(wanted in pf["productIds"] for pf in found)


def test_v3_case_21_company_id(host: Host) -> None:
    wanted = host.first("3")["companyIds"][0]
    found = _v3(host, f"companyId={quote(wanted)}")
    assert len(found) == 3 and all(wanted in pf["companyIds"] for pf in found)


def test_v3_case_22_geography(host: Host) -> None:
    wanted = host.first("3")["pcf"]["geographyCountry"]
    found = _v3(host, f"geography={wanted}")
    assert len(found) == 3 and all(pf["pcf"]["geographyCountry"] == wanted for pf in found)
    assert len(_v3(host, "geography=142")) == 3  # UN M49 Asia holds KR
    assert len(_v3(host, "geography=030")) == 3  # Eastern Asia
    assert _v3(host, "geography=150") == []  # Europe does not
    assert _v3(host, "geography=KR-11") == []  # a subdivision filter matches that subdivision only


def test_v3_case_23_classification(host: Host) -> None:
    wanted = host.first("3")["productClassifications"][0]
    found = _v3(host, f"classification={quote(wanted)}")
    assert found and all(wanted in pf["productClassifications"] for pf in found)


def test_v3_case_24_valid_on(host: Host) -> None:
    on = host.first("3")["validityPeriodStart"]
    found = _v3(host, f"validOn={quote(on)}")
    assert found and all(pf["validityPeriodStart"] <= on <= pf["validityPeriodEnd"] for pf in found)


def test_v3_case_25_valid_after(host: Host) -> None:
    after = _day(host.first("3")["validityPeriodStart"], -1)
    found = _v3(host, f"validAfter={quote(after)}")
    assert found and all(pf["validityPeriodStart"] > after for pf in found)


def test_v3_case_26_valid_before(host: Host) -> None:
    before = _day(host.first("3")["validityPeriodEnd"], 1)
    found = _v3(host, f"validBefore={quote(before)}")
    assert found and all(pf["validityPeriodEnd"] < before for pf in found)


def test_v3_case_27_status(host: Host) -> None:
    found = _v3(host, "status=Active")
    assert len(found) == 2 and all(pf["status"] == "Active" for pf in found)
    assert [pf["status"] for pf in _v3(host, "status=Deprecated")] == ["Deprecated"]


def test_v3_case_28_status_and_product_id(host: Host) -> None:
    wanted = host.first("3")["productIds"][0]
    found = _v3(host, f"status=Active&productId={quote(wanted)}")
    assert found and all(pf["status"] == "Active" and wanted in pf["productIds"] for pf in found)


def test_v3_case_29_company_id_or(host: Host) -> None:
    """The tool ORs a real companyId with random words that are no URNs: those match nothing, not 400."""
    wanted = host.first("3")["companyIds"][0]
    found = _v3(host, f"companyId={quote(wanted)}&companyId=Xk3fP0aQ&companyId=b7Hc2LmZ")
    assert len(found) == 3 and all(wanted in pf["companyIds"] for pf in found)


@pytest.mark.parametrize(
    ("case", "query"),
    [
        ("30", "productId=urn:bogus:product:abcdefghijklmnop"),
        ("31", "companyId=urn:bogus:company:abcdefghijklmnop"),
        ("32", "geography=XX"),
        ("33", "classification=urn:bogus:classification:abcdefghijklmnop"),
        ("34", "validOn=1900-01-01T00:00:00Z"),
        ("35", "validAfter=2099-12-31T23:59:59Z"),
        ("36", "validBefore=1900-01-01T00:00:00Z"),
        ("37", "status=BogusStatusAbCdEfGh"),
        ("38", "companyId=urn:bogus:company:abcdefgh&productId=urn:bogus:product:abcdefghijklmnop"),
        ("39", "companyId=urn:bogus:company:a1&companyId=urn:bogus:company:b2&companyId=urn:bogus:company:c3"),
    ],
)
def test_v3_cases_30_to_39_negative_filters(case: str, query: str, host: Host) -> None:
    response = host.api.get(f"/3/footprints?{query}")
    assert response.status_code == 200, case
    assert json.loads(response.content) == {"data": []}, case


# -- request criteria (issue: a request for DE was fulfilled with a KR footprint) ------------------------------------


@pytest.mark.parametrize(
    ("criteria", "answered"),
    [
        ({"geography": ["DE"]}, "rejected"),
        ({"geography": ["KR"]}, "fulfilled"),
        ({"status": ["Deprecated"]}, "fulfilled"),
        ({"companyId": ["urn:pact:company:dpp:acme-cells"]}, "fulfilled"),
        ({"classification": ["urn:pact:productclassification:un-cpc:99999"]}, "rejected"),
        ({"validOn": "1900-01-01T00:00:00Z"}, "rejected"),
    ],
)
def test_v3_request_applies_every_criterion(
    criteria: dict[str, Any], answered: str, host: Host, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source, received = requester
    body = _envelope("3", "created", criteria, source=source)
    with django_capture_on_commit_callbacks(execute=True):
        assert _event(host, "3", body).status_code == 200
    _path, event = received[0]
    assert event["type"] == TYPES["3"][answered]
    if answered == "fulfilled":
        pfs = event["data"]["pfs"]
        if "status" in criteria:
            assert [pf["status"] for pf in pfs] == ["Deprecated"]
        else:
            assert pfs and all(pf["status"] == "Active" for pf in pfs)
        if "geography" in criteria:
            assert all(pf["pcf"]["geographyCountry"] == "KR" for pf in pfs)


def test_answer_to_an_unreachable_source_is_refused_by_the_outbound_guard(
    host: Host, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The answer's destination comes from the request, so the SSRF guard still decides where it may go."""
    from lca.pact.models import PactEvent

    settings.OUTBOUND_ALLOWLIST = []
    body = _envelope("3", "created", {"productId": host.first("3")["productIds"]}, source="http://127.0.0.1:9/")
    with django_capture_on_commit_callbacks(execute=True):
        assert _event(host, "3", body).status_code == 200
    answer = PactEvent.objects.get(direction=PactEvent.Direction.OUTBOUND)
    assert answer.deliver_to == "http://127.0.0.1:9/3/events"
    assert answer.status == PactEvent.Status.FAILED and "Refused outbound address" in answer.last_error


def test_products_of_other_organizations_stay_out_of_answers(
    host: Host, other_tenant: Any, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hidden = publish(other_tenant.org, product=ProductFactory(organization=other_tenant.org))
    source, received = requester
    body = _envelope("3", "created", {"productId": [f"urn:gtin:{hidden.product.gtin}"]}, source=source)
    with django_capture_on_commit_callbacks(execute=True):
        _event(host, "3", body)
    assert received[0][1]["type"] == TYPES["3"]["rejected"]


def test_events_content_type_with_charset_is_accepted(host: Host) -> None:
    body = _envelope("3", "published", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]})
    response = host.api.post("/3/events", json.dumps(body), content_type=f"{CONTENT_TYPE}; charset=UTF-8")
    assert response.status_code == 200


def test_partner_client_command_gives_credentials_that_read_the_footprints(tenant: Any, other_tenant: Any) -> None:
    """``manage.py pact_partner_client``: the conformance tool's client in one step, no Python shell."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    publish(tenant.org)
    out = StringIO()
    call_command("pact_partner_client", org=tenant.org.slug, partner=other_tenant.org.slug, stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    from base64 import b64encode

    basic = "Basic " + b64encode(f"{lines['client_id']}:{lines['client_secret']}".encode()).decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(basic).json()["access_token"])
    assert len(json.loads(api.get("/3/footprints").content)["data"]) == 1
    with pytest.raises(CommandError, match="--partner"):
        call_command("pact_partner_client", org=tenant.org.slug, partner="nobody")


def test_deliver_command_sends_due_answers_and_expires_unanswered_requests(
    host: Host, requester: Any, settings: Any
) -> None:
    """An answer whose first attempt failed is sent again by ``manage.py pact_deliver`` once its back-off has
    passed; our own request nobody answered within the expiry shows expired."""
    from datetime import UTC
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from lca.pact.models import PactEvent
    from lca.pact.tasks import REQUEST_EXPIRY

    source, received = requester
    body = _envelope("3", "created", {"productId": host.first("3")["productIds"]}, source=source)
    assert _event(host, "3", body).status_code == 200  # handled at commit: not run in this test's transaction
    from lca.pact.tasks import event_handle

    inbound = PactEvent.objects.get(direction=PactEvent.Direction.INBOUND, event_id=body["id"])
    event_handle(event_id=inbound.pk)
    answer = PactEvent.objects.get(direction=PactEvent.Direction.OUTBOUND, in_reply_to=inbound)
    PactEvent.objects.filter(pk=answer.pk).update(
        status=PactEvent.Status.RETRYING, attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    stale = PactEvent.objects.create(
        organization=answer.organization,
        direction=PactEvent.Direction.OUTBOUND,
        spec_version="3",
        event_id="our-old-request",
        event_type=TYPES["3"]["created"],
        source="https://us.example/3/events",
        payload={},
        status=PactEvent.Status.DELIVERED,
    )
    PactEvent.objects.filter(pk=stale.pk).update(created_at=datetime.now(UTC) - REQUEST_EXPIRY - timedelta(days=1))
    out = StringIO()
    call_command("pact_deliver", stdout=out)
    assert "1 due event(s) sent again" in out.getvalue()
    answer.refresh_from_db()
    stale.refresh_from_db()
    assert (answer.status, answer.attempts) == (PactEvent.Status.DELIVERED, 2)
    assert received and received[0][1]["data"]["requestEventId"] == body["id"]
    assert stale.status == PactEvent.Status.EXPIRED
