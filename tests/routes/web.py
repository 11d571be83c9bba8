"""Isolation rows of the web pages (passports/web/urls.py): products, passports, CBAM, organization."""

from __future__ import annotations

from typing import Any

from passports.models import Membership
from tests.factories import ProductFactory, make_passport
from tests.routes.rows import Row


def product(tenant: Any) -> dict[str, Any]:
    return {"pk": ProductFactory(organization=tenant.org, name="OWNER-SECRET-PLANT product").pk}


def product_for_passport(tenant: Any) -> dict[str, Any]:
    return {"product_pk": product(tenant)["pk"]}


def passport(tenant: Any) -> dict[str, Any]:
    return {"pk": make_passport(tenant.org, name="OWNER-SECRET-PLANT passport").pk}


def member(tenant: Any) -> dict[str, Any]:
    return {"pk": Membership.objects.get(organization=tenant.org, user=tenant.viewer).pk}


def invitation(tenant: Any) -> dict[str, Any]:
    """An invitation addressed to the owner (the invitee is the one who may answer it)."""
    from passports.services.invitations import invitation_create
    from tests.factories import OrganizationFactory

    inviting = OrganizationFactory(name="OWNER-SECRET-PLANT inviter")
    return {"pk": invitation_create(org=inviting, who=tenant.owner.username, role="viewer", by=None).pk}


def api_client(tenant: Any) -> dict[str, Any]:
    from passports.services.tenants import api_client_create

    client, _secret = api_client_create(org=tenant.org, name="OWNER-SECRET-PLANT client", scopes=["read"])
    return {"pk": client.pk}


def import_job(tenant: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from passports.imports.services import import_job_create

    upload = SimpleUploadedFile("OWNER-SECRET-PLANT.csv", b"gtin,name,category\n", content_type="text/csv")
    job = import_job_create(org=tenant.org, by=tenant.owner, upload=upload, kind="products", enqueue=False)
    return {"pk": job.pk}


def activity(tenant: Any) -> dict[str, Any]:
    from lca.services import activity_create

    owned = ProductFactory(organization=tenant.org, name="OWNER-SECRET-PLANT footprint")
    row = activity_create(
        org=tenant.org, product=owned, stage="production", process="OWNER-SECRET-PLANT", amount=1, unit="kg", gas="N2O"
    )
    return {"pk": owned.pk, "activity_pk": row.pk}


def grant(tenant: Any) -> dict[str, Any]:
    from passports.services.grants import grant_create
    from tests.factories import OrganizationFactory

    partner = OrganizationFactory(name="OWNER-SECRET-PLANT partner")
    given = grant_create(grantor=tenant.org, by=tenant.owner, grantee_organization=partner,
                         rights=["legitimate_interest"], purpose="OWNER-SECRET-PLANT purpose")  # fmt: skip
    return {"pk": given.pk}


def listed_grant(tenant: Any) -> dict[str, Any]:
    grant(tenant)
    return {}


def listed_access(tenant: Any) -> dict[str, Any]:
    """A read of the owner's passport by a grantee, in the owner's access log."""
    from django.contrib.auth import get_user_model

    from passports.access import access_for, log_read, viewer_of_user
    from tests.factories import MembershipFactory, OrganizationFactory

    partner = OrganizationFactory(name="OWNER-SECRET-PLANT reader")
    # No password: the secrets test plants the factories' test password and would find it in factory-boy's log.
    reader_user = get_user_model().objects.create(username="partner-reader")
    reader = MembershipFactory(organization=partner, user=reader_user).user
    owned = make_passport(tenant.org, name="OWNER-SECRET-PLANT read passport")
    from passports.services.grants import grant_create

    grant_create(grantor=tenant.org, by=tenant.owner, grantee_organization=partner,
                 rights=["legitimate_interest"], purpose="reads")  # fmt: skip
    viewer = viewer_of_user(reader)
    log_read(viewer, owned, owned.versions.first(), access_for(viewer, owned), "json")
    return {}


def listed_product(tenant: Any) -> dict[str, Any]:
    """List pages: the owner's product exists (so a leak would show) but the page takes no kwargs."""
    product(tenant)
    return {}


def listed_passport(tenant: Any) -> dict[str, Any]:
    passport(tenant)
    return {}


ROWS: dict[str, Row] = {
    "product-list-page": Row("web_page", listed_product),
    "product-create-page": Row("web_page", methods=("get", "post")),
    "product-detail-page": Row("web_object", product),
    "product-edit-page": Row("web_object", product, methods=("get", "post")),
    "passport-create-page": Row("web_object", product_for_passport, methods=("get", "post")),
    "passport-list-page": Row("web_page", listed_passport),
    "passport-detail-page": Row("web_object", passport),
    "passport-edit-page": Row("web_object", passport, methods=("get", "post")),
    "passport-publish-page": Row("web_object", passport, methods=("post",)),
    "passport-new-version-page": Row("web_object", passport, methods=("post",)),
    "passport-revoke-page": Row("web_object", passport, methods=("post",)),
    "passport-history-page": Row("web_object", passport),
    "passport-json-page": Row("web_object", passport),
    "cbam-page": Row("web_page", listed_passport),
    "footprint-list-page": Row("web_page", listed_product),
    "footprint-product-page": Row("web_object", product),
    "footprint-activity-add-page": Row("web_object", product, methods=("post",)),
    "footprint-activity-delete-page": Row("web_object", activity, methods=("post",)),
    "import-list-page": Row("web_page", methods=("get", "post")),
    "import-mapping-page": Row("web_page", methods=("get", "post")),
    "import-detail-page": Row("web_object", import_job),
    "import-progress-page": Row("web_object", import_job),
    "import-commit-page": Row("web_object", import_job, methods=("post",)),
    "import-errors-xlsx-page": Row("web_object", import_job),
    "organization-page": Row("web_page", methods=("get", "post")),
    "member-add-page": Row("web_page", methods=("post",)),
    "invitation-list-page": Row("web_page"),
    "invitation-answer-page": Row("web_object", invitation, methods=("post",)),
    "member-update-page": Row("web_object", member, methods=("post",)),
    "api-client-list-page": Row("web_page", methods=("get", "post")),
    "api-client-update-page": Row("web_object", api_client, methods=("post",)),
    "partners-page": Row("web_page", listed_grant, methods=("get", "post")),
    "grant-revoke-page": Row("web_object", grant, methods=("post",)),
    "access-log-page": Row("web_page", listed_access),
}
