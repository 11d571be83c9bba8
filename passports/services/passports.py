"""Writing products, passports and passport versions.

The life of a version: ``draft`` (editable, may be invalid) → ``published`` (immutable, must validate
clean) → ``superseded`` when a newer version is published, or ``revoked``. Editing a published passport
makes a new draft; publishing it supersedes the old version, which stays readable and unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language

from core.application_errors import ApplicationError
from core.pointers import pointer_of
from passports import prefixes, readiness
from passports.documents import content_hash, unsafe_number_paths
from passports.identifiers import DigitalLink, DigitalLinkError
from passports.models import Facility, Organization, Passport, PassportSchema, PassportVersion, Product
from passports.selectors.passports import effective_data_of, validation_report
from passports.services.identity import gln_gtin_clash, identity_fields_apply
from passports.services.publication import publication_steps_run_published, publication_steps_run_revoked
from passports.signals import passport_published, passport_revoked
from passports.validation import Issue, validate


class PreconditionRequiredError(ApplicationError):
    """An update came without ``If-Match`` (RFC 6585: 428)."""

    code, status = "precondition_required", 428
    message = "This update needs an If-Match header with the version's ETag."


class PreconditionFailedError(ApplicationError):
    """An update's ``If-Match`` names a stale ETag (RFC 9110: 412): someone changed it in between."""

    code, status = "precondition_failed", 412
    message = "The passport changed since you read it (ETag mismatch); fetch it again."


class NotEditableError(ApplicationError):
    """Published, superseded and revoked versions never change."""

    code, status = "not_editable", 409
    message = "Published versions never change; create a new version instead."


class NotDeletableError(ApplicationError):
    """What was ever published, or is still referred to, stays (ESPR Art. 9-11: available for its lifetime)."""

    code, status = "not_editable", 409


class PublishRefusedError(ApplicationError):
    """Publishing needs a clean validation report; this carries the report.

    ``passport`` names the passport whose draft failed: the one asked for, or its model passport when the caller
    chose to publish the model first.
    """

    code, status = "invalid_passport", 422
    message = "The draft does not validate; fix these first."

    def __init__(self, issues: list[Issue], passport: Passport | None = None, message: str | None = None) -> None:
        super().__init__(message)
        self.issues = issues
        self.passport = passport

    def envelope_details(self) -> list[dict[str, Any]]:
        """The validation report, its messages in the language of the request."""
        lang = "ko" if (get_language() or "en").startswith("ko") else "en"
        return [issue.as_dict(lang) for issue in self.issues]


class ParentNotPublishedError(ApplicationError):
    """A batch or item passport cannot be published while its model passport has no published version.

    What it inherits must be frozen with it (ESPR Art. 9-10: passport data authentic and unchanged): a published
    version may only inherit from a published model version, never from a draft someone can still edit.
    """

    code, status, field = "parent_not_published", 409, "/parent"

    def __init__(self, parent: Passport) -> None:
        super().__init__(
            f"The model passport {parent.identifier} has no published version; publish it first "
            "(or ask to publish it together with this one)."
        )
        self.parent = parent


def _user(by: Any) -> User | None:
    """The person behind an action; API clients act as themselves and leave no user."""
    return by if isinstance(by, User) else None


def _check_gtin_held(org: Organization, gtin: Any) -> None:
    """A product's GTIN must lie under a GS1 Company Prefix ``org`` holds (``passports.prefixes``)."""
    if not isinstance(gtin, str) or not gtin:
        return  # the model's validators name a missing or malformed GTIN
    refusal = prefixes.gtin_refusal(prefixes.gtin_standing(gtin), org.pk, gtin)
    if refusal is not None:
        raise ValidationError({"gtin": [refusal]})


def _check_gtin_not_gln(org_id: int, gtin: Any) -> None:
    clash = gln_gtin_clash(org_id=org_id, gtin=gtin) if isinstance(gtin, str) else None
    if clash is not None:
        raise ValidationError({"gtin": [clash]})


