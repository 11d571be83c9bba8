"""Isolation rows of the import routes (jobs, their error reports, templates, column mappings)."""

from __future__ import annotations

from typing import Any

from passports.models import ColumnMapping, ImportJob, ImportRowError
from tests.routes.rows import Row


def job(tenant: Any) -> dict[str, Any]:
    found = ImportJob.objects.create(
        organization=tenant.org,
        kind="products",
        file="imports/owner-secret.csv",
        original_name="OWNER-SECRET-PLANT.csv",
        status=ImportJob.Status.DONE,
    )
    ImportRowError.objects.create(
        job=found, row=2, column="name", value="OWNER-SECRET-PLANT", message_en="bad", message_ko="오류"
    )
    return {"pk": found.pk}


def mapping(tenant: Any) -> dict[str, Any]:
    found = ColumnMapping.objects.create(
        organization=tenant.org, kind="products", name="OWNER-SECRET-PLANT", mapping={"Artikelnummer": "gtin"}
    )
    return {"pk": found.pk}


def template(tenant: Any) -> dict[str, Any]:
    return {"kind": "battery", "fmt": "csv"}


ROWS: dict[str, Row] = {
    "import-list": Row("api_list", job, methods=("get", "post")),
    "import-detail": Row("api_object", job),
    "import-errors-csv": Row("api_object", job),
    "import-errors-xlsx": Row("api_object", job),
    "import-template": Row("public", template),
    "import-mapping-list": Row("api_list", mapping, methods=("get", "post")),
    "import-mapping-detail": Row("api_object", mapping, methods=("get", "put", "patch", "delete")),
}
