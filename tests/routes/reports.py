"""Isolation rows of the compliance-report routes (reports, CBAM files, packs and their pages, verification)."""

from __future__ import annotations

from typing import Any

from exporters.reports.packs import pack_build, pack_create
from tests.factories import ProductFactory, make_passport
from tests.routes.rows import Row


def passport(tenant: Any) -> dict[str, Any]:
    return {"pk": make_passport(tenant.org, name="OWNER-SECRET-PASSPORT").pk}


def cbam(tenant: Any) -> dict[str, Any]:
    product = ProductFactory(organization=tenant.org, category="cbam-installation", name="OWNER-SECRET-PLANT")
    return {"pk": make_passport(tenant.org, category="cbam-installation", product=product).pk, "fmt": "json"}


def cbam_summary(tenant: Any) -> dict[str, Any]:
    return {"pk": cbam(tenant)["pk"]}


def pack(tenant: Any) -> dict[str, Any]:
    built = pack_create(
        org=tenant.org,
        passports=[make_passport(tenant.org, name="OWNER-SECRET-PASSPORT")],
        lang="en",
        tier="public",
        source="OWNER-SECRET-PACK",
    )
    pack_build(built.pk)
    return {"pk": built.pk}


def listed_pack(tenant: Any) -> dict[str, Any]:
    """The pack list page: the owner's pack exists (so a leak would show) but the page takes no kwargs."""
    pack(tenant)
    return {}


ROWS: dict[str, Row] = {
    "passport-report-pdf": Row("api_object", passport),
    "cbam-report": Row("api_object", cbam),
    "cbam-importer-summary": Row("api_object", cbam_summary, methods=("post",)),
    "report-pack-list": Row("api_list", pack, methods=("get", "post")),
    "report-pack-detail": Row("api_object", pack),
    "report-pack-download": Row("api_object", pack),
    "report-verify": Row("api_list", methods=("post",)),
    # The web pages of packs (exporters/web/packs.py)
    "report-pack-list-page": Row("web_page", listed_pack),
    "report-pack-create-page": Row("web_page", methods=("post",)),
    "report-pack-detail-page": Row("web_object", pack),
    "report-pack-progress-page": Row("web_object", pack),
    "report-pack-download-page": Row("web_object", pack),
}
