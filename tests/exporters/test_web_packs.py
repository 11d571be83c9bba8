"""Report pack pages: packing ticked passports or a whole import, the pack page and its polling, the ZIP,
roles, tenancy and query counts.

Celery runs eagerly in the test settings and packs are enqueued when the request's transaction commits, so
the requests that start one run inside ``django_capture_on_commit_callbacks(execute=True)``: the pack is
built by the time the redirect is answered, as with a fast worker.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exporters.models import ReportPack
from exporters.reports.packs import pack_build, pack_create
from exporters.reports.pdf import read_embedded_hash
from passports.models import Passport
from passports.services.passports import passport_publish
from tests.factories import ProductFactory, make_passport
from tests.passports.test_imports_services import gtin
from tests.passports.test_imports_services import run as import_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(media: Path) -> Path:
    return media


def published(org: Any, name: str = "Cell module") -> Passport:
    passport = make_passport(org, name=name)
    passport_publish(passport=passport)
    return passport


def built_pack(org: Any, passports: list[Passport], by: Any = None) -> ReportPack:
    pack = pack_create(org=org, passports=passports, lang="en", tier="public", source="selection", by=by)
    return pack_build(pack.pk)


def test_two_ticked_passports_make_a_pack_of_exactly_them(client: Client, tenant: Any, post: Any) -> None:
    chosen = [published(tenant.org, name=f"Ticked module {n}") for n in range(2)]
    left_out = published(tenant.org, name="Unticked module")
    client.force_login(tenant.editor)
    listing = client.get(reverse("passport-list-page")).content.decode()
    create_url = reverse("report-pack-create-page")
    assert f'action="{create_url}"' in listing and 'id="pack-form"' in listing
    assert f'name="passports" value="{left_out.pk}" form="pack-form"' in listing
    response = post(client, create_url, {"passports": [p.pk for p in chosen], "lang": "ko", "tier": "public"})
    pack = ReportPack.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report-pack-detail-page", args=[pack.pk])
    assert [item["passport"] for item in pack.items] == [p.pk for p in chosen]
    assert (pack.status, pack.done, pack.total, pack.lang, pack.created_by) == ("done", 2, 2, "ko", tenant.editor)
    page = client.get(response.url).content.decode()
    assert "Ticked module 0" in page and "Ticked module 1" in page and "Unticked module" not in page
    assert "2 selected passports" in page
    assert 'value="100"' in page and "hx-trigger" not in page  # done: no more polling
    download_url = reverse("report-pack-download-page", args=[pack.pk])
    assert download_url in page
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download)))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 2 and sorted(archive.namelist()) == sorted([*pdfs, "manifest.json"])
    manifest = json.loads(archive.read("manifest.json"))
    assert {entry["passport"] for entry in manifest["reports"]} == {p.pk for p in chosen}
    for entry in manifest["reports"]:
        assert read_embedded_hash(archive.read(entry["file"])) == entry["content_hash"]
    assert f'href="{response.url}"' in client.get(reverse("report-pack-list-page")).content.decode()


def test_a_pack_being_built_is_polled_and_a_finished_one_is_not(client: Client, tenant: Any) -> None:
    pack = pack_create(org=tenant.org, passports=[published(tenant.org)], lang="en", tier="public", source="test")
    client.force_login(tenant.viewer)
    progress = reverse("report-pack-progress-page", args=[pack.pk])
    fragment = client.get(progress).content.decode()
    assert f'hx-get="{progress}"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment
    assert reverse("report-pack-download-page", args=[pack.pk]) not in fragment
    assert "<noscript>" in client.get(reverse("report-pack-detail-page", args=[pack.pk])).content.decode()
    early = client.get(reverse("report-pack-download-page", args=[pack.pk]))
    assert early.status_code == 302 and early.url == reverse("report-pack-detail-page", args=[pack.pk])
    pack_build(pack.pk)
    finished = client.get(progress).content.decode()
    assert "hx-trigger" not in finished
    assert 'value="100"' in finished
    assert reverse("report-pack-download-page", args=[pack.pk]) in finished


def test_a_failed_pack_shows_its_error_and_offers_no_download(client: Client, tenant: Any) -> None:
    pack = pack_create(org=tenant.org, passports=[published(tenant.org)], lang="en", tier="public", source="test")
    ReportPack.objects.filter(pk=pack.pk).update(status="failed", error="passport 7 version 9 no longer exists")
    client.force_login(tenant.viewer)
    page = client.get(reverse("report-pack-detail-page", args=[pack.pk])).content.decode()
    assert "The pack could not be built." in page
    assert "passport 7 version 9 no longer exists" in page
    assert "hx-trigger" not in page
    assert reverse("report-pack-download-page", args=[pack.pk]) not in page


def test_viewers_read_packs_but_cannot_start_one(client: Client, tenant: Any, post: Any) -> None:
    passport = published(tenant.org)
    pack = built_pack(tenant.org, [passport])
    client.force_login(tenant.viewer)
    listing = client.get(reverse("passport-list-page")).content.decode()
    assert 'id="pack-form"' not in listing and 'name="passports"' not in listing
    refused = post(
        client, reverse("report-pack-create-page"), {"passports": [passport.pk], "lang": "en", "tier": "public"}
    )
    assert refused.status_code == 403
    assert ReportPack.objects.count() == 1
    assert client.get(reverse("report-pack-list-page")).status_code == 200
    assert client.get(reverse("report-pack-detail-page", args=[pack.pk])).status_code == 200
    assert client.get(reverse("report-pack-download-page", args=[pack.pk])).status_code == 200


def test_the_import_button_is_offered_for_a_committed_import_with_passports_only(
    client: Client, tenant: Any, post: Any
) -> None:
    for n in range(3):
        ProductFactory(organization=tenant.org, gtin=gtin(900 + n), category="battery")
    dry = import_file(tenant, "battery-decimal-comma.csv", kind="battery")
    products = import_file(tenant, "products-utf8.csv", mode="commit")
    job = import_file(tenant, "battery-decimal-comma.csv", kind="battery", mode="commit")
    assert job.committed and job.passports.count() == 3
    assert products.committed and not products.passports.exists()
    client.force_login(tenant.editor)
    button = "PDF pack of this import"
    for without in (dry, products):
        assert button not in client.get(reverse("import-detail-page", args=[without.pk])).content.decode()
    page = client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    assert button in page and f'name="import_job" value="{job.pk}"' in page
    client.force_login(tenant.viewer)
    assert button not in client.get(reverse("import-detail-page", args=[job.pk])).content.decode()
    client.force_login(tenant.editor)
    response = post(client, reverse("report-pack-create-page"), {"import_job": job.pk, "lang": "en", "tier": "public"})
    pack = ReportPack.objects.get()
    assert response.url == reverse("report-pack-detail-page", args=[pack.pk])
    assert {item["passport"] for item in pack.items} == set(job.passports.values_list("pk", flat=True))
    assert pack.status == "done"
    page = client.get(response.url).content.decode()
    assert f'href="{reverse("import-detail-page", args=[job.pk])}"' in page
    refused = post(client, reverse("report-pack-create-page"), {"import_job": dry.pk, "lang": "en", "tier": "public"})
    assert refused.status_code == 400
    assert "This import stored no passports" in refused.content.decode()


def test_a_form_that_does_not_hold_shows_its_errors_beside_the_fields(client: Client, tenant: Any) -> None:
    passport = published(tenant.org, name="Kept module")
    client.force_login(tenant.editor)
    url = reverse("report-pack-create-page")
    empty = client.post(url, {"lang": "en", "tier": "public"})
    assert empty.status_code == 400
    assert "Select at least one passport." in empty.content.decode()
    wrong = client.post(url, {"passports": [passport.pk], "lang": "fr", "tier": "everyone"}).content.decode()
    assert wrong.count('class="error-text"') == 2  # one beside the language, one beside the tier
    assert f'name="passports" value="{passport.pk}"' in wrong and "Kept module" in wrong  # the choice is kept
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ko"
    korean = client.post(url, {"lang": "en", "tier": "public"}).content.decode()
    assert "여권을 하나 이상 선택하세요." in korean
    assert not ReportPack.objects.exists()


def test_another_organizations_pack_and_passports_are_not_found(
    client: Client, tenant: Any, other_tenant: Any, post: Any
) -> None:
    passport = published(tenant.org, name="Secret module")
    pack = built_pack(tenant.org, [passport])
    client.force_login(other_tenant.owner)
    for name in ("report-pack-detail-page", "report-pack-progress-page", "report-pack-download-page"):
        assert client.get(reverse(name, args=[pack.pk])).status_code == 404
    assert (
        reverse("report-pack-detail-page", args=[pack.pk])
        not in client.get(reverse("report-pack-list-page")).content.decode()
    )
    response = post(
        client, reverse("report-pack-create-page"), {"passports": [passport.pk], "lang": "en", "tier": "public"}
    )
    assert response.status_code == 404
    assert ReportPack.objects.count() == 1


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pack_pages_do_not_query_per_pack_or_per_passport(client: Client, tenant: Any) -> None:
    client.force_login(tenant.editor)
    few = [published(tenant.org) for _ in range(2)]
    pack = built_pack(tenant.org, few, by=tenant.editor)  # its maker is shown: no query per pack for it
    detail = reverse("report-pack-detail-page", args=[pack.pk])
    listing = reverse("report-pack-list-page")
    client.get(listing)  # the session and the organization are warm from here on
    detail_queries = _queries(client, detail)
    list_queries = _queries(client, listing)
    assert detail_queries <= 10 and list_queries <= 10
    many = built_pack(tenant.org, [*few, *(published(tenant.org) for _ in range(4))], by=tenant.owner)
    for _ in range(4):
        built_pack(tenant.org, few, by=tenant.viewer)
    assert _queries(client, reverse("report-pack-detail-page", args=[many.pk])) == detail_queries
    assert _queries(client, listing) == list_queries
