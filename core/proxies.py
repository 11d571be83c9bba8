"""Proxy headers are believed only from the proxies the deployment names.

``X-Forwarded-Proto``, ``X-Forwarded-For`` and their kin are ordinary request headers: anyone can send them.
Believed from anyone, ``X-Forwarded-Proto: https`` makes a plain-HTTP request look secure (Django's
``SECURE_PROXY_SSL_HEADER``), and ``X-Forwarded-For`` picks the address every throttle keyed on the client
address counts against (DRF's ``get_ident`` reads it when ``NUM_PROXIES`` is unset), so one caller could
spread its requests over invented addresses or spend someone else's budget.

``TrustedProxyMiddleware`` runs first. When the connection's peer (``REMOTE_ADDR``) is one of
``settings.TRUSTED_PROXIES`` (addresses or networks), the client's address is read from ``X-Forwarded-For``
walking from the right past every trusted hop, and becomes ``REMOTE_ADDR``; ``X-Forwarded-Proto`` is kept
for ``SECURE_PROXY_SSL_HEADER``. From any other peer the forwarding headers are removed before anything
reads them. Either way ``X-Forwarded-For`` is consumed here, so nothing downstream reads it again.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import cache
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS: Final = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)
PEER_KEY: Final = "dpp.proxy_peer"


@cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[IPNetwork, ...]:
    """``settings.TRUSTED_PROXIES`` parsed; a malformed entry fails loudly at the first request."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def is_trusted(address: str, networks: Iterable[IPNetwork] | None = None) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return False
    return any(parsed.version == n.version and parsed in n for n in (networks or trusted_networks()))


def client_address(peer: str, forwarded_for: str, networks: tuple[IPNetwork, ...]) -> str:
    """The first address, from the right of ``X-Forwarded-For``, that is not a trusted proxy: each proxy
    appends the address it received the request from, so only the hops after the last trusted one are
    facts; what the client itself wrote on the left is not."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    address = peer
    while hops and is_trusted(address, networks):
        candidate = hops.pop()
        try:
            ipaddress.ip_address(candidate.split("%", 1)[0])
        except ValueError:
            break  # a hop that is no address: stop at the last proxy we know
        address = candidate
    return address


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = str(meta.get("REMOTE_ADDR", ""))
        networks = trusted_networks()
        if networks and is_trusted(peer, networks):
            meta[PEER_KEY] = peer
            meta["REMOTE_ADDR"] = client_address(peer, str(meta.get("HTTP_X_FORWARDED_FOR", "")), networks)
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        else:
            for name in FORWARDING_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)


def peer_address(request: HttpRequest) -> str:
    """The client's address as ``TrustedProxyMiddleware`` settled it (the real peer, or the client behind a
    trusted proxy)."""
    return str(request.META.get("REMOTE_ADDR", ""))