@transaction.atomic
def product_create(*, org: Organization, **fields: Any) -> Product:
    facility = fields.get("facility")
    if facility is not None and facility.organization_id != org.pk:
        raise ValidationError({"facility": ["No such facility in your organization."]})
    _check_gtin_held(org, fields.get("gtin"))
    _check_gtin_not_gln(org.pk, fields.get("gtin"))
    product = Product(organization=org, **fields)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_update(*, product: Product, **fields: Any) -> Product:
    facility: Facility | None = fields.get("facility")
    if facility is not None and facility.organization_id != product.organization_id:
        raise ValidationError({"facility": ["No such facility in your organization."]})
    if "gtin" in fields and fields["gtin"] != product.gtin:
        _check_gtin_held(product.organization, fields["gtin"])
        _check_gtin_not_gln(product.organization_id, fields["gtin"])
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    """Deletes a product that no passport describes; one that has passports stays with them."""
    if product.passports.exists():
        raise NotDeletableError("A product with passports cannot be deleted.")
    product.delete()


def passport_identifier(*, product: Product, lot: str, serial: str, base_url: str) -> str:
    return DigitalLink(gtin=product.gtin, lot=lot or None, serial=serial or None).uri(base_url)


def _identifier_or_error(*, product: Product, lot: str, serial: str, base_url: str) -> str:
    """The passport's Digital Link, or a ``ValidationError`` naming the lot or serial GS1 refuses (CR/LF, say).

    GS1 General Specifications 3.2 / Digital Link: AI (10) and AI (21) take only character set 82, at most 20.
    """
    for name, value, link in (
        ("lot", lot, lambda: DigitalLink(gtin=product.gtin, lot=lot)),
        ("serial", serial, lambda: DigitalLink(gtin=product.gtin, serial=serial)),
    ):
        if value:
            try:
                link()
            except DigitalLinkError as exc:
                raise ValidationError({name: [str(exc)]}) from exc
    try:
        return passport_identifier(product=product, lot=lot, serial=serial, base_url=base_url)
    except DigitalLinkError as exc:
        raise ValidationError({"product": [str(exc)]}) from exc


