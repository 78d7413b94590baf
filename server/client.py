"""Who is calling and from where, for both transports: the client's address, scheme, origin and session cookie.

A proxy's X-Forwarded-For and X-Forwarded-Proto are believed only when the connection itself comes from an
address in DIEMCAU_TRUSTED_PROXIES. Anyone else can write those headers too, so from anyone else they change
nothing: a forged address must not dodge the login throttle or sign the audit trail, a forged scheme must not
widen the origins a browser may write from.
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Any

from aiohttp import web

from server.keys import settings_key
from server.settings import Settings

log = logging.getLogger(__name__)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SESSION_COOKIE = "diemcau_session"
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": ":80", "https": ":443"}
# Refused origins are logged once each, and only this many: a hostile page can send any number of them.
REPORTED_MAX = 20
_reported: set[str] = set()


def _ip(text: str | None) -> IPAddress | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # A dual-stack listener sees an IPv4 peer as ::ffff:a.b.c.d; the administrator wrote a.b.c.d.
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return mapped or address


def _trusted(settings: Settings, address: IPAddress | None) -> bool:
    return address is not None and any(address in network for network in settings.trusted_proxies)


def _header_items(request: web.Request, name: str) -> list[str]:
    """Every comma-separated item of every copy of the header, left to right."""
    return [item.strip() for value in request.headers.getall(name, []) for item in value.split(",")]


def _via_trusted_proxy(request: web.Request) -> bool:
    return _trusted(request.app[settings_key], _ip(request.remote))


def client_address(request: web.Request) -> str | None:
    """The address the request came from: the direct peer, or through trusted proxies the first one that is not.

    X-Forwarded-For is read from the right, where each trusted proxy appended the address it was reached from;
    the first untrusted address there is the client. Anything left of it was written by the client itself."""
    settings = request.app[settings_key]
    hop = _ip(request.remote)
    if not _trusted(settings, hop):
        return request.remote
    for item in reversed(_header_items(request, "X-Forwarded-For")):
        address = _ip(item)
        # Not an address: no trusted proxy wrote it, so the last hop known is as far as the chain can be followed.
        if address is None:
            break
        hop = address
        if not _trusted(settings, address):
            break
    return str(hop)


def client_scheme(request: web.Request) -> str:
    """http or https as the browser used it: from a trusted proxy's X-Forwarded-Proto, else the connection's own."""
    if _via_trusted_proxy(request):
        # The rightmost value is the one the nearest proxy (the trusted one) wrote.
        forwarded = _header_items(request, "X-Forwarded-Proto")
        if forwarded and forwarded[-1].lower() in SCHEMES:
            return forwarded[-1].lower()
    return request.scheme


def is_secure(request: web.Request) -> bool:
    return client_scheme(request) == "https"


def own_origin(request: web.Request) -> str:
    """The origin of DIEMCAU_PUBLIC_URL when set; without it, the one the browser used (its scheme and Host)."""
    return request.app[settings_key].own_origin or f"{client_scheme(request)}://{request.host}"


def _normal(origin: str) -> str:
    """Lower case, without a default port: browsers send https://a.vn for what a setting may spell https://a.vn:443."""
    origin = origin.strip().lower().rstrip("/")
    suffix = DEFAULT_PORTS.get(origin.partition("://")[0])
    return origin[: -len(suffix)] if suffix and origin.endswith(suffix) else origin


def origin_allowed(request: web.Request, origin: str) -> bool:
    """The server's own origin, or one DIEMCAU_ALLOWED_ORIGINS adds."""
    wanted = _normal(origin)
    allowed = (own_origin(request), *request.app[settings_key].allowed_origins)
    if any(wanted == _normal(item) for item in allowed):
        return True
    if len(_reported) < REPORTED_MAX and wanted not in _reported:
        _reported.add(wanted)
        # What a misconfigured proxy looks like from here; DIEMCAU_PUBLIC_URL and DIEMCAU_TRUSTED_PROXIES mend it.
        log.warning(
            "refused Origin %r: the server's own origin is %r, others allowed: %r", origin, allowed[0], allowed[1:]
        )
    return False


def socket_origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
    """The same rule for socket.io (its cors_allowed_origins callable), read from the aiohttp request itself:
    the environ engine.io builds says REMOTE_ADDR 127.0.0.1 for everyone and believes anyone's X-Forwarded-Proto."""
    request = environ.get("aiohttp.request")
    return origin is not None and isinstance(request, web.Request) and origin_allowed(request, origin)
