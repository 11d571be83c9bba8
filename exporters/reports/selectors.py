"""Reading what reports need, scoped to one organization: the version to report and its facts.

Every lookup that serves a request goes through ``passports.scoping``: another organization's passport is
indistinguishable from one that does not exist (404).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.http import Http404

from exporters.models import PassportQrCode
from exporters.reports.content import ReportFacts
from exporters.reports.pdf import SigningKeyInfo
from passports.models import Organization, Passport, PassportVersion
from passports.scoping import get_scoped_or_404, scoped
from passports.selectors.passports import effective_data_of, validation_report

# What a report may show: every version its organization holds (drafts included, marked as drafts).
REPORTABLE = (
    PassportVersion.Status.DRAFT,
    PassportVersion.Status.PUBLISHED,
    PassportVersion.Status.SUPERSEDED,
    PassportVersion.Status.REVOKED,
)


def passport_for_report(*, org: Organization | None, pk: object) -> Passport:
    return get_scoped_or_404(Passport.objects.select_related("product", "schema", "organization"), org, pk=pk)


def _versions(passport: Passport) -> models.QuerySet[PassportVersion]:
    return PassportVersion.objects.select_related("schema", "base_version").filter(
        passport=passport, organization_id=passport.organization_id
    )


def version_for_report(passport: Passport, number: object = None) -> PassportVersion:
    """The version ``number``, else the published one, else the latest (a draft the owner works on)."""
    versions = _versions(passport)
    if number not in (None, ""):
        try:
            chosen = versions.get(number=int(str(number)))
        except (ValueError, PassportVersion.DoesNotExist) as exc:
            raise Http404("No such version of this passport.") from exc
        chosen.passport = passport
        return chosen
    version = versions.filter(status=PassportVersion.Status.PUBLISHED).first() or versions.order_by("-number").first()
    if version is None:
        raise Http404("This passport has no version yet.")
    version.passport = passport  # already loaded with its product and organization
    return version


def _exporters_models() -> Any:
    try:
        return importlib.import_module("exporters.models")
    except ModuleNotFoundError:
        return None


def _signing_key_model() -> type[models.Model] | None:
    if _exporters_models() is None:
        return None
    try:
        return apps.get_model("exporters", "SigningKey")
    except LookupError:
        return None


def _first_attribute(row: object, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = getattr(row, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def verification_url(org: Organization) -> str:
    """Where the issuer's public keys are published: its did:web document (see ``exporters.credentials.did``)."""
    return f"{settings.PLATFORM_BASE_URL}/orgs/{org.slug}/did.json"


def signing_info(version: PassportVersion) -> SigningKeyInfo | None:
    """The key that signed ``version``, or None when the version is not signed (or signing is not installed).

    Signing keys and the credentials issued at publication live in ``exporters.models``, which another
    part of the platform provides; this reads them through the relations Django knows, so reports work
    before signing exists (every version unsigned) and after (the credential row names its key).
    """
    key_model = _signing_key_model()
    if key_model is None or version.pk is None:
        return None
    for model in apps.get_app_config("exporters").get_models():
        version_field = _relation_to(model, PassportVersion)
        key_field = _relation_to(model, key_model)
        if version_field is None or key_field is None:
            continue
        row = model._default_manager.filter(**{version_field: version}).select_related(key_field).last()
        if row is None:
            continue
        key = getattr(row, key_field)
        kid = _first_attribute(key, ("kid", "key_id"))
        fingerprint = _first_attribute(key, ("fingerprint",))
        if kid is None or fingerprint is None:
            return None
        url = _first_attribute(row, ("verification_url",)) or verification_url(version.passport.organization)
        return SigningKeyInfo(key_id=kid, fingerprint=fingerprint, verification_url=url)
    return None


def _relation_to(model: type[models.Model], target: type[models.Model]) -> str | None:
    for model_field in model._meta.get_fields():
        if isinstance(model_field, models.ForeignKey | models.OneToOneField) and model_field.related_model is target:
            return model_field.name
    return None


def stored_qr_png(passport: Passport) -> bytes | None:
    """The PNG of the QR code made when ``passport`` was published, or None (never published, or made for
    another URI), in which case the report makes the symbol itself.

    A passport loaded with ``select_related("qr_code")`` (as packs load theirs, many in one query) costs no
    query here; any other costs exactly one, which reads the URI and PNG only.
    """
    if Passport.qr_code.is_cached(passport):
        code = getattr(passport, "qr_code", None)  # select_related found no row: None, not a query
    else:
        code = PassportQrCode.objects.filter(passport_id=passport.pk).only("uri", "png").first()
    if code is None or code.uri != passport.identifier:
        return None
    return bytes(code.png)


def _issuer_identifiers(org: Organization) -> list[tuple[str, str]]:
    pairs = [("EORI", org.eori), ("LEI", org.lei), ("VAT", org.vat), ("GLN", org.gln), ("BRN", org.kr_brn)]
    return [(name, value) for name, value in pairs if value]


def report_facts(version: PassportVersion) -> ReportFacts:
    """Gather the facts of ``version`` for ``content.build_report`` (passport, product, issuer, data, issues)."""
    passport = version.passport
    product = passport.product
    org = passport.organization
    data = effective_data_of(version)
    # A published version validated clean when it was published and can never change since.
    issues = [] if version.status != PassportVersion.Status.DRAFT else validation_report(version)
    return ReportFacts(
        schema=version.schema.document,
        schema_key=version.schema.key,
        data=data,
        issues=issues,
        identifier=passport.identifier,
        product_name=product.name,
        product_name_ko=product.name_ko,
        gtin=product.gtin,
        cn_code=product.cn_code,
        granularity=passport.granularity,
        lot=passport.lot,
        serial=passport.serial,
        issuer=f"{org.name} ({org.country})",
        issuer_identifiers=_issuer_identifiers(org),
        version_number=version.number,
        status=version.status,
        content_hash=version.content_hash,
        created_at=version.created_at,
        published_at=version.published_at,
        key=signing_info(version),
        qr_png=stored_qr_png(passport),
    )


def organization_versions_by_hash(org: Organization | None, content_hash: str) -> models.QuerySet[PassportVersion]:
    """The caller's versions whose content hash is ``content_hash`` (several passports may share data)."""
    return scoped(PassportVersion.objects.select_related("passport", "schema"), org).filter(content_hash=content_hash)
