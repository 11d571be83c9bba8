"""Who is looking at a public passport URL (resolver, data links), and which access tier that gives them.

The rule itself is ``passports.access``; this module only names the caller of a plain Django view and asks it.
"""

from __future__ import annotations

from django.http import HttpRequest

from passports.access import Access, Viewer, access_for, tier_for, viewer_of_request
from passports.models import Passport


def viewer_tier(request: HttpRequest, passport: Passport) -> str:
    """The tier the caller of ``request`` gets on ``passport``."""
    return tier_for(viewer_of_request(request), passport)


def viewer_access(request: HttpRequest, passport: Passport) -> tuple[Viewer, Access]:
    """The caller and what it gets on ``passport``: the tier, and the basis the access log records."""
    viewer = viewer_of_request(request)
    return viewer, access_for(viewer, passport)


def is_authenticated_caller(request: HttpRequest) -> bool:
    return not viewer_of_request(request).is_anonymous
