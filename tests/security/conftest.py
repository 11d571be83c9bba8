"""Fixtures of the security suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def throttle_rates(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set DRF throttle rates for one test (``principal="2/min"``) on a fresh cache.

    DRF binds the rates to the throttle class when it is imported, so overriding the setting is not enough;
    the class attribute is patched, and the cache that holds the request histories is cleared around it.
    """

    def apply(**rates: str) -> None:
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})
        cache.clear()

    yield apply
    cache.clear()
