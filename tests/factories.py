"""factory-boy factories for the suite's rows."""

from __future__ import annotations

import copy
import json
from typing import Any

import factory
from django.contrib.auth import get_user_model

from passports import identifiers
from passports.models import CompanyPrefix, Facility, Membership, Organization, Passport, Product


def gln_from(n: int) -> str:
    body = f"880{n:09d}"
    return body + str(identifiers.gs1_check_digit(body))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    country = "KR"
    role = Organization.Role.MANUFACTURER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.OWNER


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Plant {n}")
    country = "KR"
    gln = factory.Sequence(gln_from)


def gtin_from(n: int) -> str:
    body = f"0880{n:09d}"
    return body + str(identifiers.gs1_check_digit(body))


def _gtin_for(product: Any, n: int) -> str:
    """A GTIN in the space of the product's organization, so that no two organizations' products lie under
    one GS1 Company Prefix (issue 21): ``acme-cells`` holds 880000 (``gtin_from``, the import files), ``other-corp``
    4006381, and any other organization a prefix of its own under 881."""
    slug = product.organization.slug
    if slug == "acme-cells":
        return gtin_from(n)
    body = f"04006381{n % 100000:05d}" if slug == "other-corp" else f"0881{n:09d}"
    return body + str(identifiers.gs1_check_digit(body))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    gtin = factory.LazyAttributeSequence(_gtin_for)
    name = factory.Sequence(lambda n: f"EV battery pack {n}")
    name_ko = "전기차 배터리 팩"
    category = "battery"
    cn_code = "85076000"

    @factory.post_generation
    def gtin_claim(self, create: bool, extracted: object, **kwargs: object) -> None:
        """The organization holds its GTIN, as migration 0013 grants existing products (a 12-digit claim).

        ``gtin_claim=False`` leaves it unclaimed: a buyer's record of a component it buys under the maker's GTIN.
        """
        if create and extracted is not False and identifiers.is_valid_gtin(self.gtin):
            CompanyPrefix.objects.get_or_create(organization=self.organization, prefix=self.gtin.zfill(14)[1:13])


def shipped_example(category: str = "battery", version: str = "1.0", which: int = 0) -> dict[str, Any]:
    """A shipped example exactly as the file has it (complete and valid on its own, identifiers included)."""
    from passports.schema_files import example_files

    path = sorted(example_files(category, version))[which]
    return json.loads(path.read_text(encoding="utf-8"))


def without_own_identifiers(category: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the identifiers that belong to one passport (``passports.services.identity``)."""
    from passports.services.identity import IDENTITY_FIELDS

    data = copy.deepcopy(data)
    for field_path in IDENTITY_FIELDS.get(category, ()):
        section = data
        for key in field_path[:-1]:
            section = section.get(key, {})
        section.pop(field_path[-1], None)
    return data


def with_own_identifiers(data: dict[str, Any], passport: Passport) -> dict[str, Any]:
    """``data`` with the identifiers the platform writes for ``passport``: what it stores for such input."""
    from passports.identifiers import DigitalLink
    from passports.services.identity import IDENTITY_FIELDS

    fields = IDENTITY_FIELDS.get(passport.schema.category)
    data = copy.deepcopy(data)
    if fields is None:
        return data
    link_path, unit_path = fields
    section = data
    for key in link_path[:-1]:
        section = section.setdefault(key, {})
    section[link_path[-1]] = passport.identifier
    section.setdefault(unit_path[-1], DigitalLink.parse(passport.identifier).element_string())
    return data


def example_data(category: str = "battery", version: str = "1.0", which: int = 0) -> dict[str, Any]:
    """A shipped example passport of the schema (deep copy, safe to change) as a client sends it.

    The identifiers that belong to one passport are left out, as a client does that lets the platform write them:
    the example's name its own product, not the test's. ``shipped_example`` is the file as it is.
    """
    return without_own_identifiers(category, shipped_example(category, version, which))


def make_passport(
    org: Organization,
    *,
    category: str = "battery",
    data: dict[str, Any] | None = None,
    granularity: str = "model",
    product: Product | None = None,
    lot: str = "",
    serial: str = "",
    name: str | None = None,
    version: str = "1.0",
) -> Passport:
    """A passport with a draft v1 made through the real service (so hashes and reports are real)."""
    from django.conf import settings

    from passports.selectors.passports import schema_by_key
    from passports.services.passports import passport_create

    schema = schema_by_key(f"{category}/{version}")
    assert schema is not None, "schemas are loaded at migrate time"
    product = product or ProductFactory(organization=org, category=category, **({"name": name} if name else {}))
    return passport_create(
        org=org,
        product=product,
        granularity=granularity,
        schema=schema,
        data=example_data(category, version) if data is None else data,
        lot=lot,
        serial=serial,
        base_url=settings.PLATFORM_BASE_URL,
    )


def make_published_passport(org: Organization, **kwargs: Any) -> Passport:
    """``make_passport``, then published through the real service (signed, QR code stored, backed up)."""
    from passports.services.passports import passport_publish

    passport = make_passport(org, **kwargs)
    passport_publish(passport=passport)
    return passport