def _check_granularity(granularity: str, lot: str, serial: str, parent: Passport | None, product: Product) -> None:
    errors: dict[str, list[str]] = {}
    if granularity == Passport.Granularity.MODEL and (lot or serial):
        errors["lot"] = ["A model passport has no lot or serial number."]
    if granularity == Passport.Granularity.BATCH and (not lot or serial):
        errors["lot"] = ["A batch passport needs a lot and no serial number."]
    if granularity == Passport.Granularity.ITEM and not serial:
        errors["serial"] = ["An item passport needs a serial number."]
    if parent is not None and (parent.granularity != Passport.Granularity.MODEL or parent.product_id != product.pk):
        errors["parent"] = ["The parent must be the model passport of the same product."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def passport_create(
    *,
    org: Organization,
    product: Product,
    granularity: str,
    schema: PassportSchema,
    data: dict[str, Any],
    lot: str = "",
    serial: str = "",
    parent: Passport | None = None,
    by: Any = None,
    base_url: str,
) -> Passport:
    """A new passport with its first draft version. Batch and item passports inherit from ``parent``."""
    if product.organization_id != org.pk or (parent is not None and parent.organization_id != org.pk):
        raise ValidationError({"product": ["No such product in your organization."]})
    _check_granularity(granularity, lot, serial, parent, product)
    if parent is None and granularity != Passport.Granularity.MODEL:
        # Inherit from the product's model passport when it follows the same schema.
        parent = Passport.objects.filter(
            organization=org, product=product, granularity=Passport.Granularity.MODEL, schema=schema
        ).first()
    if parent is not None and parent.schema_id != schema.pk:
        raise ValidationError({"parent": ["The model passport follows another schema."]})
    identifier = _identifier_or_error(product=product, lot=lot, serial=serial, base_url=base_url)
    if Passport.objects.filter(identifier=identifier).exists():
        raise ValidationError({"serial": [f"A passport with identifier {identifier} exists already."]})
    passport = Passport.objects.create(
        organization=org,
        product=product,
        granularity=granularity,
        lot=lot,
        serial=serial,
        parent=parent,
        schema=schema,
        identifier=identifier,
        created_by=_user(by),
        status=PassportVersion.Status.DRAFT,
    )
    base = _base_version_for(passport)
    version = PassportVersion(
        organization=org,
        passport=passport,
        number=1,
        schema=schema,
        data=data,
        base_version=base,
        created_by=_user(by),
    )
    _refresh_derived(version)
    version.save()
    return passport


def _base_version_for(passport: Passport) -> PassportVersion | None:
    """The version a batch/item *draft* inherits: its model passport's published one, else the model's draft.

    The draft fallback is only a preview for the editor; ``passport_publish`` re-resolves the base and accepts a
    published model version only, so nothing published ever inherits data that can still change.
    """
    if passport.parent_id is None:
        return None
    versions = PassportVersion.objects.filter(passport_id=passport.parent_id)
    return (
        versions.filter(status=PassportVersion.Status.PUBLISHED).first()
        or versions.filter(status=PassportVersion.Status.DRAFT).first()
    )


def _published_base_for(passport: Passport, *, publish_parent: bool, by: Any) -> PassportVersion | None:
    """The published model version a batch/item version freezes at publication (publishing it first on request)."""
    if passport.parent_id is None:
        return None
    parent = Passport.objects.select_for_update().get(pk=passport.parent_id)
    base = parent.versions.filter(status=PassportVersion.Status.PUBLISHED).first()
    if base is not None:
        return base
    if not publish_parent or not parent.versions.filter(status=PassportVersion.Status.DRAFT).exists():
        raise ParentNotPublishedError(parent)
    try:
        return passport_publish(passport=parent, by=by)
    except PublishRefusedError as exc:
        message = f"The draft of the model passport {parent.identifier} does not validate; fix it first."
        raise PublishRefusedError(exc.issues, passport=parent, message=message) from exc


def _check_numbers(data: dict[str, Any]) -> None:
    """Integers beyond 2^53 - 1 cannot be hashed or signed (RFC 8785): refused, each named by its pointer."""
    paths = unsafe_number_paths(data)
    if paths:
        pointers = ", ".join(pointer_of(path) for path in paths[:10])
        raise ValidationError(
            {"data": [f"Numbers beyond ±9007199254740991 (2^53 - 1) cannot be signed; change them at {pointers}."]}
        )


def _refresh_derived(version: PassportVersion) -> None:
    _check_numbers(version.data)
    identity_fields_apply(version)
    effective = effective_data_of(version)
    document = version.schema.document
    issues = validate(document, effective)
    version.content_hash = content_hash(effective)
    version.error_count = len(issues)
    version.completeness, version.clause_gaps = readiness.summary(document, effective, issues)


def _check_if_match(version: PassportVersion, if_match: str | None) -> None:
    if if_match is None:
        raise PreconditionRequiredError()
    offered = {tag.strip() for tag in if_match.split(",")}
    if "*" not in offered and version.etag not in offered and f"W/{version.etag}" not in offered:
        raise PreconditionFailedError()


@transaction.atomic
def passport_draft_update(
    *, version: PassportVersion, data: dict[str, Any], if_match: str | None, by: Any = None
) -> PassportVersion:
    """Replaces a draft's data. Optimistic concurrency: the caller must hold the current ETag."""
    locked = PassportVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_editable:
        raise NotEditableError()
    _check_if_match(locked, if_match)
    locked.data = data
    locked.revision += 1
    _refresh_derived(locked)
    locked.save()
    Passport.objects.filter(pk=locked.passport_id).update(updated_at=timezone.now())
    return locked


@transaction.atomic
def passport_version_new(*, passport: Passport, data: dict[str, Any] | None = None, by: Any = None) -> PassportVersion:
    """A new draft, starting from the latest version's data (or ``data``). At most one draft at a time."""
    locked = Passport.objects.select_for_update().get(pk=passport.pk)
    if locked.versions.filter(status=PassportVersion.Status.DRAFT).exists():
        raise ValidationError({"status": ["This passport already has a draft; edit it or publish it first."]})
    latest = locked.versions.order_by("-number").first()
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PassportVersion(
        organization_id=locked.organization_id,
        passport=locked,
        number=number,
        schema=locked.schema,
        data=data if data is not None else (latest.data if latest else {}),
        base_version=_base_version_for(locked),
        created_by=_user(by),
    )
    _refresh_derived(version)
    version.save()
    locked.status = PassportVersion.Status.DRAFT if locked.status != "published" else locked.status
    locked.save(update_fields=["status", "updated_at"])
    return version


@transaction.atomic
def passport_publish(*, passport: Passport, by: Any = None, publish_parent: bool = False) -> PassportVersion:
    """Publishes the draft: it must validate clean; the previously published version is superseded.

    A batch or item passport freezes the model passport's *published* version it inherits from (its content
    hash and credential cover the merged data); with a model that has no published version it is refused with
    ``ParentNotPublishedError``, unless ``publish_parent`` asks to publish the model's draft first, in the same
    transaction.
    """
    locked = Passport.objects.select_for_update().get(pk=passport.pk)
    draft = locked.versions.filter(status=PassportVersion.Status.DRAFT).first()
    if draft is None:
        raise ValidationError({"status": ["There is no draft to publish."]})
    if locked.parent_id is not None:
        draft.base_version = _published_base_for(locked, publish_parent=publish_parent, by=by)
    issues = validation_report(draft)
    if issues:
        raise PublishRefusedError(issues, passport=locked)
    now = timezone.now()
    previous = locked.versions.filter(status=PassportVersion.Status.PUBLISHED).first()
    if previous is not None:
        previous.status = PassportVersion.Status.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at", "updated_at"])
    effective = effective_data_of(draft)
    draft.content_hash = content_hash(effective)
    draft.error_count = 0
    draft.completeness, draft.clause_gaps = readiness.summary(draft.schema.document, effective, ())
    draft.status = PassportVersion.Status.PUBLISHED
    draft.published_at = now
    draft.published_by = _user(by)
    draft.save()
    locked.status = PassportVersion.Status.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    passport_published.send(sender=PassportVersion, version=draft, superseded=previous, by=by)
    publication_steps_run_published(version=draft, superseded=previous)
    return draft


@transaction.atomic
def passport_delete(*, passport: Passport) -> None:
    """Deletes a passport that was never published and has no item passports, with its drafts."""
    if passport.versions.exclude(status=PassportVersion.Status.DRAFT).exists() or passport.children.exists():
        raise NotDeletableError("A passport that was ever published (or has item passports) cannot be deleted.")
    passport.versions.all().delete()
    passport.delete()


@transaction.atomic
def passport_revoke(*, version: PassportVersion, reason: str, by: Any = None) -> PassportVersion:
    """Withdraws a published version (e.g. data found wrong); it stays readable, marked revoked."""
    locked = PassportVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status not in {PassportVersion.Status.PUBLISHED, PassportVersion.Status.SUPERSEDED}:
        raise ValidationError({"status": ["Only published or superseded versions can be revoked."]})
    was_current = locked.status == PassportVersion.Status.PUBLISHED
    locked.status = PassportVersion.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason[:300]
    locked.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    if was_current:
        Passport.objects.filter(pk=locked.passport_id).update(status=PassportVersion.Status.REVOKED)
    passport_revoked.send(sender=PassportVersion, version=locked, reason=reason, by=by)
    publication_steps_run_revoked(version=locked)
    return locked
