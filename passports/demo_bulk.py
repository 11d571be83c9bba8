"""Demo of bulk operations for ``seed_demo``: one finished job that created and published item passports.

The maker's first published battery model gets five serial-numbered item passports from a range, the way a
compliance manager registers a production run in one step instead of five visits to the editor; the job page
shows its full progress bar and counts.
"""

from __future__ import annotations

from passports.demo import DemoTenants
from passports.models import BulkJob, Passport, PassportVersion
from passports.services import bulk

DEMO_SOURCE = "Demo: production run P96B2604"


def seed_bulk(tenants: DemoTenants) -> BulkJob | None:
    """The finished demo job (made once; later runs return the existing one)."""
    existing = BulkJob.objects.filter(organization=tenants.maker, source=DEMO_SOURCE).first()
    if existing is not None:
        return existing
    model = (
        Passport.objects.filter(
            organization=tenants.maker,
            granularity=Passport.Granularity.MODEL,
            schema__category="battery",
            versions__status=PassportVersion.Status.PUBLISHED,
        )
        .order_by("pk")
        .first()
    )
    if model is None:
        return None
    owner = tenants.users["owner"]
    job = bulk.bulk_job_create(
        org=tenants.maker,
        by=owner,
        operation=BulkJob.Operation.CREATE_ITEMS,
        parent=model,
        serials=bulk.serials_from_range(prefix="P96B2604", first=1, last=5, width=4),
        publish_created=True,
        selection=bulk.Selection(source=DEMO_SOURCE),
    )
    bulk.bulk_job_confirm(job=job, by=owner, enqueue=False)
    return bulk.bulk_job_run(job_id=job.pk, runner="seed_demo")
