"""Tests for the report API, report packs (eager Celery), verification and QR codes made at publication."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from exporters.models import PassportQrCode, ReportPack
from exporters.reports import packs
from exporters.reports.pdf import read_embedded_hash
from exporters.reports.selectors import signing_info
from passports.models import Passport, PassportVersion
from passports.services.passports import passport_publish, passport_version_new
from tests.factories import ProductFactory, example_data, make_passport, make_published_passport
from tests.passports.test_imports_services import gtin
from tests.passports.test_imports_services import run as import_file

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_publication_makes_the_qr_code_once(tenant: Any) -> None:
    passport = make_published_passport(tenant.org)
    code = PassportQrCode.objects.get(passport=passport)
    assert code.uri == passport.identifier
    assert code.svg.startswith("<?xml")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow opens the PNG")
    decoded = zxingcpp.read_barcodes(image_module.open(io.BytesIO(bytes(code.png))))
    assert [result.text for result in decoded] == [passport.identifier]
    made = code.created_at
    passport_version_new(passport=passport)
    passport_publish(passport=passport)
    assert PassportQrCode.objects.get(passport=passport).created_at == made  # reused, not made again


def test_report_pdf_for_each_tier_and_language(tenant: Any, login_api: Any, django_assert_max_num_queries: Any) -> None:
    passport = make_published_passport(tenant.org)
    version = passport.versions.get(status="published")
    client = login_api(tenant.owner)
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/passports/{passport.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert read_embedded_hash(response.content) == version.content_hash
    public = _text(response.content)
    assert "Public" in public
    # The cover names the key that signed the version at publication, exactly when one did.
    key = signing_info(version)
    squeezed = "".join(public.split())
    if key is None:
        assert "Signing key ID" not in public
    else:
        assert "Signing key ID" in public
        assert "".join(key.key_id.split()) in squeezed
        assert "".join(key.fingerprint.split()) in squeezed
        assert key.verification_url.endswith(f"/orgs/{tenant.org.slug}/did.json")
    korean = client.get(f"/api/v1/passports/{passport.pk}/report.pdf?lang=ko&tier=authority")
    assert korean.status_code == 200
    assert "규제 당국" in _text(korean.content)
    assert client.get(f"/api/v1/passports/{passport.pk}/report.pdf?lang=fr").status_code == 400
    assert client.get(f"/api/v1/passports/{passport.pk}/report.pdf?tier=everyone").status_code == 400
    assert client.get(f"/api/v1/passports/{passport.pk}/report.pdf?version=9").status_code == 404


def test_report_of_an_older_version_says_it_was_superseded(tenant: Any, login_api: Any) -> None:
    passport = make_published_passport(tenant.org)
    passport_version_new(passport=passport, data=example_data("battery") | {})
    passport_publish(passport=passport)
    client = login_api(tenant.owner)
    old = client.get(f"/api/v1/passports/{passport.pk}/report.pdf?version=1")
    assert old.status_code == 200
    assert "Superseded by a newer version" in _text(old.content)
    assert "Published" in _text(client.get(f"/api/v1/passports/{passport.pk}/report.pdf").content)


def test_another_organizations_passport_is_not_found(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    passport = make_published_passport(tenant.org)
    client = login_api(other_tenant.owner)
    assert client.get(f"/api/v1/passports/{passport.pk}/report.pdf").status_code == 404
    assert client.get(f"/api/v1/cbam/{passport.pk}/report.json").status_code == 404
    response = client.post("/api/v1/reports/packs", {"passports": [passport.pk]}, format="json")
    assert response.status_code == 404


def test_verify_untouched_modified_and_unknown_reports(tenant: Any, other_tenant: Any, login_api: Any) -> None:
    passport = make_published_passport(tenant.org)
    owner = login_api(tenant.owner)
    pdf = owner.get(f"/api/v1/passports/{passport.pk}/report.pdf").content

    def verify(client: Any, content: bytes) -> dict[str, Any]:
        upload = io.BytesIO(content)
        upload.name = "report.pdf"
        response = client.post("/api/v1/reports/verify", {"file": upload}, format="multipart")
        assert response.status_code == 200, response.content
        return response.json()

    untouched = verify(owner, pdf)
    assert untouched["match"] is True
    assert untouched["outcome"] == "match"
    assert untouched["versions"][0]["identifier"] == passport.identifier
    # Change one byte inside the first page's content stream: the hash stays, the seal no longer fits.
    position = pdf.index(b"stream", pdf.index(b"/Contents")) + 40
    modified = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    result = verify(owner, modified)
    assert result["match"] is False
    assert result["outcome"] in {"modified", "not_pdf", "inconsistent"}
    # The report of another organization's passport is unknown to this caller (scoped lookup).
    assert verify(login_api(other_tenant.owner), pdf)["outcome"] == "unknown"
    assert verify(owner, b"%PDF-1.4 not really")["match"] is False
    assert owner.post("/api/v1/reports/verify", {}, format="multipart").status_code == 400


def test_verify_report_command(tenant: Any, login_api: Any, tmp_path: Path, capsys: Any) -> None:
    passport = make_published_passport(tenant.org)
    pdf = login_api(tenant.owner).get(f"/api/v1/passports/{passport.pk}/report.pdf?lang=ko").content
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf)
    call_command("verify_report", str(good))
    assert capsys.readouterr().out.startswith("match:")
    # Edit the metadata hash: no version has it, the footers disagree with it.
    version_hash = passport.versions.get(status="published").content_hash
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(pdf.replace(f"sha256:{version_hash}".encode(), b"sha256:" + b"0" * 64, 1))
    with pytest.raises(SystemExit) as exited:
        call_command("verify_report", str(edited))
    assert exited.value.code == 1
    assert capsys.readouterr().out.startswith("mismatch:")


def test_cbam_files_and_importer_summary(tenant: Any, login_api: Any) -> None:
    product = ProductFactory(organization=tenant.org, category="cbam-installation")
    data = example_data("cbam-installation", which=1)  # the bf-bof steel works
    passport = make_passport(tenant.org, category="cbam-installation", data=data, product=product)
    passport_publish(passport=passport)
    client = login_api(tenant.owner)
    as_json = client.get(f"/api/v1/cbam/{passport.pk}/report.json")
    assert as_json.status_code == 200
    document = json.loads(as_json.content)
    assert document["goods"][0]["specific_embedded_emissions"]["total"] == 2.2228
    assert "verification" not in document  # authority data, not in the default legitimate-interest tier
    assert "verification" in json.loads(client.get(f"/api/v1/cbam/{passport.pk}/report.json?tier=authority").content)
    xml = client.get(f"/api/v1/cbam/{passport.pk}/report.xml")
    assert xml.status_code == 200
    assert b"<cn_code>72083800</cn_code>" in xml.content
    pdf = client.get(f"/api/v1/cbam/{passport.pk}/report.pdf?lang=ko")
    assert pdf.status_code == 200
    assert read_embedded_hash(pdf.content) == passport.versions.get(status="published").content_hash
    assert client.get(f"/api/v1/cbam/{passport.pk}/report.json?tier=public").status_code == 400
    summary = client.post(
        f"/api/v1/cbam/{passport.pk}/importer-summary",
        {"quantities": [{"cn_code": "72083800", "quantity": 1000}]},
        format="json",
    )
    assert summary.status_code == 200, summary.content
    # 1,000 t x 2.2228 t CO2e/t = 2,222.8 t CO2e; certificates count direct only: 1,000 x 2.0885 = 2,088.5.
    assert summary.json()["totals"]["total"] == 2222.8
    assert summary.json()["totals"]["counted_for_certificates"] == 2088.5
    wrong = client.post(
        f"/api/v1/cbam/{passport.pk}/importer-summary",
        {"quantities": [{"cn_code": "2716", "quantity": 1}]},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"][0]["pointer"] == "/~1quantities~10~1cn_code"
    battery = make_published_passport(tenant.org)
    assert client.get(f"/api/v1/cbam/{battery.pk}/report.json").status_code == 400


def test_pack_through_the_api(
    tenant: Any, login_api: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    passports = [make_published_passport(tenant.org) for _ in range(3)]
    client = login_api(tenant.viewer)  # packs export what viewers may read
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/packs", {"passports": [p.pk for p in passports], "lang": "ko"}, format="json"
        )
    assert response.status_code == 202, response.content
    pack_id = response.json()["id"]
    detail = client.get(f"/api/v1/reports/packs/{pack_id}").json()
    assert detail["status"] == "done"  # eager Celery in this runtime: built on commit
    assert detail["done"] == detail["total"] == 3
    assert detail["progress"] == 1.0
    assert detail["download_url"].endswith(f"/api/v1/reports/packs/{pack_id}/download")
    download = client.get(f"/api/v1/reports/packs/{pack_id}/download")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    manifest = json.loads(archive.read("manifest.json"))
    names = sorted(archive.namelist())
    assert names == sorted([entry["file"] for entry in manifest["reports"]] + ["manifest.json"])
    assert len(names) == 4
    for entry in manifest["reports"]:
        pdf = archive.read(entry["file"])
        assert read_embedded_hash(pdf) == entry["content_hash"]
        assert "규정 준수 점검표" in _text(pdf)
    assert Path(media, "packs", str(tenant.org.pk)).is_dir()
    assert client.get("/api/v1/reports/packs").json()[0]["id"] == pack_id
    assert client.post("/api/v1/reports/packs", {"import_job": 12345}, format="json").status_code == 404
    assert client.post("/api/v1/reports/packs", {"passports": []}, format="json").status_code == 400


def test_pack_of_a_whole_import_holds_exactly_the_passports_it_wrote(
    tenant: Any, other_tenant: Any, login_api: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery")
    unrelated = make_published_passport(tenant.org)  # in the organization, not in the file: stays out of the pack
    dry = import_file(tenant, "battery-decimal-comma.csv", kind="battery")
    job = import_file(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    imported = set(
        Passport.objects.filter(organization=tenant.org).exclude(pk=unrelated.pk).values_list("pk", flat=True)
    )
    assert len(imported) == 3
    client = login_api(tenant.viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/packs", {"import_job": job.pk}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["source"] == f"import {job.pk}"
    download = client.get(f"/api/v1/reports/packs/{response.json()['id']}/download")
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert {entry["passport"] for entry in manifest["reports"]} == imported
    assert sorted(archive.namelist()) == sorted([entry["file"] for entry in manifest["reports"]] + ["manifest.json"])
    refused = client.post("/api/v1/reports/packs", {"import_job": dry.pk}, format="json")  # a dry run stores none
    assert refused.status_code == 400
    assert "stored no passports" in json.dumps(refused.json())
    stranger = login_api(other_tenant.owner)
    assert stranger.post("/api/v1/reports/packs", {"import_job": job.pk}, format="json").status_code == 404


def test_pack_build_resumes_after_a_failure_and_is_idempotent(tenant: Any, media: Path) -> None:
    passports = [make_published_passport(tenant.org) for _ in range(3)]
    pack = packs.pack_create(org=tenant.org, passports=passports, lang="en", tier="public", source="test")
    items = [dict(item) for item in pack.items]
    # The third version vanishes (as if deleted mid-build): two reports are made, then the build fails.
    broken = [*items[:2], {**items[2], "version": 10**9}]
    ReportPack.objects.filter(pk=pack.pk).update(items=broken)
    with pytest.raises(packs.PackBuildError):
        packs.pack_build(pack.pk)
    pack.refresh_from_db()
    assert pack.status == "failed"
    assert pack.done == 2
    staging = media / "packs" / ".staging" / str(pack.key)
    first = staging / items[0]["file"]
    stamp = first.stat().st_mtime_ns
    os.utime(first, ns=(stamp - 10**9, stamp - 10**9))
    ReportPack.objects.filter(pk=pack.pk).update(items=items)
    done = packs.pack_build(pack.pk)
    assert done.status == "done"
    assert done.attempts == 2
    assert done.done == 3
    assert not staging.exists()
    zipped = zipfile.ZipFile(Path(media) / done.file)
    assert sorted(zipped.namelist()) == sorted([item["file"] for item in items] + ["manifest.json"])
    digest = done.sha256
    again = packs.pack_build(pack.pk)  # a redelivered message: nothing to do
    assert again.sha256 == digest
    assert again.attempts == 2


def test_stalled_pack_is_enqueued_again_by_the_status_endpoint(
    tenant: Any, login_api: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    passport = make_published_passport(tenant.org)
    pack = packs.pack_create(org=tenant.org, passports=[passport], lang="en", tier="public", source="test")
    ReportPack.objects.filter(pk=pack.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(seconds=packs.stall_seconds() + 5)
    )
    assert packs.stalled_packs() == [ReportPack.objects.get(pk=pack.pk)]
    api = login_api(tenant.owner)
    # The resume goes through the outbox: sent once the request's transaction commits (eager: run at once).
    with django_capture_on_commit_callbacks(execute=True) as sent:
        api.get(f"/api/v1/reports/packs/{pack.pk}")
    assert sent
    assert api.get(f"/api/v1/reports/packs/{pack.pk}").json()["status"] == "done"
    assert packs.stalled_packs() == []


def test_draft_report_is_marked_as_draft(tenant: Any, login_api: Any) -> None:
    passport = make_passport(tenant.org)
    response = login_api(tenant.owner).get(f"/api/v1/passports/{passport.pk}/report.pdf")
    assert response.status_code == 200
    assert "Draft (not published)" in _text(response.content)
    version = PassportVersion.objects.get(passport=passport)
    assert read_embedded_hash(response.content) == version.content_hash


def test_signed_version_report_names_its_key(tenant: Any, login_api: Any) -> None:
    from django.apps import apps

    try:
        credential_model = apps.get_model("exporters", "IssuedCredential")
    except LookupError:
        pytest.skip("publication does not sign passports in this build")
    passport = make_published_passport(tenant.org)
    version = passport.versions.get(status="published")
    credential = credential_model.objects.filter(version=version).select_related("signing_key").first()
    if credential is None:
        pytest.skip("publication issued no credential (no signing key configured)")
    info = signing_info(version)
    assert info is not None
    assert info.key_id == credential.signing_key.kid
    assert info.fingerprint == credential.signing_key.fingerprint
    text = "".join(_text(login_api(tenant.owner).get(f"/api/v1/passports/{passport.pk}/report.pdf").content).split())
    assert "".join(info.key_id.split()) in text


def test_large_pack_is_spread_over_chunks(
    tenant: Any, media: Path, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from exporters.reports.tasks import build_report_pack

    monkeypatch.setattr(packs, "CHUNK_SIZE", 2)
    passports = [make_published_passport(tenant.org) for _ in range(5)]
    pack = packs.pack_create(org=tenant.org, passports=passports, lang="en", tier="public", source="chunks")
    assert packs.missing_chunks(pack) == [(0, 2), (2, 4), (4, 5)]
    # Two of the five are staged already (a run that died): only the chunks with missing reports remain.
    packs.pack_start(pack.pk)
    packs.pack_render_chunk(pack.pk, 0, 2)
    assert packs.missing_chunks(ReportPack.objects.get(pk=pack.pk)) == [(2, 4), (4, 5)]
    assert packs.pack_finish(pack.pk) is None  # not every report is staged yet
    build_report_pack.delay(pack.pk)  # eager here: each chunk runs at once, the last one zips
    done = ReportPack.objects.get(pk=pack.pk)
    assert done.status == "done"
    assert done.done == 5
    assert done.attempts == 2
    names = zipfile.ZipFile(Path(media) / done.file).namelist()
    assert sorted(names) == sorted([item["file"] for item in done.items] + ["manifest.json"])
