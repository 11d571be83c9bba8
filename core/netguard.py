"""Outbound requests only to the public internet: the guard against server-side request forgery (SSRF).

Some features make the platform fetch a URL that a user or partner supplied: a supplier's PACT footprint
endpoint, the ``did.json`` behind a ``did:web`` identifier. Without a guard such a URL can point the server
at itself or at its neighbours (``http://127.0.0.1:6379``, ``http://169.254.169.254/`` cloud metadata, an
internal admin page) and turn the platform into a proxy into its own network (OWASP ASVS 5.0 V1.3 / CWE-918).

``check_outbound_url`` accepts ``http`` and ``https`` URLs whose host resolves only to global unicast
addresses. It resolves the name itself and checks every address the resolver returns (a name with one
public and one private address is refused), unwraps IPv4 inside IPv6 (IPv4-mapped ``::ffff:a.b.c.d``,
NAT64 ``64:ff9b::/96``, 6to4 and Teredo), and leaves the odd spellings of addresses (``2130706433``,
``0x7f.1``) to the same resolver the connection would use, so they cannot slip past as "names". Exceptions
are named, never implied: ``settings.OUTBOUND_ALLOWLIST`` lists the hosts and networks that may be private
(the test suite's local PACT server on 127.0.0.1, a partner on a private link).

Checking a name and then letting the HTTP library resolve it again leaves a window for DNS rebinding (the
name answers a public address to the check and a private one to the connection). ``guarded_client`` closes
it: its transport checks every request, redirects included, and connects to the address it checked,
keeping the original name for the Host header and for TLS (SNI and certificate verification).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 well-known prefix (RFC 6052): the last 32 bits are an IPv4 address reached through a translator.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Special-purpose blocks the IANA registries mark not globally reachable that Python 3.11's tables miss:
# shared address space for carrier-grade NAT (RFC 6598), all of the IETF protocol assignments block
# (RFC 6890; only its /29 is in Python's table), the deprecated 6to4 relay anycast (RFC 7526) and the
# local-use NAT64 prefix (RFC 8215).
_NOT_PUBLIC_EXTRA: tuple[tuple[str, IPNetwork], ...] = (
    ("private", ipaddress.IPv4Network("100.64.0.0/10")),
    ("reserved", ipaddress.IPv4Network("192.0.0.0/24")),
    ("reserved", ipaddress.IPv4Network("192.88.99.0/24")),
    ("private", ipaddress.IPv6Network("64:ff9b:1::/48")),
)


class OutboundUrlRefusedError(ValueError):
    """The URL may not be fetched; ``reason`` is a stable code, the message says why in words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CheckedUrl:
    """A URL that passed the guard, with the addresses it was checked against (connect to one of these)."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (the same resolver a connection would use)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the IPv4-carrying forms."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why a connection to ``address`` is not an outbound request to the internet, or None if it is.

    The categories are checked by name first, so the refusal says which rule applied; ``is_global`` then
    catches the rest of the IANA special-purpose registries (documentation, benchmarking, shared space...).
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_problem(embedded)
        if address.scope_id:
            return "link_local"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    for reason, applies in checks:
        if applies:
            return reason
    for reason, network in _NOT_PUBLIC_EXTRA:
        if address.version == network.version and address in network:
            return reason
    if not address.is_global:
        return "reserved"
    return None


@dataclass(frozen=True)
class Allowlist:
    """Hosts (by name) and networks that may be reached although they are not public."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            text = entry.strip()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            except ValueError:
                hosts.add(text.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == network.version and address in network for network in self.networks)


def _configured_allowlist() -> list[str]:
    return list(getattr(settings, "OUTBOUND_ALLOWLIST", []))


def check_outbound_url(
    url: str,
    allow: Iterable[str] | None = None,
    *,
    schemes: Sequence[str] = SCHEMES,
    resolver: Resolver = resolve_host,
) -> CheckedUrl:
    """Check that ``url`` may be fetched; raise ``OutboundUrlRefusedError`` naming the reason if not.

    ``allow`` defaults to ``settings.OUTBOUND_ALLOWLIST``: host names, IP addresses and networks
    (``127.0.0.1``, ``10.20.0.0/16``, ``::1``) that may be reached although they are not public.
    ``schemes`` narrows the schemes further (``did:web`` documents are served over https only).
    """
    allowlist = Allowlist.parse(_configured_allowlist() if allow is None else allow)
    try:
        parts = urlsplit(url.strip())
        port_given = parts.port
    except ValueError as exc:
        raise OutboundUrlRefusedError("malformed", f"Not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in schemes or scheme not in SCHEMES:
        allowed = " or ".join(s for s in schemes if s in SCHEMES)
        raise OutboundUrlRefusedError("scheme", f"Only {allowed} URLs can be fetched, not {scheme or 'none'!r}.")
    if parts.username is not None or parts.password is not None:
        raise OutboundUrlRefusedError("credentials", "URLs with a user name or password are not fetched.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundUrlRefusedError("host", "The URL names no host.")
    port = port_given if port_given is not None else _DEFAULT_PORTS[scheme]
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list(resolver(host, port))
        except (OSError, UnicodeError) as exc:
            raise OutboundUrlRefusedError("unresolvable", f"The host {host!r} does not resolve.") from exc
        if not addresses:
            raise OutboundUrlRefusedError("unresolvable", f"The host {host!r} does not resolve.")
    if not allowlist.allows_host(host):
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            problem = address_problem(address)
            if problem is not None and not allowlist.allows_address(address):
                raise OutboundUrlRefusedError(
                    problem, f"The host {host!r} resolves to a {problem.replace('_', '-')} address ({address})."
                )
    return CheckedUrl(url=url, scheme=scheme, host=host, port=port, addresses=tuple(addresses))


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that checks every request (redirect hops too) and connects to the checked address.

    The request goes to the first checked address; the Host header keeps the name, and for https the name is
    sent as SNI and the certificate is verified against it, so pinning the address weakens nothing.
    """

    def __init__(
        self,
        *,
        allow: Iterable[str] | None = None,
        schemes: Sequence[str] = SCHEMES,
        resolver: Resolver = resolve_host,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.allow = None if allow is None else list(allow)
        self.schemes = tuple(schemes)
        self.resolver = resolver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        checked = check_outbound_url(str(request.url), self.allow, schemes=self.schemes, resolver=self.resolver)
        # httpx set the Host header from the name when it built the request; only the address changes.
        request.url = request.url.copy_with(host=checked.addresses[0].split("%", 1)[0])
        if checked.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": checked.host}
        return super().handle_request(request)


def guarded_client(
    *,
    allow: Iterable[str] | None = None,
    schemes: Sequence[str] = SCHEMES,
    resolver: Resolver = resolve_host,
    timeout: float = 10.0,
    **kwargs: Any,
) -> httpx.Client:
    """An ``httpx.Client`` whose every request passes ``check_outbound_url`` and is pinned to its address."""
    transport = GuardedTransport(allow=allow, schemes=schemes, resolver=resolver)
    return httpx.Client(transport=transport, timeout=timeout, **kwargs)
