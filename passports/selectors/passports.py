"""Reading products, passports and versions, scoped to one organization; effective data and reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from passports.documents import effective_data
from passports.models import Organization, Passport, PassportSchema, PassportVersion, Product
from passports.scoping import get_scoped_or_404, scoped
from passports.validation import Issue, validate


def product_list(*, org: Organization | None) -> QuerySet[Product]:
    return scoped(Product.objects.select_related("facility"), org)


def product_get(*, org: Organization | None, pk: object) -> Product:
    return get_scoped_or_404(Product.objects.select_related("facility"), org, pk=pk)


def passport_list(*, org: Organization | None, filters: dict[str, Any] | None = None) -> QuerySet[Passport]:
    """Passports with what a listing shows (product, schema) fetched in the same query."""
    queryset = scoped(Passport.objects.select_related("product", "schema"), org)
    filters = filters or {}
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("granularity"):
        queryset = queryset.filter(granularity=filters["granularity"])
    if filters.get("product"):
        queryset = queryset.filter(product_id=filters["product"])
    if filters.get("schema"):
        # The few schema ids first, so the passport side is an indexed key, not a join checked row by row.
        category, _, version = str(filters["schema"]).partition("/")
        schemas = PassportSchema.objects.filter(category=category, **({"version": version} if version else {}))
        queryset = queryset.filter(schema_id__in=list(schemas.values_list("pk", flat=True)))
    if filters.get("search"):
        queryset = queryset.filter(passport_search(org=org, term=str(filters["search"])))
    return queryset


# A search whose products match more than this many products is not narrowed by product any more than by
# the list's own order: past it, the product condition is left to the join.
SEARCH_PRODUCTS_AT_MOST = 1000


def passport_search(*, org: Organization | None, term: str) -> Q:
    """The passports whose product (GTIN, name) or lot or serial contains ``term``, as one condition on the
    passport table.

    The matching products are read first (a product list is small, and on PostgreSQL their trigram indexes
    answer ``'%term%'``), so the passport side is ``product_id IN (ids) OR serial/lot LIKE``: each arm has an
    index of its own (the product foreign key and the trigram indexes of migration 0023) and PostgreSQL can
    combine them, or walk the newest-first index when the matches are many. The earlier join of the same
    ORed conditions could only be checked row by row over the whole tenant.
    """
    products = scoped(Product.objects.all(), org).filter(
        Q(gtin__icontains=term) | Q(name__icontains=term) | Q(name_ko__icontains=term)
    )
    ids = list(products.order_by().values_list("pk", flat=True)[: SEARCH_PRODUCTS_AT_MOST + 1])
    by_product = Q(product__in=products) if len(ids) > SEARCH_PRODUCTS_AT_MOST else Q(product_id__in=ids)
    return by_product | Q(serial__icontains=term) | Q(lot__icontains=term)


def passport_get(*, org: Organization | None, pk: object) -> Passport:
    return get_scoped_or_404(Passport.objects.select_related("product", "schema", "parent"), org, pk=pk)


def version_list(*, passport: Passport) -> QuerySet[PassportVersion]:
    return passport.versions.select_related("schema").order_by("-number")


def version_get(*, passport: Passport, number: object) -> PassportVersion:
    return get_scoped_or_404(
        PassportVersion.objects.select_related("schema", "base_version"),
        passport.organization,
        passport=passport,
        number=number,
    )


def current_version(passport: Passport) -> PassportVersion | None:
    """The draft if there is one (what the owner works on), else the latest version."""
    versions = passport.versions.select_related("schema", "base_version")
    return versions.filter(status=PassportVersion.Status.DRAFT).first() or versions.order_by("-number").first()


def published_version(passport: Passport) -> PassportVersion | None:
    return passport.versions.select_related("schema").filter(status=PassportVersion.Status.PUBLISHED).first()


def model_passport_unpublished(passport: Passport) -> bool:
    """True for a batch/item passport whose model passport has no published version: it cannot be published yet."""
    return (
        passport.parent_id is not None
        and not PassportVersion.objects.filter(
            passport_id=passport.parent_id, status=PassportVersion.Status.PUBLISHED
        ).exists()
    )


def effective_data_of(version: PassportVersion) -> dict[str, Any]:
    base = version.base_version
    return effective_data(version.data, effective_data_of(base) if base is not None else None)


def validation_report(version: PassportVersion) -> list[Issue]:
    return validate(version.schema.document, effective_data_of(version))


def schema_list() -> QuerySet[PassportSchema]:
    return PassportSchema.objects.order_by("category", "version")


def schema_get(*, category: str, version: str) -> PassportSchema:
    """Schemas are public (every tenant validates against the same rules), so this is not scoped."""
    schema = PassportSchema.objects.filter(category=category, version=version).first()
    if schema is None:
        raise Http404(f"No schema {category}/{version}.")
    return schema


def schema_by_key(key: str) -> PassportSchema | None:
    category, _, version = key.partition("/")
    return PassportSchema.objects.filter(category=category, version=version).first()
