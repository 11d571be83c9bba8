"""Giving and revoking grants (see ``passports.models.grants``).

Every refusal is a ``ValidationError`` keyed by the field it is about, so the web form, the API and the
import all show the same message in the same place. What a grant may not do, whoever asks:
- name its own organization (or one of its own systems' API clients) as grantee: nobody grants itself
  anything (a client the organization made for an outside party, ``ApiClient.outside_party``, may be named);
- name a product or passport of another organization, or a category no schema has;
- carry no right, no purpose, or end before it starts.
Revocation is a time stamp and who did it; the row stays, so the access log can still say which grant
allowed a past read. Nothing derived from a grant is cached: the next request after a revocation is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passports import audit
from passports.models import ApiClient, Organization, Passport, PassportSchema, Product
from passports.models.grants import Grant


def _ids(objects: Iterable[Any]) -> list[int]:
    return sorted({obj if isinstance(obj, int) else obj.pk for obj in objects})


def _check_grantee(
    grantor: Organization, grantee_organization: Organization | None, grantee_client: ApiClient | None
) -> dict[str, str]:
    if (grantee_organization is None) == (grantee_client is None):
        return {"grantee": _("Name one grantee: an organization or an API client.")}
    if grantee_organization is not None:
        if grantee_organization.pk == grantor.pk:
            return {"grantee": _("An organization cannot grant access to itself: it already sees its own data.")}
        if not grantee_organization.is_active:
            return {"grantee": _("This organization is deactivated.")}
    if grantee_client is not None:
        if grantee_client.organization_id == grantor.pk and not grantee_client.outside_party:
            return {"grantee": _("This API client is one of your own systems; it already sees your data.")}
        if grantee_client.revoked_at is not None:
            return {"grantee": _("This API client is revoked.")}
    return {}


def _chosen_messages(products: bool) -> tuple[str, str, str]:
    """(named without its scope, none chosen, another organization's %(ids)s) for products or passports."""
    if products:
        return (
            _("Products are named only by a grant that covers chosen products."),
            _("Choose at least one product."),
            _("Product %(ids)s is not one of your organization's."),
        )
    return (
        _("Passports are named only by a grant that covers chosen passports."),
        _("Choose at least one passport."),
        _("Passport %(ids)s is not one of your organization's."),
    )


def _check_chosen(
    grantor: Organization, scope: str, field: str, ids: list[int], *, wanted_scope: str, model: type[Any]
) -> dict[str, str]:
    """The chosen products (or passports) of a grant: only with their scope, at least one, all the grantor's."""
    unscoped, none_chosen, foreign_one = _chosen_messages(model is Product)
    if scope != wanted_scope:
        return {field: unscoped} if ids else {}
    if not ids:
        return {field: none_chosen}
    own = set(model.objects.filter(organization=grantor, pk__in=ids).values_list("pk", flat=True))
    foreign = ", ".join(str(pk) for pk in ids if pk not in own)
    return {field: foreign_one % {"ids": foreign}} if foreign else {}


def _check_scope(
    grantor: Organization, scope: str, category: str, product_ids: list[int], passport_ids: list[int]
) -> dict[str, str]:
    if scope not in Grant.Scope.values:
        return {"scope": _("Choose what the grant covers: %(choices)s.") % {"choices": ", ".join(Grant.Scope.values)}}
    errors: dict[str, str] = {}
    if scope == Grant.Scope.CATEGORY and not PassportSchema.objects.filter(category=category).exists():
        errors["category"] = _("No passport schema has the category “%(category)s”.") % {"category": category}
    elif scope != Grant.Scope.CATEGORY and category:
        errors["category"] = _("A category is named only by a grant that covers a category.")
    errors.update(
        _check_chosen(grantor, scope, "products", product_ids, wanted_scope=Grant.Scope.PRODUCTS, model=Product)
    )
    errors.update(
        _check_chosen(grantor, scope, "passports", passport_ids, wanted_scope=Grant.Scope.PASSPORTS, model=Passport)
    )
    return errors


def _check_terms(
    rights: Sequence[str], purpose: str, starts_at: datetime, expires_at: datetime | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = sorted(set(rights) - set(Grant.RIGHTS))
    if unknown:
        errors["rights"] = _("Unknown right %(unknown)s; use %(known)s.") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(Grant.RIGHTS),
        }
    elif not rights:
        errors["rights"] = _("Choose at least one right.")
    if not purpose.strip():
        errors["purpose"] = _("Say why the partner needs this access (it is shown to both of you).")
    elif len(purpose) > 1000:
        errors["purpose"] = _("Keep the purpose under 1000 characters.")
    if expires_at is not None:
        if expires_at <= starts_at:
            errors["expires_at"] = _("A grant must end after it starts.")
        elif expires_at <= timezone.now():
            errors["expires_at"] = _("This end date is already past.")
    return errors


@transaction.atomic
def grant_create(
    *,
    grantor: Organization,
    by: Any,
    rights: Sequence[str],
    purpose: str,
    grantee_organization: Organization | None = None,
    grantee_client: ApiClient | None = None,
    scope: str = Grant.Scope.ALL,
    category: str = "",
    products: Iterable[Product | int] = (),
    passports: Iterable[Passport | int] = (),
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Grant:
    """A grant from ``grantor``, checked as the module docstring says; recorded in the grantor's audit chain."""
    product_ids, passport_ids = _ids(products), _ids(passports)
    starts = starts_at or timezone.now()
    errors = {
        **_check_grantee(grantor, grantee_organization, grantee_client),
        **_check_scope(grantor, scope, category, product_ids, passport_ids),
        **_check_terms(rights, purpose, starts, expires_at),
    }
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(
        organization=grantor,
        grantee_organization=grantee_organization,
        grantee_client=grantee_client,
        scope=scope,
        category=category,
        purpose=purpose.strip(),
        starts_at=starts,
        expires_at=expires_at,
        created_by=by if getattr(by, "pk", None) and not hasattr(by, "client") else None,
        **{right: right in rights for right in Grant.RIGHTS},
    )
    grant.products.set(product_ids)
    grant.passports.set(passport_ids)
    if product_ids or passport_ids:
        audit.record(
            org_id=grantor.pk,
            action="grant.scope",
            object_type="grant",
            object_id=grant.pk,
            object_repr=str(grant),
            details={"products": product_ids, "passports": passport_ids},
            by=by,
        )
    return grant


@transaction.atomic
def grant_revoke(*, grant: Grant, by: Any) -> Grant:
    """Ends a grant now; a grant already revoked keeps its first revocation."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by if getattr(by, "pk", None) and not hasattr(by, "client") else None
        locked.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return locked
