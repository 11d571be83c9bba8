"""Times are shown in the viewer's time zone, and every time says which zone it is in.

Stored times are UTC. A page shows them in the zone the browser reports (the ``dpp_tz`` cookie that
``static/js/app.js`` sets from ``Intl.DateTimeFormat``), else in Korea's zone on Korean pages (our first
users), else in UTC; the date formats of ``config/formats`` print the zone's abbreviation (KST, CET, UTC) so
no time is ambiguous. The cookie only changes how times are printed, never what is stored or compared.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.language import ui_language

COOKIE = "dpp_tz"
KOREAN_ZONE = "Asia/Seoul"


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def viewer_zone(request: HttpRequest) -> str:
    """The IANA zone to show times in for this request (an unknown cookie value is ignored, not trusted)."""
    offered = request.COOKIES.get(COOKIE, "")
    if offered and len(offered) <= 64 and offered in _known_zones():
        return offered
    if ui_language() == "ko":
        return KOREAN_ZONE
    return str(settings.TIME_ZONE)


class ViewerTimeZoneMiddleware:
    """Activates the viewer's zone for the request (after LocaleMiddleware, which decides the language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(zoneinfo.ZoneInfo(viewer_zone(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
