"""Request middlewares: errors into the protocol's shape, who is calling, CSRF, security headers."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from server.auth.cache import who
from server.auth.principal import principal_key
from server.client import SESSION_COOKIE, origin_allowed
from server.errors import DomainError, Forbidden, UnsupportedEncoding
from server.http.cookies import renew_if_due
from server.logs import redact

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def error_response(status: int, code: str, message: str, details: dict[str, object] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, "details": details or {}}}, status=status)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as error:
        return web.json_response(error.to_dict(), status=error.status)
    except web.HTTPException as error:
        if error.status < 400 or not request.path.startswith("/api/"):
            raise
        code = HTTP_CODES.get(error.status, "http_error")
        return error_response(error.status, code, error.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        return error_response(500, "internal_error", "Internal server error")


@web.middleware
async def plain_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a compressed request body before anything reads it (the server never inflates one: create_app)."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedEncoding(
            "Request bodies must not be compressed; send the body without Content-Encoding",
            {"content_encoding": encoding[:40]},
        )
    return await handler(request)


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the bearer token or session cookie; a cookie-borne write must carry the CSRF token."""
    token, via_cookie = None, False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    elif SESSION_COOKIE in request.cookies:
        token, via_cookie = request.cookies[SESSION_COOKIE], True
    principal = await who(request.app, token, via_cookie) if token else None
    request[principal_key] = principal
    # socket.io's long-polling posts carry no writes and are Origin-checked by socket.io itself.
    carries_writes = not request.path.startswith("/socket.io/")
    if via_cookie and principal is not None and request.method not in SAFE_METHODS and carries_writes:
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(request, origin):
            raise Forbidden("Cross-origin write refused", code="bad_origin")
        if request.headers.get("X-CSRF-Token") != principal.csrf_token:
            raise Forbidden("Missing or wrong CSRF token", code="csrf_failed")
    # Only after the checks: a refused request renews nothing.
    if via_cookie and principal is not None and token is not None:
        request[principal_key] = await renew_if_due(request, token, principal)
    return await handler(request)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
