"""Demo imports: a checked products file with two bad rows, so the import pages have something to show."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from passports import identifiers
from passports.imports.services import import_job_create, import_job_run
from passports.models import ImportJob

DEMO_FILE = "hanbit-modules-2026.csv"


def _gtin(n: int) -> str:
    body = f"88012349{n:04d}"  # under Hanbit's GS1 Company Prefix 8801234
    return body + str(identifiers.gs1_check_digit(body))


def demo_products_csv() -> bytes:
    """Twelve battery modules as a partner's ERP would export them through Korean Excel: the category in
    Korean on every other row (read as ``battery``), the eighth with a mistyped GTIN and the eleventh with a
    GTIN that Excel saved in scientific notation (its digits lost; the error report says so)."""
    lines = ["gtin,name,name_ko,category,cn_code,brand"]
    for n in range(1, 13):
        gtin = _gtin(n)
        if n == 8:
            gtin = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
        if n == 11:
            gtin = f"{gtin[0]}.{gtin[1:6]}E+{len(gtin) - 1:02d}"
        category = "배터리" if n % 2 else "battery"
        lines.append(f"{gtin},Battery module M{n:02d},배터리 모듈 M{n:02d},{category},85076000,Hanbit")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def seed_imports(tenants: Any) -> ImportJob:
    """A dry run of the demo file for the battery maker (idempotent: made once, stores no products)."""
    found = ImportJob.objects.filter(organization=tenants.maker, original_name=DEMO_FILE).first()
    if found is not None:
        return found
    job = import_job_create(
        org=tenants.maker,
        by=tenants.users.get("editor"),
        upload=ContentFile(demo_products_csv(), name=DEMO_FILE),
        kind="products",
        mode=ImportJob.Mode.DRY_RUN,
        enqueue=False,
    )
    return import_job_run(job_id=job.pk)
