"""Bad input that answered 500 now answers 400 in the error envelope, naming the field (issue 21, item 8).

Each case here was a server error on the attacked stack: a lot with CR/LF, integers beyond 2^53 (accepted, then
publication failed), a body nested too deep on PACT's ``/3/events``, an XLSX whose sheet is malformed, a PDF
that trips pypdf's limits; and export file names put a lot into ``Content-Disposition`` unescaped (RFC 6266).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from passports.models import Passport
from passports.services.passports import passport_draft_update
from tests.conftest import token_request
from tests.factories import ProductFactory, example_data, make_passport

pytestmark = pytest.mark.django_db


def _pointers(response: Any) -> set[str]:
    return {detail["pointer"] for detail in response.json()["error"]["details"]}


@pytest.mark.parametrize(("field", "value"), [("lot", "L1\r\nX"), ("lot", "L\n1"), ("serial", "S\r1")])
def test_a_lot_or_serial_with_cr_lf_names_the_field(tenant: Any, login_api: Any, field: str, value: str) -> None:
    product = ProductFactory(organization=tenant.org)
    body = {"product": product.pk, "granularity": "item", "schema": "battery/1.0", "data": {}, "serial": "S1"}
    body[field] = value
    response = login_api(tenant.editor).post("/api/v1/passports/", body)
    assert response.status_code == 400, response.content
    assert f"/{field}" in _pointers(response)
    assert not Passport.objects.filter(product=product).exists()


def test_numbers_beyond_2_53_are_refused_at_entry_with_their_pointer(tenant: Any, login_api: Any) -> None:
    data = example_data()
    data["general_product_information"]["battery_mass_kg"] = 2**53
    product = ProductFactory(organization=tenant.org)
    api = login_api(tenant.editor)
    response = api.post(
        "/api/v1/passports/", {"product": product.pk, "granularity": "model", "schema": "battery/1.0", "data": data}
    )
    assert response.status_code == 400, response.content
    assert _pointers(response) == {"/data/general_product_information/battery_mass_kg"}
    data["general_product_information"]["battery_mass_kg"] = 2**53 - 1  # the largest exact one is fine
    passport = make_passport(tenant.org)
    etag = api.get(f"/api/v1/passports/{passport.pk}/").headers["ETag"]
    patched = api.patch(f"/api/v1/passports/{passport.pk}/", {"data": {"x": [1, -(2**60)]}}, HTTP_IF_MATCH=etag)
    assert patched.status_code == 400
    assert _pointers(patched) == {"/data/x/1"}


def test_the_service_refuses_them_too_so_the_web_form_cannot_store_them(tenant: Any) -> None:
    version = make_passport(tenant.org).versions.get()
    with pytest.raises(ValidationError) as refused:
        passport_draft_update(version=version, data={"a": {"b": 2**62}}, if_match="*")
    assert "/a/b" in str(refused.value)


@pytest.fixture
def pact_client(tenant: Any, make_credentials: Any) -> APIClient:
    credentials = make_credentials(tenant.org, ("read", "write"), name="deep sender")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + token_request(credentials.basic()).json()["access_token"])
    return client


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_pact_events_are_a_400(pact_client: APIClient, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    body = (
        '{"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.v3", "specversion": "1.0", "id": "deep", '
        f'"source": "https://tool.example", "time": "2026-01-01T00:00:00Z", "data": {{"pfIds": [], "x": {deep}}}}}'
    )
    response = pact_client.post("/3/events", body, content_type="application/cloudevents+json")
    assert response.status_code == 400, response.content[:300]


def test_deep_json_on_the_api_is_a_parse_error(tenant: Any, login_api: Any) -> None:
    deep = "[" * 200 + "]" * 200
    body = '{"schema": "battery/1.0", "data": {"x": ' + deep + "}}"
    response = login_api(tenant.viewer).post("/api/v1/validate", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def _broken_xlsx() -> bytes:
    """A workbook that opens (valid container and workbook part) but whose first sheet is not XML."""
    workbook = Workbook()
    workbook.active.append(["gtin", "name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row'
            target.writestr(item, data)
    return rebuilt.getvalue()


def test_a_malformed_xlsx_sheet_is_a_400_naming_the_file(tenant: Any, login_api: Any) -> None:
    upload = SimpleUploadedFile("products.xlsx", _broken_xlsx())
    response = login_api(tenant.editor).post(
        "/api/v1/imports/", {"file": upload, "kind": "products"}, format="multipart"
    )
    assert response.status_code in {400, 415}, response.content  # 415: the import's answer for an unreadable file
    assert "/file" in _pointers(response)
    assert response.json()["error"]["code"] == "bad_xlsx"


def test_the_import_page_answers_a_malformed_xlsx_without_a_500(tenant: Any, client: Any) -> None:
    client.force_login(tenant.editor)
    upload = SimpleUploadedFile("products.xlsx", _broken_xlsx())
    response = client.post("/imports/", {"file": upload, "kind": "products"}, follow=True)
    assert response.status_code < 500


def _pdf_with_deep_keywords(depth: int) -> bytes:
    """A small PDF whose /Info dictionary nests arrays ``depth`` deep: pypdf gives up (limit or recursion)."""
    keywords = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Keywords " + keywords + b" >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_pdf_past_pypdfs_limits_is_not_a_500(tenant: Any, login_api: Any) -> None:
    upload = SimpleUploadedFile("report.pdf", _pdf_with_deep_keywords(20_000), content_type="application/pdf")
    response = login_api(tenant.viewer).post("/api/v1/reports/verify", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["outcome"] == "not_pdf"


def test_export_file_names_escape_the_lot(tenant: Any, login_api: Any) -> None:
    """A lot may hold '"' and ';' (GS1 character set 82): the file name is RFC 6266-encoded, not quoted raw."""
    from passports.services.passports import passport_publish

    product = ProductFactory(organization=tenant.org)
    model = make_passport(tenant.org, product=product)
    passport_publish(passport=model)
    batch = make_passport(tenant.org, product=product, granularity="batch", lot='L";x=1', data={})
    passport_publish(passport=batch)
    response = login_api(tenant.owner).get(f"/api/v1/passports/{batch.pk}/export", {"format": "json"})
    assert response.status_code == 200, response.content[:300]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert 'L\\";x=1' in disposition  # the quote escaped inside the quoted file name (RFC 6266, RFC 9110 5.6.4)
    assert json.loads(response.content)
