"""Isolation rows of the bulk-operation routes (API jobs, their items; web job pages)."""

from __future__ import annotations

from typing import Any

from passports.models import BulkJob, BulkJobItem
from tests.factories import make_passport
from tests.routes.rows import Row


def job(tenant: Any) -> dict[str, Any]:
    """A pending job over one of the owner's passports, with an item naming it (a leak would show)."""
    passport = make_passport(tenant.org, name="OWNER-SECRET-PLANT bulk")
    found = BulkJob.objects.create(
        organization=tenant.org, operation="publish", targets=[passport.pk], total=1, source="OWNER-SECRET-PLANT"
    )
    BulkJobItem.objects.create(job=found, position=0, passport=passport, key="OWNER-SECRET-PLANT", outcome="refused")
    return {"pk": found.pk}


def model_passport(tenant: Any) -> dict[str, Any]:
    return {"pk": make_passport(tenant.org, name="OWNER-SECRET-PLANT model").pk}


def listed_job(tenant: Any) -> dict[str, Any]:
    job(tenant)
    return {}


ROWS: dict[str, Row] = {
    "bulk-job-list": Row("api_list", job, methods=("get", "post")),
    "bulk-job-detail": Row("api_object", job),
    "bulk-job-confirm": Row("api_object", job, methods=("post",)),
    "bulk-job-cancel": Row("api_object", job, methods=("post",)),
    "bulk-job-items": Row("api_object", job),
    "bulk-list-page": Row("web_page", listed_job),
    "bulk-create-page": Row("web_page", methods=("post",)),
    "bulk-detail-page": Row("web_object", job),
    "bulk-progress-page": Row("web_object", job),
    "bulk-confirm-page": Row("web_object", job, methods=("post",)),
    "bulk-cancel-page": Row("web_object", job, methods=("post",)),
    "bulk-items-page": Row("web_object", model_passport, methods=("get", "post")),
}
