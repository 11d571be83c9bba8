"""The demo world of ``manage.py seed_demo``: tenants, people and places.

Realistic enough to click through every page: a Korean battery maker exporting to the EU and the EU
importer that buys from it, with a user of every role. Every identifier passes its format check. Running it
twice changes nothing (rows are looked up by natural key first).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from passports.models import Facility, Membership, Organization

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
            "gln": "8801234000017",
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
                "gln": "8801234000024",
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
    return DemoTenants(maker=maker, importer=importer, users=users, facilities=facilities)
