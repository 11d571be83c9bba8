"""The one public address of a deployment (``PLATFORM_BASE_URL``) and the rules it must meet.

Everything outside readers keep is written under this address: GS1 Digital Link identifiers in QR codes and
PDFs, ``did:web`` issuer identifiers, status-list URLs and the links inside signed credentials. A signed
credential cannot be re-pointed afterwards, so a wrong address costs a bulk re-issue; these rules catch it
before the first passport is published.

- Development (``make run``) derives the address from the host and port it serves on, written with the name
  ``localhost``: did:web identifies an issuer by a domain name (did:web method, section 3.1: "The
  method-specific identifier MUST match the common name used in the SSL/TLS certificate, and it MUST NOT
  include IP addresses"), so ``127.0.0.1`` or ``0.0.0.0`` would make identifiers no verifier accepts.
- Production requires ``https://`` on a domain name: did:web is resolved over HTTPS only, and a loopback or
  private name is reachable by nobody who scans a product.
Plain Python, read by the settings modules before Django is set up.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Hosts a development server binds to that are not names a browser or a did:web resolver should be given.
_UNNAMED_BIND_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104  # bind addresses, not binding here


class PublicAddressError(ValueError):
    """``PLATFORM_BASE_URL`` cannot serve as the public address; the message says why and what to set."""


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def development_base_url(host: str | None, port: str | int | None) -> str:
    """The base URL a development server on ``host:port`` is reached at: ``http://localhost:<port>``.

    A host given as a domain name (``make run HOST=dpp.local``) is kept; an IP address or a bind-all address
    becomes ``localhost``, which browsers and did:web alike accept for the loopback interface.
    """
    name = (host or "").strip().lower()
    if name in _UNNAMED_BIND_HOSTS or _is_ip_literal(name):
        name = "localhost"
    number = 8000 if port is None or port == "" else int(port)
    if not 0 < number < 65536:
        raise PublicAddressError(f"PORT {number} is not a TCP port (1-65535)")
    return f"http://{name}" if number == 80 else f"http://{name}:{number}"


def check_base_url_shape(url: str) -> str:
    """``url`` without a trailing slash, or PublicAddressError if it has a path, query or fragment.

    did:web maps ``did:web:<host>:orgs:<slug>`` to ``https://<host>/orgs/<slug>/did.json``: a path prefix on
    the base would put our DID documents where no resolver looks for them.
    """
    base = url.strip().rstrip("/")
    split = urlsplit(base)
    if split.scheme not in {"http", "https"} or not split.hostname:
        raise PublicAddressError(f"PLATFORM_BASE_URL {url!r} must be an http(s) URL with a host name")
    if split.path or split.query or split.fragment:
        raise PublicAddressError(
            f"PLATFORM_BASE_URL {url!r} must be scheme and host only (no path, query or fragment): did:web "
            "identifiers resolve to /orgs/<slug>/did.json at the root of the host"
        )
    return base


def check_production_base_url(url: str) -> str:
    """``url`` if it is ``https://`` on a public domain name, else PublicAddressError naming the rule."""
    if not url.strip():
        raise PublicAddressError(
            "PLATFORM_BASE_URL must be set in production to the https:// address of this platform on a domain "
            "name (e.g. https://passports.example.com): it is written into every QR code, did:web identifier "
            "and signed credential, and cannot be changed afterwards without re-issuing them."
        )
    base = check_base_url_shape(url)
    split = urlsplit(base)
    host = split.hostname or ""
    if split.scheme != "https":
        raise PublicAddressError(
            f"PLATFORM_BASE_URL {url!r} must use https://: did:web documents are only resolved over HTTPS"
        )
    if _is_ip_literal(host):
        raise PublicAddressError(
            f"PLATFORM_BASE_URL {url!r} names an IP address; did:web forbids IP addresses, use a domain name"
        )
    if host == "localhost" or host.endswith(".localhost") or "." not in host:
        raise PublicAddressError(
            f"PLATFORM_BASE_URL {url!r} is not a public domain name: nobody who scans a product can reach it"
        )
    return base
