"""Throttles per caller: each API client and each person has their own budget; anonymous callers are counted
by their real address (``core.proxies``: a forwarded address only from a trusted proxy)."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class PrincipalRateThrottle(SimpleRateThrottle):
    """Rate-limits authenticated callers by API client or user; anonymous callers fall to ``anon``."""

    scope = "principal"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": str(user.pk)}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"1200/min"`` as ``(1200, 60)``: requests per period in seconds (DRF's notation: s, m, h, d)."""
    count, _slash, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1].lower()]
    return int(count), seconds


def window_allows(key: str, rate: str) -> int:
    """Count one request against ``key``'s fixed window; 0 when allowed, else the seconds until the window
    ends (for ``Retry-After``). One cache round trip for a window's first request, two after, whatever the
    budget: cheaper than DRF's per-request history list, for the endpoints partners poll hardest."""
    limit, period = parse_rate(rate)
    now = time.time()
    bucket = f"throttle:{key}:{int(now // period)}"
    if cache.add(bucket, 1, period + 1):
        return 0
    try:
        count = cache.incr(bucket)
    except ValueError:  # the window's key expired between add and incr
        cache.set(bucket, 1, period + 1)
        return 0
    return 0 if count <= limit else max(1, int(period - now % period) + 1)
