"""The demo world of ``manage.py seed_demo``: tenants, people and places.

Realistic enough to click through every page: a Korean battery maker exporting to the EU and the EU
importer that buys from it, with a user of every role. Every identifier passes its format check. Running it
twice changes nothing (rows are looked up by natural key first).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils.text import slugify

from passports import identifiers
from passports.models import CompanyPrefix, Facility, Membership, Organization, Passport, PassportSchema, Product
from passports.schema_files import current_example_files
from passports.services.passports import passport_create, passport_publish

DEMO_PASSWORD = "demo-passport-2026"  # noqa: S105  # published demo credentials, printed by seed_demo


@dataclass
class DemoTenants:
    maker: Organization
    importer: Organization
    users: dict[str, AbstractUser]
    facilities: dict[str, Facility]


def _user(username: str, first: str, last: str, email: str) -> AbstractUser:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def seed_tenants() -> DemoTenants:
    maker, _ = Organization.objects.update_or_create(
        slug="hanbit-energy",
        defaults={
            "name": "Hanbit Energy Solutions Co., Ltd.",
            "country": "KR",
            "role": Organization.Role.MANUFACTURER,
            "kr_brn": "124-81-00998",
            "gln": "8801234000000",
            "lei": "9884004HBTENERGY0111",
            "eori": "KR12345678901234",
            "address": (
                "45 Sandan-ro, Ochang-eup, Cheongwon-gu, Cheongju-si, Chungcheongbuk-do 28116, Republic of Korea"
            ),
            "website": "https://hanbit-energy.example",
        },
    )
    importer, _ = Organization.objects.update_or_create(
        slug="rheinland-battery",
        defaults={
            "name": "Rheinland Battery Import GmbH",
            "country": "DE",
            "role": Organization.Role.IMPORTER,
            "eori": "DE1234567890123",
            "vat": "DE811907980",
            "lei": "529900DPPDEMO0000182",
            "gln": "4001234000015",
            "address": "Rheinallee 12, 40545 Düsseldorf, Germany",
            "website": "https://rheinland-battery.example",
        },
    )
    users = {
        "owner": _user("hanbit-owner", "Ji-woo", "Kim", "jiwoo.kim@hanbit-energy.example"),
        "editor": _user("hanbit-editor", "Min-jun", "Park", "minjun.park@hanbit-energy.example"),
        "viewer": _user("hanbit-viewer", "Seo-yeon", "Lee", "seoyeon.lee@hanbit-energy.example"),
        "importer-owner": _user("rheinland-owner", "Anna", "Schmidt", "anna.schmidt@rheinland-battery.example"),
        "importer-editor": _user("rheinland-editor", "Lukas", "Weber", "lukas.weber@rheinland-battery.example"),
    }
    roles = [
        (users["owner"], maker, Membership.Role.OWNER),
        (users["editor"], maker, Membership.Role.EDITOR),
        (users["viewer"], maker, Membership.Role.VIEWER),
        (users["importer-owner"], importer, Membership.Role.OWNER),
        (users["importer-editor"], importer, Membership.Role.EDITOR),
    ]
    for user, org, role in roles:
        Membership.objects.update_or_create(user=user, organization=org, defaults={"role": role})

    facilities = {}
    for key, org, fields in [
        (
            "ochang",
            maker,
            {
                "name": "Ochang Cell & Pack Plant",
                "country": "KR",
                "gln": "8801234900003",
                "address": "45 Sandan-ro, Ochang-eup, Cheongju-si, Chungcheongbuk-do",
                "unlocode": "KRCJU",
                "latitude": Decimal("36.714300"),
                "longitude": Decimal("127.433900"),
                "other_id": "KR-INST-0042",
            },
        ),
        (
            "pohang",
            maker,
            {
                "name": "Pohang Cathode Materials Works",
                "country": "KR",
                "unlocode": "KRKPO",
                "address": "12 Cheolgang-ro, Nam-gu, Pohang-si, Gyeongsangbuk-do",
                "latitude": Decimal("35.998400"),
                "longitude": Decimal("129.398700"),
                "other_id": "KR-INST-0077",
            },
        ),
        (
            "duesseldorf",
            importer,
            {
                "name": "Düsseldorf Distribution Centre",
                "country": "DE",
                "unlocode": "DEDUS",
                "address": "Rheinallee 12, 40545 Düsseldorf",
                "latitude": Decimal("51.233900"),
                "longitude": Decimal("6.738900"),
            },
        ),
    ]:
        facility, _ = Facility.objects.update_or_create(organization=org, name=fields["name"], defaults=fields)
        facility.full_clean()
        facilities[key] = facility
    maker.full_clean()
    importer.full_clean()
    # Hanbit's GS1 Company Prefix (GS1 Korea, 7 digits): its products, the LCA demo's and the demo import's.
    CompanyPrefix.objects.get_or_create(organization=maker, prefix="8801234")
    return DemoTenants(maker=maker, importer=importer, users=users, facilities=facilities)


def _manufacturer_of(data: dict[str, Any]) -> dict[str, Any]:
    for path in (("general_product_information", "manufacturer_information"), ("manufacturer",), ("operator",)):
        node: Any = data
        for key in path:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if node:
            return node
    return {}


def _product_fields(category: str, data: dict[str, Any]) -> dict[str, Any]:
    if category == "battery":
        info = data["general_product_information"]
        return {"gtin": info["gtin"], "name": info["battery_model"], "cn_code": _cn(info["cn_code"])}
    if category == "cbam-installation":
        good = data["goods"][0]
        digest = hashlib.sha256(data["installation"]["installation_identifier"].encode()).hexdigest()
        body = "880" + str(int(digest, 16) % 10**9).zfill(9)
        return {
            "gtin": body + str(identifiers.gs1_check_digit(body)),
            "name": good["goods_description"][:200],
            "cn_code": _cn(good["cn_code"]),
        }
    info = data["product_identification"]
    return {"gtin": info["gtin"], "name": info["product_name"], "cn_code": _cn(info["cn_code"])}


def _cn(code: str) -> str:
    """Passports may print a CN code as the nomenclature does (``8507 60 00``); products keep eight digits."""
    return identifiers.normalize_cn_code(code)


def _org_for(tenants: DemoTenants, maker: dict[str, Any]) -> Organization:
    name = maker.get("name") or "Demo manufacturer"
    if name.startswith("Hanbit"):
        return tenants.maker
    slug = slugify(name.replace("Co., Ltd.", "").replace("Corporation", ""))[:50]
    country = (maker.get("postal_address") or {}).get("address_country", "KR")
    org, created = Organization.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "country": country, "role": Organization.Role.MANUFACTURER},
    )
    if created:
        owner = _user(f"{slug}-owner", "Demo", "Owner", f"owner@{slug}.example")
        Membership.objects.get_or_create(user=owner, organization=org, defaults={"role": Membership.Role.OWNER})
    return org


@dataclass
class DemoPassports:
    published: list[Passport]
    drafts: list[Passport]


def seed_passports(tenants: DemoTenants) -> DemoPassports:
    """One product and passport per example kind (its newest schema version); battery items; a draft to fix."""
    published: list[Passport] = []
    drafts: list[Passport] = []
    owner = tenants.users["owner"]
    for path in current_example_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        category, version = next(
            (c, v)
            for c, v in (tuple(s.key.split("/")) for s in PassportSchema.objects.all())
            if path.name.startswith(f"{c}-{v}-")
        )
        org = _org_for(tenants, _manufacturer_of(data))
        fields = _product_fields(category, data)
        product, _ = Product.objects.get_or_create(
            organization=org,
            gtin=fields["gtin"],
            defaults={
                **fields,
                "category": category,
                "facility": tenants.facilities["ochang"] if org == tenants.maker else None,
                "expected_lifetime_years": 15 if category == "battery" else 10,
            },
        )
        # Each maker holds the GS1 Company Prefix of its GTINs (7 digits, GS1 Korea's usual length); the CBAM
        # goods' made-up GTINs are claimed one by one (a 12-digit prefix covers exactly one GTIN).
        prefix = product.gtin.zfill(14)[1:13] if category == "cbam-installation" else product.gtin.zfill(14)[1:8]
        CompanyPrefix.objects.get_or_create(organization=org, prefix=prefix)
        if Passport.objects.filter(product=product, granularity="model").exists():
            continue
        schema = PassportSchema.objects.get(category=category, version=version)
        if category == "battery" and path.name.endswith("-stationary-lfp.json"):
            # A draft with mistakes, so the demo shows the validation report and the fix-then-publish flow.
            broken = copy.deepcopy(data)
            broken["carbon_footprint"]["battery_carbon_footprint"] = -1
            broken["general_product_information"].pop("manufacturing_date", None)
            drafts.append(
                passport_create(
                    org=org,
                    product=product,
                    granularity="model",
                    schema=schema,
                    data=broken,
                    by=owner,
                    base_url=settings.PLATFORM_BASE_URL,
                )
            )
            continue
        passport = passport_create(
            org=org,
            product=product,
            granularity="model",
            schema=schema,
            data=data,
            by=owner,
            base_url=settings.PLATFORM_BASE_URL,
        )
        passport_publish(passport=passport, by=owner)
        published.append(passport)
        if category == "battery":
            for serial in ("P96A2603120417", "P96A2603120418", "P96A2603120419"):
                item = passport_create(
                    org=org,
                    product=product,
                    granularity="item",
                    lot="L2603-12",
                    serial=serial,
                    schema=schema,
                    # No identifiers given: each battery's own are written from its Digital Link on save.
                    data={},
                    by=owner,
                    base_url=settings.PLATFORM_BASE_URL,
                )
                passport_publish(passport=item, by=owner)
                published.append(item)
    return DemoPassports(published=published, drafts=drafts)
