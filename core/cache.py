"""The shared cache on Redis, falling back to a per-process cache while Redis cannot be reached.

What the cache holds is never the only copy of anything (throttle windows, public-page generations, worker
pings), so while Redis is away each process keeps going on a cache of its own instead of answering 500:
throttles count per process for that time (each process still limits), and the public-page cache is
bypassed (``exporters.resolver.public_cache`` reads Redis directly and renders afresh when it cannot). After a
failure Redis is tried again every ``RETRY_SECONDS``, so an outage costs one connection attempt per
process every few seconds, not one per request.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from core.degraded import BROKER_ERRORS

logger = logging.getLogger(__name__)

RETRY_SECONDS: Final = 5.0


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose every operation goes to a local ``LocMemCache`` while Redis is away."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    @property
    def redis_away(self) -> bool:
        """True while this process treats Redis as away (until the next retry)."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_away:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except BROKER_ERRORS as exc:
                self._down_until = time.monotonic() + RETRY_SECONDS
                logger.warning("cache: Redis away (%s); this process uses its own cache for now", exc)
        return getattr(self._local, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self._local.clear()
        return self._call("clear")
