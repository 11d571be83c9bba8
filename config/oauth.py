"""The OAuth2 token endpoint, rate-limited per client address.

Partner systems fetch a token about once an hour (``OAUTH2_ACCESS_TOKEN_SECONDS``). Each token request with a
known ``client_id`` costs a password-hash check of the secret (django-oauth-toolkit stores secrets hashed), so
an unthrottled endpoint lets one address burn the web workers' CPU, and it is the one credential check that
django-axes does not watch (axes counts Django ``authenticate`` calls; client authentication is not one).
Secrets are long random strings, so guessing them is hopeless; the limit is about cost. Over the limit the
answer is 429 with ``Retry-After``, in the OAuth error format the endpoint speaks (RFC 6749 §5.2).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.views import TokenView
from rest_framework.throttling import SimpleRateThrottle


class TokenEndpointThrottle(SimpleRateThrottle):
    scope = "oauth2_token"

    def get_rate(self) -> str | None:
        return str(getattr(settings, "OAUTH2_TOKEN_THROTTLE_RATE", "30/min"))

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ThrottledTokenView(TokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = TokenEndpointThrottle()
        if not throttle.allow_request(request, self):  # type: ignore[arg-type]  # only reads META and the cache
            wait = int(throttle.wait() or 1) + 1
            response = JsonResponse(
                {"error": "too_many_requests", "error_description": f"Too many token requests; retry in {wait} s."},
                status=429,
            )
            response["Retry-After"] = str(wait)
            response["Cache-Control"] = "no-store"
            return response
        return super().post(request, *args, **kwargs)
